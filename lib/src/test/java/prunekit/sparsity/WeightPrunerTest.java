package prunekit.sparsity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import prunekit.model.DeepTinyModels;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.model.Trace;
import prunekit.stats.InputNorms;
import prunekit.stats.WeightGradients;

class WeightPrunerTest {

    private static final int[][] TOKENS = DeepTinyModels.WINDOWS;

    @Test
    void embedThenLayerByLayerEqualsTheFullForward() {
        try (LlamaModel model = DeepTinyModels.model(3, 1, DataType.FLOAT64);
                NDManager step = model.manager().newSubManager()) {
            var full = model.forward(step, TOKENS, Trace.HIDDEN_STATES);
            NDArray x = model.embed(step, TOKENS);
            for (int l = 0; l < 3; l++) {
                Map<String, NDArray> in = new LinkedHashMap<>();
                x = model.forwardLayer(step, l, x, in);
                assertEquals(7, in.size());
                assertArrayEquals(full.hiddenStates().get(l + 1).toDoubleArray(), x.toDoubleArray(), 1e-12, "layer " + l);
            }
        }
    }

    @Test
    void everyRowOfEveryLinearHasTheRequestedSparsity() {
        try (LlamaModel model = DeepTinyModels.model(2, 2, DataType.FLOAT32)) {
            WeightGradients grads = WeightGradients.compute(model, TOKENS, 100);
            for (WeightImportance metric : new WeightImportance[] {new RowMagnitude(), new Wanda(), Gblm.DEFAULT}) {
                var r = WeightPruner.prune(model, metric, grads, TOKENS, WeightPruner.Config.of(SparsityPattern.unstructured(0.5)));
                try (LlamaModel pruned = r.model()) {
                    for (LayerWeights lw : pruned.layers()) {
                        for (NDArray w : lw.linears().values()) {
                            int rows = (int) w.getShape().get(0), cols = (int) w.getShape().get(1);
                            float[] v = w.toFloatArray();
                            for (int row = 0; row < rows; row++) {
                                int zeros = 0;
                                for (int c = 0; c < cols; c++) if (v[row * cols + c] == 0f) zeros++;
                                assertEquals(cols / 2, zeros, metric.name() + " row " + row);
                            }
                        }
                    }
                    assertEquals(0.5, r.overallSparsity(), 1e-12);
                }
            }
            assertEquals(0.0, WeightPruner.sparsity(model), "the input model stays dense");
        }
    }

    @Test
    void magnitudeZeroesTheSmallestHalfOfEveryMatrix() {
        try (LlamaModel model = DeepTinyModels.model(2, 2, DataType.FLOAT32)) {
            var r = WeightPruner.prune(model, new Magnitude(), null, null, WeightPruner.Config.of(SparsityPattern.unstructured(0.5)));
            try (LlamaModel pruned = r.model()) {
                boolean rowsDiffer = false;
                for (int l = 0; l < 2; l++) {
                    for (var e : pruned.layer(l).linears().entrySet()) {
                        float[] dense = model.layer(l).linears().get(e.getKey()).toFloatArray();
                        float[] v = e.getValue().toFloatArray();
                        int cols = (int) e.getValue().getShape().get(1);
                        // half the matrix is zero, and no weight kept is smaller than a weight zeroed
                        double largestZeroed = 0, smallestKept = Double.MAX_VALUE;
                        int zeros = 0;
                        for (int i = 0; i < v.length; i++) {
                            if (v[i] == 0f) {
                                zeros++;
                                largestZeroed = Math.max(largestZeroed, Math.abs(dense[i]));
                            } else {
                                assertEquals(dense[i], v[i], "kept weights are unchanged");
                                smallestKept = Math.min(smallestKept, Math.abs(dense[i]));
                            }
                        }
                        assertEquals(v.length / 2, zeros, e.getKey());
                        assertTrue(largestZeroed <= smallestKept, e.getKey() + ": " + largestZeroed + " > " + smallestKept);
                        int firstRowZeros = 0;
                        for (int c = 0; c < cols; c++) if (v[c] == 0f) firstRowZeros++;
                        rowsDiffer |= firstRowZeros != cols / 2;
                    }
                }
                assertTrue(rowsDiffer, "one group per matrix: rows need not be half zero");
                assertEquals(0.5, r.overallSparsity(), 1e-12);
            }
        }
    }

