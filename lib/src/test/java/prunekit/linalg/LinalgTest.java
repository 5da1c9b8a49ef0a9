package prunekit.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Both backends against hand computations and a plain triple-loop product, the java backend against
 * the nd4j one on random SPD matrices, the selection property, and Linalg on a class path without ND4J.
 */
class LinalgTest {

    // A = [[4, 2], [2, 3]] = L Lᵀ with L = [[2, 0], [1, √2]]
    private static final double[] A = {4, 2, 2, 3};
    private static final List<Backend> BACKENDS = List.of(new JavaBackend(), new Nd4jBackend());

    @Test
    void multiplyIsTheRowMajorProduct() {
        for (Backend b : BACKENDS) {
            // [[1, 2, 3], [4, 5, 6]] · [[1, 0], [0, 1], [1, 1]] = [[4, 5], [10, 11]]
            assertArrayEquals(new double[] {4, 5, 10, 11},
                    b.multiply(new double[] {1, 2, 3, 4, 5, 6}, 2, 3, new double[] {1, 0, 0, 1, 1, 1}, 2), 0, b.name());
            // an outer product: (2, 1) · (1, 3)
            assertArrayEquals(new double[] {3, 6, 9, 1, 2, 3},
                    b.multiply(new double[] {3, 1}, 2, 1, new double[] {1, 2, 3}, 3), 0, b.name());
        }
        assertArrayEquals(new double[] {4, 5, 10, 11},
                Linalg.multiply(new double[] {1, 2, 3, 4, 5, 6}, 2, 3, new double[] {1, 0, 0, 1, 1, 1}, 2), 0);
        assertArrayEquals(new double[6], Linalg.multiply(new double[0], 2, 0, new double[0], 3), 0);   // empty sums
    }

    @Test
    void multiplyOnNonSquareShapesMatchesATripleLoop() {
        Random random = new Random(7);
        // SparseGPT's lazy update (rows × block)·(block × rest) and thin, wide and vector shapes
        int[][] shapes = {{7, 3, 11}, {1, 64, 5}, {37, 1, 2}, {576, 128, 200}, {200, 128, 1}};
        for (int[] s : shapes) {
            double[] a = gaussian(random, s[0] * s[1]);
            double[] b = gaussian(random, s[1] * s[2]);
            double[] expected = tripleLoop(a, s[0], s[1], b, s[2]);
            for (Backend backend : BACKENDS) {
                double[] got = backend.multiply(a, s[0], s[1], b, s[2]);
                assertTrue(relative(got, expected) <= 1e-13, backend.name() + " " + s[0] + "x" + s[1] + "x" + s[2]
                        + ": relative difference " + relative(got, expected));
            }
        }
    }

    @Test
    void choleskyFactorsAndSolveInverts() {
        for (Backend b : BACKENDS) {
            assertArrayEquals(new double[] {2, 0, 1, Math.sqrt(2)}, b.cholesky(A, 2, true), 1e-15, b.name());
            assertArrayEquals(new double[] {2, 1, 0, Math.sqrt(2)}, b.cholesky(A, 2, false), 1e-15, b.name());
            // A⁻¹ = (1/8) [[3, -2], [-2, 4]]; A X = [[1, 0, 8], [0, 1, 8]] column by column
            assertArrayEquals(new double[] {3 / 8.0, -2 / 8.0, 1, -2 / 8.0, 4 / 8.0, 2},
                    Linalg.solvePositiveDefinite(b, A, new double[] {1, 0, 8, 0, 1, 8}, 2), 1e-14, b.name());
            assertEquals(1 * 4 + 2 * 2 + 3 * 2 + 4 * 3, b.dot(new double[] {1, 2, 3, 4}, A), 0, b.name());
        }
        assertArrayEquals(new double[] {2, 0, 1, Math.sqrt(2)}, Linalg.cholesky(A, 2, true), 1e-15);
    }

    @Test
    void javaAgreesWithNd4jOnRandomPositiveDefiniteMatrices() {
        Backend java = new JavaBackend();
        Backend nd4j = new Nd4jBackend();
        Random random = new Random(11);
        for (int n : new int[] {5, 64, 576}) {
            // A = G Gᵀ / n + 0.01 I: positive definite with condition number in the thousands at n = 576
            double[] g = gaussian(random, n * n);
            double[] a = tripleLoop(g, n, n, transpose(g, n), n);
            for (int i = 0; i < a.length; i++) a[i] /= n;
            for (int i = 0; i < n; i++) a[i * n + i] += 0.01;
            double[] rhs = gaussian(random, n * 3);
            for (boolean lower : new boolean[] {true, false}) {
                double[] lj = java.cholesky(a, n, lower);
                double[] ln = nd4j.cholesky(a, n, lower);
                assertTrue(relative(lj, ln) <= 1e-10, "n = " + n + " lower = " + lower + ": " + relative(lj, ln));
                for (int r = 0; r < n; r++) {
                    for (int c = 0; c < n; c++) {
                        if (lower ? c > r : c < r) assertEquals(0, lj[r * n + c], "n = " + n + " (" + r + ", " + c + ")");
                    }
                }
            }
            double[] xj = Linalg.solvePositiveDefinite(java, a, rhs, n);
            double[] xn = Linalg.solvePositiveDefinite(nd4j, a, rhs, n);
            assertTrue(relative(xj, xn) <= 1e-10, "solve n = " + n + ": " + relative(xj, xn));
            assertTrue(relative(tripleLoop(a, n, n, xj, 3), rhs) <= 1e-10, "residual n = " + n);
            double dj = java.dot(a, g);
            double dn = nd4j.dot(a, g);
            assertTrue(Math.abs(dj - dn) <= 1e-10 * Math.abs(dn), "dot n = " + n + ": " + dj + " vs " + dn);
        }
    }

