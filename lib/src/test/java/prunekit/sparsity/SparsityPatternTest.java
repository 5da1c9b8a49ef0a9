package prunekit.sparsity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SparsityPatternTest {

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    @Test
    void everyRowHasExactlyTheRequestedSparsity() {
        int rows = 7, cols = 40;
        float[] scores = random(rows * cols, 1);
        for (double s : new double[] {0.0, 0.1, 0.5, 0.55, 0.7, 0.99}) {
            float[] mask = SparsityPattern.unstructured(s).mask(scores, rows, cols);
            int expected = (int) Math.floor(cols * s);
            for (int r = 0; r < rows; r++) {
                int zeros = 0;
                float kept = Float.POSITIVE_INFINITY, prunedMax = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < cols; c++) {
                    float v = scores[r * cols + c];
                    if (mask[r * cols + c] == 0f) {
                        zeros++;
                        prunedMax = Math.max(prunedMax, v);
                    } else {
                        kept = Math.min(kept, v);
                    }
                }
                assertEquals(expected, zeros, "row " + r + " at sparsity " + s);
                assertTrue(prunedMax <= kept, "the lowest scores are the ones pruned (row " + r + ")");
            }
        }
    }

    @Test
    void nmPatternHoldsInEveryGroup() {
        int rows = 5, cols = 32;
        float[] scores = random(rows * cols, 2);
        for (int[] nm : new int[][] {{2, 4}, {4, 8}, {1, 4}}) {
            float[] mask = SparsityPattern.nm(nm[0], nm[1]).mask(scores, rows, cols);
            for (int r = 0; r < rows; r++) {
                for (int g = 0; g < cols; g += nm[1]) {
                    int zeros = 0;
                    float prunedMax = Float.NEGATIVE_INFINITY, keptMin = Float.POSITIVE_INFINITY;
                    for (int j = g; j < g + nm[1]; j++) {
                        if (mask[r * cols + j] == 0f) {
                            zeros++;
                            prunedMax = Math.max(prunedMax, scores[r * cols + j]);
                        } else {
                            keptMin = Math.min(keptMin, scores[r * cols + j]);
                        }
                    }
                    assertEquals(nm[0], zeros, nm[0] + ":" + nm[1] + " row " + r + " group " + g);
                    assertTrue(prunedMax <= keptMin);
                }
            }
        }
    }

    @Test
    void tiesGoToTheLowerColumnAndNegativeScoresSortBelowPositive() {
        float[] scores = {1, 1, 1, 1, 0.5f, 2};                   // one row of 6: ties at 1
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 1}, SparsityPattern.unstructured(0.5).mask(scores, 1, 6));
        float[] signed = {-1, 3, -2, 0, -0.0f, 1};
        assertArrayEquals(new float[] {0, 1, 0, 0, 1, 1}, SparsityPattern.unstructured(0.5).mask(signed, 1, 6));
    }

    @Test
    void badInputsNameTheValueAndWhatIsAccepted() {
        var e1 = assertThrows(IllegalArgumentException.class, () -> SparsityPattern.unstructured(1.0));
        assertTrue(e1.getMessage().contains("1.0") && e1.getMessage().contains("[0, 1)"), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> SparsityPattern.unstructured(-0.1));
        assertTrue(e2.getMessage().contains("-0.1"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> SparsityPattern.nm(4, 4));
        assertTrue(e3.getMessage().contains("4:4") && e3.getMessage().contains("1 <= N < M"), e3.getMessage());
        var e4 = assertThrows(IllegalArgumentException.class,
                () -> SparsityPattern.nm(2, 8).mask(new float[12], 1, 12));
        assertTrue(e4.getMessage().contains("12") && e4.getMessage().contains("M = 8"), e4.getMessage());
        var e5 = assertThrows(IllegalArgumentException.class, () -> SparsityPattern.parseNm("2-4"));
        assertTrue(e5.getMessage().contains("'2-4'"), e5.getMessage());
        var e6 = assertThrows(IllegalArgumentException.class,
                () -> SparsityPattern.unstructured(0.5).mask(new float[] {1, Float.NaN}, 1, 2));
        assertTrue(e6.getMessage().contains("NaN"), e6.getMessage());
    }
}
