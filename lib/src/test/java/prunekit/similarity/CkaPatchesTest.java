package prunekit.similarity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Patches, means and the merge range of hand-made CKA matrices. */
class CkaPatchesTest {

    /** 6 layers: {0}, {1, 2, 3} (CKA with layer 1: 0.95, 0.91), {4, 5}; everything else 0.5. */
    private static double[][] matrix() {
        double[][] c = new double[6][6];
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 6; j++) c[i][j] = i == j ? 1 : 0.5;
        }
        set(c, 1, 2, 0.95);
        set(c, 1, 3, 0.91);
        set(c, 2, 3, 0.97);
        set(c, 4, 5, 0.92);
        return c;
    }

    private static void set(double[][] c, int i, int j, double v) {
        c[i][j] = v;
        c[j][i] = v;
    }

    @Test
    void patchesGrowWhileTheFirstLayerStaysSimilar() {
        CkaPatches p = CkaPatches.of(matrix(), 0.9);
        assertEquals(3, p.patches().size());
        assertArrayEquals(new int[] {0, 0}, p.patches().get(0));
        assertArrayEquals(new int[] {1, 3}, p.patches().get(1));
        assertArrayEquals(new int[] {4, 5}, p.patches().get(2));
        // at 0.93 layer 3 (0.91 with layer 1) starts its own patch
        assertArrayEquals(new int[] {3, 3}, CkaPatches.of(matrix(), 0.93).patches().get(2));
        assertEquals("mean CKA of layers 1 apart 0.768, 2-4 apart 0.546, 5+ apart 0.500; patches at CKA >= 0.90: 0 | 1-3 | 4-5",
                p.toString());
        // 1 apart: 0.5, 0.95, 0.97, 0.5, 0.92 -> 3.84 / 5
        assertEquals(3.84 / 5, p.near(), 1e-12);
        // 2-4 apart: 9 pairs, one of them (1, 3) at 0.91
        assertEquals((8 * 0.5 + 0.91) / 9, p.mid(), 1e-12);
    }

    @Test
    void mergeRangeStartsAtTheLowestPatchAboveLayerZeroAndKeepsTheLastLayer() {
        assertArrayEquals(new int[] {1, 4}, CkaPatches.of(matrix(), 0.9).mergeRange());
        double[][] c = matrix();
        set(c, 0, 1, 0.99);                  // layer 0 joins the bottom patch: no other patch but 4-5
        set(c, 0, 2, 0.99);
        set(c, 0, 3, 0.99);
        CkaPatches p = CkaPatches.of(c, 0.9);
        assertArrayEquals(new int[] {0, 3}, p.patches().get(0));
        assertArrayEquals(new int[] {1, 4}, p.mergeRange());   // a patch at the last mergeable layer leaves no range
        double[][] none = new double[5][5];
        for (int i = 0; i < 5; i++) none[i][i] = 1;
        assertArrayEquals(new int[] {1, 3}, CkaPatches.of(none, 0.9).mergeRange());
    }
}
