package prunekit.sparsity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Mask structure against hand-worked masks and against the binomial spread of random masks. */
class MaskStructureTest {

    @Test
    void handWorkedMask() {
        // (4, 4), 8 zeros: column 0 all zero, column 3 none, columns 1 and 2 half; rows 2 zeros each
        float[] w = {
            0, 0, 1, 1,
            0, 1, 0, 1,
            0, 0, 1, 1,
            0, 1, 0, 1};
        MaskStructure m = MaskStructure.of("x", w, 4, 4);
        assertEquals(0.5, m.sparsity(), 1e-12);
        // column sparsity {1, .5, .5, 0}: std sqrt((.25 + 0 + 0 + .25) / 4) = sqrt(.125); random: sqrt(.25 / 4) = .5
        assertEquals(Math.sqrt(0.125) / 0.25, m.columnSpread(), 1e-12);
        assertEquals(0.0, m.rowSpread(), 1e-12);                          // every row at 2 of 4
        assertEquals(0.25, m.prunedColumns(), 1e-12);                     // column 0
        assertEquals(0.25, m.keptColumns(), 1e-12);                       // column 3

        MaskStructure other = new MaskStructure("y", 0.3, 1.0, 2.0, 0.5, 0.75);
        MaskStructure mean = MaskStructure.mean(java.util.List.of(m, other));
        assertEquals("mean of 2", mean.module());
        assertEquals((0.5 + 0.3) / 2, mean.sparsity(), 1e-12);
        assertEquals((Math.sqrt(0.125) / 0.25 + 1.0) / 2, mean.columnSpread(), 1e-12);
        assertEquals(1.0, mean.rowSpread(), 1e-12);
        assertEquals(0.375, mean.prunedColumns(), 1e-12);
        assertEquals(0.5, mean.keptColumns(), 1e-12);
        assertEquals("y: sparsity 0.300, column spread 1.00, row spread 2.00, columns pruned 0.500, kept 0.750", other.toString());
    }

    @Test
    void randomMaskSpreadsAreNearOne() {
        int rows = 400, cols = 300;
        float[] w = new float[rows * cols];
        Random rnd = new Random(7);
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextDouble() < 0.3 ? 0f : 1f;
        MaskStructure m = MaskStructure.of("x", w, rows, cols);
        assertEquals(0.3, m.sparsity(), 0.01);
        // the sample std of n binomial proportions over its expectation: within a few / sqrt(2n) of 1
        assertEquals(1.0, m.columnSpread(), 0.15);
        assertEquals(1.0, m.rowSpread(), 0.15);
        assertEquals(0.0, m.prunedColumns(), 1e-12);
        assertEquals(0.0, m.keptColumns(), 1e-12);
    }
}
