package prunekit.linalg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import prunekit.model.Devices;

/**
 * {@link Backend} without ND4J, for class paths that do not carry it (the GPU route): the products
 * run on DJL's engine in float64 on the device every computation of this JVM uses
 * ({@link Devices#choose()}: the engine's default, so the GPU where there is one, unless
 * {@code PRUNEKIT_DEVICE} says otherwise); Cholesky and the dot product are plain Java.
 *
 * <p>The products go to the engine because SparseGPT's lazy updates multiply (rows × 128)·(128 × rest)
 * blocks, rows and rest up to 1536, thousands of times per model: (1536 × 128)·(128 × 1408) took
 * 14 ms on DJL's CPU libtorch with one thread, 172 ms as a plain-Java i-k-j loop and 70 ms on ND4J
 * (one thread) on this 2-core Xeon (LinalgTiming). Cholesky (n = 576 .. 1536, a few per layer) is a
 * row-oriented loop, the unblocked algorithm of LAPACK's dpotf2: 21 ms at n = 576 (ND4J 29 ms),
 * 440 ms at n = 1536 (ND4J 190 ms). Every NDArray lives in a manager closed before the call returns.
 */
final class JavaBackend implements Backend {

    @Override
    public String name() {
        return "java";
    }

    @Override
    public double[] multiply(double[] a, int rows, int inner, double[] b, int cols) {
        try (NDManager manager = NDManager.newBaseManager(Devices.choose())) {
            NDArray x = manager.create(a, new Shape(rows, inner));            // (rows, inner) float64
            NDArray y = manager.create(b, new Shape(inner, cols));            // (inner, cols) float64
            return x.matMul(y).toDoubleArray();                               // (rows, cols)
        }
    }

    /**
     * Cholesky–Crout by rows, reading A's lower triangle: for j &lt; i,
     * {@code L[i,j] = (A[i,j] − Σ_{k<j} L[i,k] L[j,k]) / L[j,j]}, and
     * {@code L[i,i] = √(A[i,i] − Σ_{k<i} L[i,k]²)}; both sums run along two rows of L (contiguous).
     * The upper factor is Lᵀ. (Computing 8..64 rows at a time, so that each earlier row is read once
     * per group, gained under 15 % at n = 1536 on this CPU, whose L3 holds all of L: not kept.)
     */
    @Override
    public double[] cholesky(double[] a, int n, boolean lower) {
        double[] l = new double[n * n];
        for (int i = 0; i < n; i++) {
            int ri = i * n;
            for (int j = 0; j < i; j++) {
                int rj = j * n;
                l[ri + j] = (a[ri + j] - rowDot(l, ri, rj, j)) / l[rj + j];
            }
            double pivot = a[ri + i] - rowDot(l, ri, ri, i);
            if (!(pivot > 0) || !Double.isFinite(pivot)) {
                throw new IllegalArgumentException("matrix (" + n + "x" + n + ") is not positive definite: Cholesky "
                        + "pivot " + pivot + " at " + i);
            }
            l[ri + i] = Math.sqrt(pivot);
        }
        return lower ? l : transpose(l, n);
    }

    /** Neumaier's compensated sum of the products a_i b_i: the rounding of the running sum is carried along. */
    @Override
    public double dot(double[] a, double[] b) {
        double sum = 0;
        double lost = 0;
        for (int i = 0; i < a.length; i++) {
            double p = a[i] * b[i];
            double t = sum + p;
            lost += Math.abs(sum) >= Math.abs(p) ? (sum - t) + p : (p - t) + sum;
            sum = t;
        }
        return sum + lost;
    }

    /** Σ_{k<len} m[r1 + k] m[r2 + k], in four interleaved partial sums (independent chains run in parallel). */
    private static double rowDot(double[] m, int r1, int r2, int len) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 3 < len; k += 4) {
            s0 += m[r1 + k] * m[r2 + k];
            s1 += m[r1 + k + 1] * m[r2 + k + 1];
            s2 += m[r1 + k + 2] * m[r2 + k + 2];
            s3 += m[r1 + k + 3] * m[r2 + k + 3];
        }
        for (; k < len; k++) s0 += m[r1 + k] * m[r2 + k];
        return (s0 + s1) + (s2 + s3);
    }

    private static double[] transpose(double[] m, int n) {
        double[] t = new double[n * n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) t[c * n + r] = m[r * n + c];
        }
        return t;
    }
}
