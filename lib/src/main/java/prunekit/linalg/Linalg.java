package prunekit.linalg;

/**
 * The project's one dense float64 linear-algebra path: matrix products, Cholesky factors and
 * symmetric positive definite solves of row-major {@code double[]} matrices. DJL, which runs the
 * model, has no Cholesky or solve; SparseGPT's OBS updates and GradMAP's ridge regression need both,
 * in float64.
 *
 * <p>Two backends compute the products, the factors and the dot product; the substitutions are
 * plain Java in both. {@code nd4j} ({@link Nd4jBackend}: OpenBLAS and LAPACK) is the default when
 * ND4J is on the class path; {@code java} ({@link JavaBackend}: plain-Java Cholesky, products on
 * DJL's engine in float64, on the GPU where there is one) is the default without it, as on the GPU
 * route, whose jars leave ND4J's 120 MB out. {@code -Dprunekit.linalg=nd4j|java} picks one; nd4j
 * requested without ND4J, or any other value, is an error naming the property. The two agree to
 * about 1e-15 relative (LinalgTest); on this 2-core CPU a 576 × 576 solve with 576 right-hand sides
 * takes 120 ms on java and 140 ms on nd4j, and SparseGPT on SmolLM2 ran faster on java, whose
 * products go to libtorch (LinalgTiming, docs/performance.md).
 */
public final class Linalg {

    private static volatile Backend backend;

    private Linalg() {}

    /** The backend {@code -Dprunekit.linalg} picks (chosen at the first call and kept). */
    static Backend backend() {
        Backend b = backend;
        if (b == null) {
            b = Backend.select(System.getProperty(Backend.PROPERTY), Backend.nd4jPresent(Linalg.class.getClassLoader()));
            backend = b;
        }
        return b;
    }

    /** A·B for A (rows × inner) and B (inner × cols), row-major; returns (rows × cols). */
    public static double[] multiply(double[] a, int rows, int inner, double[] b, int cols) {
        if ((long) rows * inner != a.length || (long) inner * cols != b.length) {
            throw new IllegalArgumentException("cannot multiply " + a.length + " values as " + rows + "x" + inner
                    + " by " + b.length + " values as " + inner + "x" + cols);
        }
        if (rows == 0 || inner == 0 || cols == 0) return new double[rows * cols];   // an empty sum is zero
        return backend().multiply(a, rows, inner, b, cols);
    }

    /**
     * The Cholesky factor of a symmetric positive definite A (n × n): lower L with A = L Lᵀ, or upper
     * U with A = Uᵀ U; the other triangle is zero.
     *
     * @throws IllegalArgumentException when A is not positive definite (the message names the pivot)
     */
    public static double[] cholesky(double[] a, int n, boolean lower) {
        if ((long) n * n != a.length) {
            throw new IllegalArgumentException("cannot factor " + a.length + " values as " + n + "x" + n);
        }
        return backend().cholesky(a, n, lower);
    }

    /**
     * X with A X = B for a symmetric positive definite A (n × n) and B (n × k), row-major: A = L Lᵀ
     * ({@link #cholesky}), then L Z = B and Lᵀ X = Z by forward and back substitution, row by row over all
     * k columns at once. The substitutions are plain loops because ND4J offers no fast triangular
     * solve: BLAS trsm is broken in ND4J 1.0.0-M2.1, libnd4j's triangular_solve op took 12 s and
     * InvertMatrix + two products 22 s for n = k = 576 on this CPU, against a fraction of a second here.
     *
     * @throws IllegalArgumentException when A is not positive definite
     */
    public static double[] solvePositiveDefinite(double[] a, double[] b, int n) {
        return solvePositiveDefinite(backend(), a, b, n);
    }

    /** {@link #solvePositiveDefinite(double[], double[], int)} with the factor from {@code backend}. */
    static double[] solvePositiveDefinite(Backend backend, double[] a, double[] b, int n) {
        int k = b.length / n;
        if ((long) n * n != a.length || (long) n * k != b.length) {
            throw new IllegalArgumentException("cannot solve a " + n + "x" + n + " system (" + a.length
                    + " values) for " + b.length + " right-hand values");
        }
        double[] l = backend.cholesky(a, n, true);
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
        return backend().dot(a, b);
    }
}
