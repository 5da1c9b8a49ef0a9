package prunekit.linalg;

import java.util.List;
import java.util.Random;

/**
 * Times each backend on the sizes SparseGPT and the projection compensation use, and prints how far
 * the java backend's results are from the nd4j backend's. Not a test (no assertions on times):
 *
 * <pre>
 *   mvn -q -B test-compile &amp;&amp; java -Dai.djl.offline=true -cp "lib/target/test-classes:lib/target/classes:lib/target/deps/*" \
 *       prunekit.linalg.LinalgTiming [repeats]
 * </pre>
 */
final class LinalgTiming {

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Random random = new Random(3);
        List<Backend> backends = List.of(new Nd4jBackend(), new JavaBackend());
        double[][] spd = {positiveDefinite(random, 576), positiveDefinite(random, 1536)};
        double[] rhs = LinalgTest.gaussian(random, 576 * 576);
        double[] err = LinalgTest.gaussian(random, 1536 * 128);             // SparseGPT: (rows, block)·(block, rest)
        double[] block = LinalgTest.gaussian(random, 128 * 1408);
        double[][] results = new double[4][];
        for (Backend b : backends) {
            double solve = best(repeats, () -> results[0] = Linalg.solvePositiveDefinite(b, spd[0], rhs, 576));
            double chol576 = best(repeats, () -> results[1] = b.cholesky(spd[0], 576, true));
            double chol1536 = best(repeats, () -> results[2] = b.cholesky(spd[1], 1536, true));
            double product = best(repeats, () -> results[3] = b.multiply(err, 1536, 128, block, 1408));
            System.out.printf("%-5s solve 576x576 (k = 576) %7.1f ms | cholesky 576 %7.1f ms | cholesky 1536 %7.1f ms"
                    + " | multiply (1536x128)(128x1408) %6.1f ms%n", b.name(), solve, chol576, chol1536, product);
            if (b instanceof Nd4jBackend) {
                reference = results.clone();
            } else {
                System.out.printf("java vs nd4j, relative difference: solve %.2e, cholesky 576 %.2e, cholesky 1536 %.2e,"
                        + " multiply %.2e%n", LinalgTest.relative(results[0], reference[0]),
                        LinalgTest.relative(results[1], reference[1]), LinalgTest.relative(results[2], reference[2]),
                        LinalgTest.relative(results[3], reference[3]));
            }
        }
    }

    private static double[][] reference;

    /** The fastest of {@code repeats} runs after one warm-up, in milliseconds. */
    private static double best(int repeats, Runnable work) {
        work.run();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            work.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        return best;
    }

    /** G Gᵀ / n + 0.01 I, G Gaussian: a calibration Hessian's shape of spectrum, well enough. */
    private static double[] positiveDefinite(Random random, int n) {
        double[] g = LinalgTest.gaussian(random, n * n);
        double[] a = new Nd4jBackend().multiply(g, n, n, transpose(g, n), n);
        for (int i = 0; i < a.length; i++) a[i] /= n;
        for (int i = 0; i < n; i++) a[i * n + i] += 0.01;
        return a;
    }

    private static double[] transpose(double[] m, int n) {
        double[] t = new double[n * n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) t[c * n + r] = m[r * n + c];
        }
        return t;
    }
}
