package prunekit.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** ND4J's float64 path against hand computations. */
class LinalgTest {

    // A = [[4, 2], [2, 3]] = L Lᵀ with L = [[2, 0], [1, √2]]
    private static final double[] A = {4, 2, 2, 3};

    @Test
    void multiplyIsTheRowMajorProduct() {
        // [[1, 2, 3], [4, 5, 6]] · [[1, 0], [0, 1], [1, 1]] = [[4, 5], [10, 11]]
        assertArrayEquals(new double[] {4, 5, 10, 11},
                Linalg.multiply(new double[] {1, 2, 3, 4, 5, 6}, 2, 3, new double[] {1, 0, 0, 1, 1, 1}, 2), 0);
        // an outer product: (2, 1) · (1, 3)
        assertArrayEquals(new double[] {3, 6, 9, 1, 2, 3},
                Linalg.multiply(new double[] {3, 1}, 2, 1, new double[] {1, 2, 3}, 3), 0);
    }

    @Test
    void choleskyFactorsAndSolveInverts() {
        assertArrayEquals(new double[] {2, 0, 1, Math.sqrt(2)}, Linalg.cholesky(A, 2, true), 1e-15);
        assertArrayEquals(new double[] {2, 1, 0, Math.sqrt(2)}, Linalg.cholesky(A, 2, false), 1e-15);
        // A⁻¹ = (1/8) [[3, -2], [-2, 4]]; A X = [[1, 0, 8], [0, 1, 8]] column by column
        assertArrayEquals(new double[] {3 / 8.0, -2 / 8.0, 1, -2 / 8.0, 4 / 8.0, 2},
                Linalg.solvePositiveDefinite(A, new double[] {1, 0, 8, 0, 1, 8}, 2), 1e-14);
        assertEquals(1 * 4 + 2 * 2 + 3 * 2 + 4 * 3, Linalg.dot(new double[] {1, 2, 3, 4}, A), 0);
    }

    @Test
    void notPositiveDefiniteIsAnError() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Linalg.solvePositiveDefinite(new double[] {1, 2, 2, 1}, new double[] {1, 1}, 2));
        assertTrue(e.getMessage().contains("positive definite"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Linalg.multiply(new double[4], 2, 2, new double[3], 1));
        assertTrue(e2.getMessage().contains("2x2"), e2.getMessage());
    }
}