    @Test
    void notPositiveDefiniteIsAnErrorInBothBackends() {
        for (Backend b : BACKENDS) {
            // eigenvalues 3 and -1; the second pivot is 1 - 2² = -3
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Linalg.solvePositiveDefinite(b, new double[] {1, 2, 2, 1}, new double[] {1, 1}, 2));
            assertTrue(e.getMessage().contains("positive definite"), b.name() + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("pivot") && e.getMessage().contains(" at 1"), b.name() + ": " + e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> b.cholesky(new double[] {0}, 1, false), b.name());
        }
        var j = assertThrows(IllegalArgumentException.class,
                () -> new JavaBackend().cholesky(new double[] {1, 2, 2, 1}, 2, true));
        assertTrue(j.getMessage().contains("pivot -3.0 at 1"), j.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Linalg.multiply(new double[4], 2, 2, new double[3], 1));
        assertTrue(e2.getMessage().contains("2x2"), e2.getMessage());
    }

    @Test
    void thePropertyPicksTheBackend() {
        assertInstanceOf(Nd4jBackend.class, Backend.select(null, true));
        assertInstanceOf(JavaBackend.class, Backend.select(null, false));
        assertInstanceOf(JavaBackend.class, Backend.select(" ", false));
        assertInstanceOf(JavaBackend.class, Backend.select("java", true));
        assertInstanceOf(Nd4jBackend.class, Backend.select("ND4J", true));
        var absent = assertThrows(IllegalStateException.class, () -> Backend.select("nd4j", false));
        assertTrue(absent.getMessage().contains("-Dprunekit.linalg=nd4j") && absent.getMessage().contains("nd4j, java"),
                absent.getMessage());
        var invalid = assertThrows(IllegalStateException.class, () -> Backend.select("blas", true));
        assertTrue(invalid.getMessage().contains("-Dprunekit.linalg=blas: accepted values are nd4j, java"),
                invalid.getMessage());
        assertTrue(Backend.nd4jPresent(LinalgTest.class.getClassLoader()));
    }

    /** Linalg loaded from the same classes but with neither ND4J nor PyTorch visible: java, and no NoClassDefFoundError. */
    @Test
    void withoutNd4jTheJavaBackendFactorsAndSolves() throws Exception {
        assumeTrue(System.getProperty(Backend.PROPERTY) == null, "-Dprunekit.linalg is set JVM-wide");
        URL classes = Linalg.class.getProtectionDomain().getCodeSource().getLocation();
        URL djlApi = NDManager.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader bare = new URLClassLoader(new URL[] {classes, djlApi}, ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> bare.loadClass("org.nd4j.linalg.factory.Nd4j"));
            Class<?> linalg = bare.loadClass(Linalg.class.getName());
            assertTrue(linalg != Linalg.class);
            Method backend = linalg.getDeclaredMethod("backend");
            backend.setAccessible(true);
            assertEquals(JavaBackend.class.getName(), backend.invoke(null).getClass().getName());
            Method cholesky = linalg.getMethod("cholesky", double[].class, int.class, boolean.class);
            assertArrayEquals(new double[] {2, 0, 1, Math.sqrt(2)}, (double[]) cholesky.invoke(null, A, 2, true), 1e-15);
            Method solve = linalg.getMethod("solvePositiveDefinite", double[].class, double[].class, int.class);
            assertArrayEquals(new double[] {3 / 8.0, -2 / 8.0, -2 / 8.0, 4 / 8.0},
                    (double[]) solve.invoke(null, A, new double[] {1, 0, 0, 1}, 2), 1e-14);
            Method dot = linalg.getMethod("dot", double[].class, double[].class);
            assertEquals(26.0, (double) dot.invoke(null, new double[] {1, 2, 3, 4}, A), 0);
        }
    }

    static double[] gaussian(Random random, int size) {
        double[] v = new double[size];
        for (int i = 0; i < size; i++) v[i] = random.nextGaussian();
        return v;
    }

    /** The independent reference: Σ_k A[r,k] B[k,c] in a plain loop. */
    private static double[] tripleLoop(double[] a, int rows, int inner, double[] b, int cols) {
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double s = 0;
                for (int k = 0; k < inner; k++) s += a[r * inner + k] * b[k * cols + c];
                out[r * cols + c] = s;
            }
        }
        return out;
    }

    private static double[] transpose(double[] m, int n) {
        double[] t = new double[n * n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) t[c * n + r] = m[r * n + c];
        }
        return t;
    }

    /** ||x − y|| / ||y||. */
    static double relative(double[] x, double[] y) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < x.length; i++) {
            diff += (x[i] - y[i]) * (x[i] - y[i]);
            norm += y[i] * y[i];
        }
        return Math.sqrt(diff / norm);
    }
}
