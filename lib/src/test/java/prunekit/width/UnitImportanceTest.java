package prunekit.width;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import prunekit.model.LlamaModel;
import prunekit.model.LmLoss;
import prunekit.model.TensorNames;
import prunekit.model.Trace;

/**
 * The three unit scores against Java loops over the weights and the gradient of one full-batch
 * backward pass read directly (WidthScores runs micro-batches of 4 through its own code path), with
 * each unit's rows and columns located by hand: key/value group j owns q rows [8j, 8j+8), k and v
 * rows [4j, 4j+4), o columns [8j, 8j+8); channel i owns gate and up row i and down column i.
 */
class UnitImportanceTest {

    private static final int[][] TOKENS = {
        {1, 5, 9, 13, 22, 7, 31, 3}, {1, 8, 8, 30, 2, 17, 4, 11}, {1, 39, 12, 6, 6, 25, 19, 33},
        {1, 4, 14, 24, 34, 10, 20, 30}, {1, 7, 3, 27, 36, 16, 9, 21}};

    @Test
    void scoresMatchLoopsOverWeightsAndGradients() {
        try (LlamaModel m = WidthPrunerTest.model(9)) {
            Map<String, double[]> w = new HashMap<>();
            Map<String, double[]> g = new HashMap<>();
            fullBatchGradients(m, w, g);
            assertFalse(m.isTrainable());
            for (String name : new String[] {"taylor", "taylor-element", "magnitude"}) {
                WidthScores s = WidthScores.compute(m, TOKENS, UnitImportance.of(name));
                assertEquals(name, s.importance());
                for (int l = 0; l < 2; l++) {
                    for (int j = 0; j < 3; j++) {
                        double want = rows(name, w, g, l, "q_proj", 16, 8 * j, 8) + rows(name, w, g, l, "k_proj", 16, 4 * j, 4)
                                + rows(name, w, g, l, "v_proj", 16, 4 * j, 4) + cols(name, w, g, l, "o_proj", 24, 8 * j, 8);
                        assertEquals(want, s.of(WidthStructure.KV_GROUPS, l)[j], 1e-5 * want, name + " layer " + l + " group " + j);
                    }
                    for (int i = 0; i < 24; i++) {
                        double want = rows(name, w, g, l, "gate_proj", 16, i, 1) + rows(name, w, g, l, "up_proj", 16, i, 1)
                                + cols(name, w, g, l, "down_proj", 24, i, 1);
                        assertEquals(want, s.of(WidthStructure.CHANNELS, l)[i], 1e-5 * want, name + " layer " + l + " channel " + i);
                    }
                }
                assertEquals(name.equals("magnitude"), Double.isNaN(s.loss()), name + ": a loss exactly when gradients were used");
            }
        }
    }

    /** The score's sum over rows [from, from+n) of a matrix with {@code cols} columns. */
    private static double rows(String name, Map<String, double[]> w, Map<String, double[]> g, int l, String module,
            int cols, int from, int n) {
        double[] a = w.get(TensorNames.key(l, module));
        double[] b = g.get(TensorNames.key(l, module));
        double total = 0;
        for (int r = from; r < from + n; r++) {
            double dot = 0;
            for (int c = 0; c < cols; c++) {
                total += entry(name, a[r * cols + c], b[r * cols + c]);
                dot += a[r * cols + c] * b[r * cols + c];
            }
            total += name.equals("taylor") ? Math.abs(dot) : 0;
        }
        return total;
    }

    /** The score's sum over columns [from, from+n) of a matrix with {@code cols} columns. */
    private static double cols(String name, Map<String, double[]> w, Map<String, double[]> g, int l, String module,
            int cols, int from, int n) {
        double[] a = w.get(TensorNames.key(l, module));
        double[] b = g.get(TensorNames.key(l, module));
        int rowCount = a.length / cols;
        double total = 0;
        for (int c = from; c < from + n; c++) {
            double dot = 0;
            for (int r = 0; r < rowCount; r++) {
                total += entry(name, a[r * cols + c], b[r * cols + c]);
                dot += a[r * cols + c] * b[r * cols + c];
            }
            total += name.equals("taylor") ? Math.abs(dot) : 0;
        }
        return total;
    }

    /** Per-entry terms: |w·g| (element-wise), w² (magnitude); the vector-wise score has none. */
    private static double entry(String name, double w, double g) {
        switch (name) {
            case "taylor-element": return Math.abs(w * g);
            case "magnitude": return w * w;
            default: return 0;
        }
    }

    /** Weights and gradients of the batch-mean loss over all of TOKENS, from one backward pass. */
    private static void fullBatchGradients(LlamaModel m, Map<String, double[]> w, Map<String, double[]> g) {
        m.setTrainable(true);
        try (NDManager step = m.manager().newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(LmLoss.meanNll(m.forward(step, TOKENS, Trace.NONE).logits(), TOKENS));
            for (int l = 0; l < 2; l++) {
                for (Map.Entry<String, NDArray> e : m.layer(l).linears().entrySet()) {
                    String key = TensorNames.key(l, e.getKey());
                    w.put(key, toDouble(e.getValue().toFloatArray()));
                    try (NDArray grad = e.getValue().getGradient()) {
                        g.put(key, toDouble(grad.toFloatArray()));
                    }
                }
            }
        } finally {
            m.zeroGradients();
            m.setTrainable(false);
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