    @Test
    void nmPatternsHoldForMetricsAndSparseGpt() {
        try (LlamaModel model = DeepTinyModels.model(1, 3, DataType.FLOAT32)) {
            for (int[] nm : new int[][] {{2, 4}, {4, 8}}) {
                SparsityPattern p = SparsityPattern.nm(nm[0], nm[1]);
                for (var r : new WeightPruner.Result[] {
                        WeightPruner.prune(model, new Wanda(), null, TOKENS, WeightPruner.Config.of(p)),
                        WeightPruner.prune(model, new SparseGpt(8, 0.01), null, TOKENS, WeightPruner.Config.of(p))}) {
                    try (LlamaModel pruned = r.model()) {
                        for (LayerWeights lw : pruned.layers()) {
                            for (NDArray w : lw.linears().values()) {
                                int cols = (int) w.getShape().get(1);
                                float[] v = w.toFloatArray();
                                for (int g = 0; g < v.length; g += nm[1]) {
                                    int zeros = 0;
                                    for (int j = g; j < g + nm[1]; j++) if (v[j] == 0f) zeros++;
                                    assertEquals(nm[0], zeros, r.method() + " " + p.label() + " group at " + g
                                            + " (row " + g / cols + ")");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void activationsFlowThroughTheAlreadyPrunedLayers() {
        try (LlamaModel model = DeepTinyModels.model(2, 4, DataType.FLOAT32)) {
            Map<String, double[]> seen = new LinkedHashMap<>();
            WeightImportance recording = WeightImportance.named("recording", s -> {
                seen.put("layers." + s.layer() + "." + s.module(), s.scalerRow());
                return new Wanda().scores(s);
            }, true, false);
            var r = WeightPruner.prune(model, recording, null, TOKENS, WeightPruner.Config.of(SparsityPattern.unstructured(0.5)));
            try (LlamaModel pruned = r.model()) {
                // layer 1's q_proj input depends on layer 0 only: the pruned model's input, not the dense one's
                double[] afterPruned = InputNorms.of(pruned, TOKENS).scalerRow("layers.1.q_proj");
                double[] dense = InputNorms.of(model, TOKENS).scalerRow("layers.1.q_proj");
                assertArrayEquals(afterPruned, seen.get("layers.1.q_proj"), 1e-4 * afterPruned[0]);
                assertFalse(java.util.Arrays.equals(dense, seen.get("layers.1.q_proj")));
                // layer 0 sees the embeddings, as in the dense model
                assertArrayEquals(InputNorms.of(model, TOKENS).scalerRow("layers.0.q_proj"), seen.get("layers.0.q_proj"), 1e-6);
            }
        }
    }

    @Test
    void badConfigurationsGiveClearErrors() {
        try (LlamaModel model = DeepTinyModels.model(1, 5, DataType.FLOAT32)) {
            var e = assertThrows(IllegalArgumentException.class, () -> WeightPruner.prune(model, new Wanda(), null, TOKENS,
                    WeightPruner.Config.of(SparsityPattern.nm(2, 5))));
            assertTrue(e.getMessage().contains("M = 5") && e.getMessage().contains("16"), e.getMessage());
            var e2 = assertThrows(IllegalArgumentException.class, () -> WeightPruner.prune(model, Gblm.DEFAULT, null, TOKENS,
                    WeightPruner.Config.of(SparsityPattern.unstructured(0.5))));
            assertTrue(e2.getMessage().contains("gradient statistics"), e2.getMessage());
        }
    }
}
