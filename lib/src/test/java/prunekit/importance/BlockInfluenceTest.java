package prunekit.importance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;
import prunekit.model.DeepTinyModels;
import prunekit.model.LlamaModel;
import prunekit.model.Trace;

/** Block Influence against cosines computed by hand in Java from the traced hidden states. */
class BlockInfluenceTest {

    private static final int[][] TOKENS = DeepTinyModels.WINDOWS;

    @Test
    void matchesHandComputedCosines() {
        try (LlamaModel model = DeepTinyModels.model(4, 2, DataType.FLOAT64)) {
            int c = model.config().hidden();
            double[] expected = new double[4];
            try (NDManager step = model.manager().newSubManager()) {
                List<double[]> h = model.forward(step, TOKENS, Trace.HIDDEN_STATES).hiddenStates().stream()
                        .map(a -> a.toDoubleArray()).toList();
                int tokens = TOKENS.length * TOKENS[0].length;
                for (int l = 0; l < 4; l++) {
                    double sum = 0;
                    for (int t = 0; t < tokens; t++) {
                        double dot = 0, nIn = 0, nOut = 0;
                        for (int j = 0; j < c; j++) {
                            double a = h.get(l)[t * c + j], b = h.get(l + 1)[t * c + j];
                            dot += a * b;
                            nIn += a * a;
                            nOut += b * b;
                        }
                        sum += dot / Math.sqrt(nIn * nOut);
                    }
                    expected[l] = 1 - sum / tokens;
                }
            }
            double[] got = new BlockInfluence(2).scores(model, TOKENS);   // micro-batches of 2 and 1
            assertArrayEquals(expected, got, 1e-12);
            for (double bi : got) {
                // 1 − mean cosine lies in [0, 2]; a random layer neither passes its input through
                // (BI 0) nor reverses it (BI 2)
                assertTrue(bi > 1e-3 && bi < 2 - 1e-3, "BI must lie inside [0, 2], got " + bi);
            }
        }
    }

    /** A layer whose attention and MLP write nothing passes its input through: BI = 1 − cos(x, x) = 0. */
    @Test
    void aLayerThatWritesNothingScoresZero() {
        try (LlamaModel model = DeepTinyModels.model(3, 2, DataType.FLOAT64)) {
            double[] before = new BlockInfluence(3).scores(model, TOKENS);
            try (NDManager tmp = model.manager().newSubManager()) {
                for (String module : new String[] {"o_proj", "down_proj"}) {
                    model.setTensor(1, module, tmp.zeros(model.layer(1).all().get(module).getShape(), DataType.FLOAT64));
                }
            }
            double[] after = new BlockInfluence(3).scores(model, TOKENS);
            assertEquals(0, after[1], 1e-12, "layer 1 is the identity now");
            assertEquals(before[0], after[0], 1e-12, "layer 0 sees the same input");
            assertTrue(before[1] > 1e-4, "layer 1 did rotate its input before: " + before[1]);
        }
    }
}
