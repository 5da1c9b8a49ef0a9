package prunekit.linalg;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link Backend} on ND4J (OpenBLAS and LAPACK): the only class that names ND4J, loaded only when
 * ND4J is on the class path ({@link Backend#select}).
 *
 * <p>Threads are set here, once, before the first ND4J call. ND4J's threads (OpenMP in libnd4j,
 * OpenBLAS) busy-wait between calls; next to PyTorch's on a small CPU they starved both (measured on
 * 2 cores: SparseGPT on SmolLM2 141 s with ND4J's default threads, 51 s with one, and the next
 * perplexity run 3× slower). So ND4J runs single-threaded unless {@code -Dprunekit.nd4j.threads=N}
 * says otherwise.
 */
final class Nd4jBackend implements Backend {

    static {
        int threads = Integer.getInteger("prunekit.nd4j.threads", 1);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    @Override
    public String name() {
        return "nd4j";
    }

    @Override
    public double[] multiply(double[] a, int rows, int inner, double[] b, int cols) {
        return matrix(a, rows, inner).mmul(matrix(b, inner, cols)).dup('c').data().asDouble();
    }

    /** LAPACK potrf; its other triangle is left as it was, so it is zeroed here. */
    @Override
    public double[] cholesky(double[] a, int n, boolean lower) {
        INDArray m = matrix(a, n, n).dup('c');
        try {
            Nd4j.getBlasWrapper().lapack().potrf(m, lower);                    // in place
        } catch (Error | RuntimeException e) {         // ND4J signals LAPACK failure with Error: "... dpotrf: <info>"
            // info i > 0: the leading minor of order i is not positive definite, so pivot i − 1 failed
            Matcher info = Pattern.compile("potrf: (\\d+)").matcher(String.valueOf(e.getMessage()));
            String pivot = info.find() ? ": Cholesky pivot at " + (Integer.parseInt(info.group(1)) - 1) : "";
            throw new IllegalArgumentException("matrix (" + n + "x" + n + ") is not positive definite" + pivot
                    + " (ND4J: " + e.getMessage() + ")", e);
        }
        double[] f = m.dup('c').data().asDouble();
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                if (lower ? c > r : c < r) f[r * n + c] = 0;
            }
            if (!(f[r * n + r] > 0) || !Double.isFinite(f[r * n + r])) {
                throw new IllegalArgumentException("matrix (" + n + "x" + n + ") is not positive definite: Cholesky "
                        + "pivot " + f[r * n + r] + " at " + r);
            }
        }
        return f;
    }

    @Override
    public double dot(double[] a, double[] b) {
        return matrix(a, 1, a.length).mul(matrix(b, 1, b.length)).sumNumber().doubleValue();
    }

    private static INDArray matrix(double[] values, int rows, int cols) {
        return Nd4j.create(values, new long[] {rows, cols}, DataType.DOUBLE);
    }
}
