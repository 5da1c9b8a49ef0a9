package prunekit.sparsity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The two magnitude groupings on hand-made 2×4 weights, against masks worked out by hand: the whole
 * matrix as one comparison group ({@code magnitude}, as the {@code prune_magnitude} of Wanda and
 * GBLM-Pruner) and each output row ({@code magnitude-row}).
 */
class MagnitudeTest {

    /** Row 0 holds the four smallest magnitudes of the matrix, row 1 the four largest. */
    private static final float[] SPLIT = {0.1f, -0.2f, 0.3f, 0.4f, 5, -6, 7, 8};
    /** Six weights tied at magnitude 1. */
    private static final float[] TIES = {1, -1, 1, 1, 1, 1, 2, -2};

    /** The pruned weight (a zeroed negative weight is -0: compared with delta 0, -0 equals 0). */
    private static float[] prune(WeightPruningMethod method, float[] w, SparsityPattern p) {
        return method.prune(new ModuleStats(0, "q_proj", w, 2, 4, null, null), p);
    }

    @Test
    void wholeMatrixAndPerRowChooseDifferentWeights() {
        SparsityPattern half = SparsityPattern.unstructured(0.5);
        // whole matrix: the 4 smallest of 8 are all in row 0
        assertArrayEquals(new float[] {0, 0, 0, 0, 5, -6, 7, 8}, prune(new Magnitude(), SPLIT, half), 0f);
        // per row: the 2 smallest of each row
        assertArrayEquals(new float[] {0, 0, 0.3f, 0.4f, 0, 0, 7, 8}, prune(new RowMagnitude(), SPLIT, half), 0f);
    }

    @Test
    void tiesGoByIndexAndTheCountIsExact() {
        SparsityPattern quarter = SparsityPattern.unstructured(0.25);
        // floor(8 · 0.25) = 2 of the six tied weights, the first two in row-major order (the official
        // `|W| <= threshold` would zero all six)
        assertArrayEquals(new float[] {0, 0, 1, 1, 1, 1, 2, -2}, prune(new Magnitude(), TIES, quarter), 0f);
        // floor(4 · 0.25) = 1 per row, the first column of the tie
        assertArrayEquals(new float[] {0, -1, 1, 1, 0, 1, 2, -2}, prune(new RowMagnitude(), TIES, quarter), 0f);
    }

    @Test
    void nmGroupsLieInARowForBoth() {
        float[] expected = {0, 0, 0.3f, 0.4f, 0, 0, 7, 8};                 // 2 of each group of 4
        assertArrayEquals(expected, prune(new Magnitude(), SPLIT, SparsityPattern.nm(2, 4)), 0f);
        assertArrayEquals(expected, prune(new RowMagnitude(), SPLIT, SparsityPattern.nm(2, 4)), 0f);
    }

    @Test
    void theDefaultNameIsThePapersGrouping() {
        assertEquals(Magnitude.class, WeightMethods.byName("magnitude").getClass());
        assertEquals("magnitude", WeightMethods.byName("magnitude").name());
        assertEquals(RowMagnitude.class, WeightMethods.byName("magnitude-row").getClass());
        assertEquals("magnitude-row", WeightMethods.byName("magnitude-row").name());
    }
}
