package prunekit.sparsity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MaskStatsTest {

    // (3, 4): zeros at (0,0) (0,1) (1,1) (2,3)
    private static final float[] W = {0, 0, 1, 2, 3, 0, 4, 5, 6, 7, 8, 0};

    @Test
    void rowColumnAndBlockSparsity() {
        assertArrayEquals(new double[] {0.5, 0.25, 0.25}, MaskStats.rowSparsity(W, 3, 4), 1e-12);
        assertArrayEquals(new double[] {1 / 3.0, 2 / 3.0, 0, 1 / 3.0}, MaskStats.columnSparsity(W, 3, 4), 1e-12);
        // 2x2 blocks: row r goes to block floor(2r/3), so rows {0,1},{2} x cols {0,1},{2,3}
        double[][] b = MaskStats.blockSparsity(W, 3, 4, 2, 2);
        assertArrayEquals(new double[] {0.75, 0.0}, b[0], 1e-12);
        assertArrayEquals(new double[] {0.0, 0.5}, b[1], 1e-12);
        double[][] both = MaskStats.sideBySide(List.of(b, b));
        assertArrayEquals(new double[] {0.75, 0.0, 0.75, 0.0}, both[0], 1e-12);
    }

    @Test
    void overlapAndTies() {
        float[] other = {0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1};
        assertEquals(0.5, MaskStats.overlap(W, other), 1e-12);           // 2 of the 4 zeros of W
        float[] scores = {1, 1, 1, 2, /* row 1 */ 1, 2, 3, 4};               // k = 2 of 4
        MaskStats.Ties t = MaskStats.ties(scores, 2, 4, 0.5);
        assertEquals(3.0, t.distinctPerRow(), 1e-12);                      // {1,2} and {1,2,3,4}
        assertEquals(0.5, t.rowsCutInTie(), 1e-12);                        // row 0 cuts inside the three 1s
        assertEquals(0.75, t.tiedAtCut(), 1e-12);
    }
}
