package prunekit.linalg;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The project's one dense float64 linear-algebra path, on ND4J (OpenBLAS and LAPACK): matrix
 * products, Cholesky factors and symmetric positive definite solves of row-major {@code double[]}
 * matrices. DJL, which runs the model, has no Cholesky or solve; SparseGPT's OBS updates and
 * GradMAP's ridge regression need both, in float64.
 *
 * <p>Threads are set here, once, before the first ND4J call. ND4J's threads (OpenMP in libnd4j,
 * OpenBLAS) busy-wait between calls; next to PyTorch's on a small CPU they starved both (measured on
 * 2 cores: SparseGPT on SmolLM2 141 s with ND4J's default threads, 51 s with one, and the next
 * perplexity run 3× slower). So ND4J runs single-threaded unless {@code -Dprunekit.nd4j.threads=N}
 * says otherwise.
 */
public final class Linalg {

    static {
        int threads = Integer.getInteger("prunekit.nd4j.threads", 1);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    private Linalg() {}

    /** A·B for A (rows × inner) and B (inner × cols), row-major; returns (rows × cols). */
    public static double[] multiply(double[] a, int rows, int inner, double[] b, int cols) {
        if ((long) rows * inner != a.length || (long) inner * cols != b.length) {
            throw new IllegalArgumentException("cannot multiply " + a.length + " values as " + rows + "x" + inner
                    + " by " + b.length + " values as " + inner + "x" + cols);
        }
        INDArray x = matrix(a, rows, inner);
        INDArray y = matrix(b, inner, cols);
        return x.mmul(y).dup('c').data().asDouble();
    }

    /**
     * The Cholesky factor of a symmetric positive definite A (n × n): lower L with A = L Lᵀ, or upper
     * U with A = Uᵀ U; the other triangle is zero (LAPACK potrf).
     *
     * @throws IllegalArgumentException when A is not positive definite (the message names the pivot)
     */
    public static double[] cholesky(double[] a, int n, boolean lower) {
        INDArray m = matrix(a, n, n).dup('c');
        try {
            Nd4j.getBlasWrapper().lapack().potrf(m, lower);                    // in place
        } catch (Error | RuntimeException e) {                                 // ND4J signals LAPACK failure with Error
            throw new IllegalArgumentException("matrix (" + n + "x" + n + ") is not positive definite ("
                    + e.getMessage() + ")", e);
        }
        double[] f = m.dup('c').data().asDouble();
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                if (lower ? c > r : c < r) f[r * n + c] = 0;                   // potrf leaves the other triangle
            }
            if (!(f[r * n + r] > 0) || !Double.isFinite(f[r * n + r])) {
                throw new IllegalArgumentException("matrix (" + n + "x" + n + ") is not positive definite: Cholesky "
                        + "pivot " + f[r * n + r] + " at " + r);
            }
        }
        return f;
    }

    /**
     * X with A X = B for a symmetric positive definite A (n × n) and B (n × k), row-major: A = L Lᵀ
     * (potrf, LAPACK), then L Z = B and Lᵀ X = Z by forward and back substitution, row by row over all
     * k columns at once. The substitutions are plain loops because ND4J offers no fast triangular
     * solve: BLAS trsm is broken in ND4J 1.0.0-M2.1, libnd4j's triangular_solve op took 12 s and
     * InvertMatrix + two products 22 s for n = k = 576 on this CPU, against a fraction of a second here.
     *
     * @throws IllegalArgumentException when A is not positive definite
     */
    public static double[] solvePositiveDefinite(double[] a, double[] b, int n) {
        int k = b.length / n;
        if ((long) n * n != a.length || (long) n * k != b.length) {
            throw new IllegalArgumentException("cannot solve a " + n + "x" + n + " system (" + a.length
                    + " values) for " + b.length + " right-hand values");
        }
        double[] l = cholesky(a, n, true);
        // 1. L Z = B: row r of Z is (B_r - Σ_{j<r} L_rj Z_j) / L_rr
        double[] z = b.clone();
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < r; j++) {
                double f = l[r * n + j];
                if (f != 0) for (int c = 0; c < k; c++) z[r * k + c] -= f * z[j * k + c];
            }
            double d = l[r * n + r];
            for (int c = 0; c < k; c++) z[r * k + c] /= d;
        }
        // 2. Lᵀ X = Z: row r of X is (Z_r - Σ_{j>r} L_jr X_j) / L_rr
        double[] x = z;
        for (int r = n - 1; r >= 0; r--) {
            for (int j = r + 1; j < n; j++) {
                double f = l[j * n + r];
                if (f != 0) for (int c = 0; c < k; c++) x[r * k + c] -= f * x[j * k + c];
            }
            double d = l[r * n + r];
            for (int c = 0; c < k; c++) x[r * k + c] /= d;
        }
        return x;
    }

    /** Σ_ij A_ij B_ij, the Frobenius inner product of two matrices of equal size. */
    public static double dot(double[] a, double[] b) {
        if (a.length != b.length) throw new IllegalArgumentException(a.length + " vs " + b.length + " values");
        return matrix(a, 1, a.length).mul(matrix(b, 1, b.length)).sumNumber().doubleValue();
    }

    private static INDArray matrix(double[] values, int rows, int cols) {
        return Nd4j.create(values, new long[] {rows, cols}, DataType.DOUBLE);
    }
}
