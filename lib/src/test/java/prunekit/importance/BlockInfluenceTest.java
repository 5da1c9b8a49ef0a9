package prunekit.importance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
                assertEquals(0.5, bi, 0.5, "BI must lie in [0, 2] and, for random layers, well inside it");
            }
        }
    }
}
