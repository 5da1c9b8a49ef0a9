package prunekit.linalg;

import java.util.Locale;

/**
 * The three dense float64 kernels {@link Linalg} delegates (everything else there is plain Java),
 * with two implementations: {@link Nd4jBackend} (OpenBLAS and LAPACK through ND4J) and
 * {@link JavaBackend} (plain Java plus DJL's engine for the products), for class paths without ND4J
 * such as the GPU route's. Matrices are row-major {@code double[]}; the arguments are checked by
 * {@link Linalg}.
 */
interface Backend {

    /** The system property that picks a backend: {@code nd4j} or {@code java}. */
    String PROPERTY = "prunekit.linalg";

    /** The name {@link #PROPERTY} gives this backend. */
    String name();

    /** A·B for A (rows × inner) and B (inner × cols); returns (rows × cols). */
    double[] multiply(double[] a, int rows, int inner, double[] b, int cols);

    /**
     * The Cholesky factor of a symmetric positive definite A (n × n): lower L with A = L Lᵀ, or upper
     * U with A = Uᵀ U; the other triangle is zero.
     *
     * @throws IllegalArgumentException when A is not positive definite (the message names the pivot)
     */
    double[] cholesky(double[] a, int n, boolean lower);

    /** Σ_i a_i b_i over two arrays of equal length. */
    double dot(double[] a, double[] b);

    /**
     * The backend {@code requested} names (the value of {@link #PROPERTY}; null or blank: the default,
     * nd4j when ND4J is on the class path, else java).
     *
     * @throws IllegalStateException when {@code requested} is neither nd4j nor java, or is nd4j and ND4J
     *                               is not on the class path (not IllegalArgumentException: callers read
     *                               that from {@link #cholesky} as "not positive definite")
     */
    static Backend select(String requested, boolean nd4jPresent) {
        String wish = requested == null || requested.isBlank() ? (nd4jPresent ? "nd4j" : "java")
                : requested.trim().toLowerCase(Locale.ROOT);
        switch (wish) {
            case "java":
                return new JavaBackend();
            case "nd4j":
                if (!nd4jPresent) {
                    throw new IllegalStateException("-D" + PROPERTY + "=" + requested + ": ND4J (nd4j-api and"
                            + " nd4j-native) is not on the class path; use -D" + PROPERTY + "=java or leave it"
                            + " unset (accepted values: nd4j, java)");
                }
                return new Nd4jBackend();
            default:
                throw new IllegalStateException("-D" + PROPERTY + "=" + requested + ": accepted values are nd4j,"
                        + " java (unset: nd4j when ND4J is on the class path, else java)");
        }
    }

    /** Whether ND4J's API and its CPU backend can be loaded by {@code loader} (nothing is initialised). */
    static boolean nd4jPresent(ClassLoader loader) {
        try {
            Class.forName("org.nd4j.linalg.factory.Nd4j", false, loader);
            Class.forName("org.nd4j.linalg.cpu.nativecpu.CpuBackend", false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
