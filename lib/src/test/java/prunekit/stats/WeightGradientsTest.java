package prunekit.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.model.DeepTinyModels;
import prunekit.model.FiniteDifferences;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.model.LmLoss;
import prunekit.model.TensorNames;
import prunekit.model.Trace;
import prunekit.stats.WeightGradients.Norm;

/**
 * The per-sample statistics against separate single-sample backward passes done here, with the
 * norms taken in Java: sqrt(Σ_s (α g_s)²) and Σ_s |α g_s|. The per-sample gradients themselves are
 * spot-checked against central finite differences of each sample's own loss, and the data are shown
 * to tell the right reduction from the plausible wrong ones (the norm of the summed gradient, a mean
 * instead of a sum, α applied after the norm twice or not at all).
 */
class WeightGradientsTest {

    private static final int[][] TOKENS = DeepTinyModels.WINDOWS;
    private static final double ALPHA = 100;

    private static final double TOL = 1e-5;             // relative, on float32 statistics
    private static final double EPS = 1e-6;             // finite-difference step, float64 model

    @TempDir
    Path tmp;

    /** Per-sample gradients of every linear weight, read directly after each sample's own backward. */
    private static Map<String, double[][]> perSampleGradients(LlamaModel model) {
        Map<String, double[][]> out = new LinkedHashMap<>();
        model.setTrainable(true);
        for (int s = 0; s < TOKENS.length; s++) {
            int[][] one = {TOKENS[s]};
            try (NDManager step = model.manager().newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(LmLoss.meanNll(model.forward(step, one, Trace.NONE).logits(), one));
            }
            for (int l = 0; l < model.config().layers(); l++) {
                for (Map.Entry<String, NDArray> e : model.layer(l).linears().entrySet()) {
                    try (NDArray g = e.getValue().getGradient()) {
                        out.computeIfAbsent(TensorNames.key(l, e.getKey()), k -> new double[TOKENS.length][])[s] =
                                g.toDoubleArray();
                        g.subi(g);
                    }
                }
            }
        }
        model.setTrainable(false);
        return out;
    }

    @Test
    void perSampleNormsMatchSeparateBackwardPasses() {
        try (LlamaModel model = DeepTinyModels.model(2, 3, DataType.FLOAT64)) {
            Map<String, double[][]> g = perSampleGradients(model);
            WeightGradients stats = WeightGradients.compute(model, TOKENS, ALPHA);
            assertEquals(2 * 7, g.size());
            for (int l = 0; l < 2; l++) {
                for (String m : LayerWeights.LINEARS) {
                    double[][] gs = g.get(TensorNames.key(l, m));
                    float[] l2 = stats.get(l, m, Norm.L2).data();
                    float[] l1 = stats.get(l, m, Norm.L1).data();
                    double[] wantL2 = new double[l2.length];
                    double[] wantL1 = new double[l1.length];
                    for (int i = 0; i < l2.length; i++) {
                        double sq = 0, abs = 0;
                        for (double[] sample : gs) {
                            sq += (ALPHA * sample[i]) * (ALPHA * sample[i]);
                            abs += Math.abs(ALPHA * sample[i]);
                        }
                        wantL2[i] = Math.sqrt(sq);
                        wantL1[i] = abs;
                    }
                    for (int i = 0; i < l2.length; i++) {
                        assertEquals(wantL2[i], l2[i], TOL * (1 + wantL2[i]), "layers." + l + "." + m + " l2[" + i + "]");
                        assertEquals(wantL1[i], l1[i], TOL * (1 + wantL1[i]), "layers." + l + "." + m + " l1[" + i + "]");
                    }
                    // the tolerance above would catch a wrong reduction: each plausible one differs from
                    // the right one by far more than TOL somewhere in every tensor
                    int n = wantL2.length;
                    double[] normOfSum = new double[n], meanL2 = new double[n], meanL1 = new double[n], noAlpha = new double[n];
                    for (int i = 0; i < n; i++) {
                        double sum = 0;
                        for (double[] sample : gs) sum += sample[i];
                        normOfSum[i] = Math.abs(ALPHA * sum);            // the batch gradient's entry
                        meanL2[i] = wantL2[i] / Math.sqrt(gs.length);
                        meanL1[i] = wantL1[i] / gs.length;
                        noAlpha[i] = wantL2[i] / ALPHA;
                    }
                    String at = "layers." + l + "." + m;
                    assertApart(wantL2, normOfSum, at + ": l2 vs |α Σ_s g_s| (norm of the summed gradient)");
                    assertApart(wantL2, meanL2, at + ": l2 vs sqrt(mean_s (α g_s)²)");
                    assertApart(wantL1, meanL1, at + ": l1 vs mean_s |α g_s|");
                    assertApart(wantL2, noAlpha, at + ": l2 vs sqrt(Σ_s g_s²) (α left out)");
                }
            }
            assertFalse(model.isTrainable(), "trainable state restored");
        }
    }

    /** Per-sample gradients from the backward passes against central differences of each sample's loss. */
    @Test
    void perSampleGradientsMatchFiniteDifferences() {
        try (LlamaModel model = DeepTinyModels.model(2, 3, DataType.FLOAT64)) {
            Map<String, double[][]> g = perSampleGradients(model);
            int checked = 0;
            for (int l = 0; l < 2; l++) {
                for (String m : LayerWeights.LINEARS) {
                    double[][] gs = g.get(TensorNames.key(l, m));
                    for (int idx : new int[] {1, gs[0].length / 2 + 3}) {
                        for (int s = 0; s < TOKENS.length; s++) {
                            double numeric = FiniteDifferences.derivative(model, new int[][] {TOKENS[s]}, l, m, idx, EPS);
                            assertEquals(numeric, gs[s][idx], 1e-7 + 1e-5 * Math.abs(numeric),
                                    "sample " + s + " layers." + l + "." + m + "[" + idx + "]");
                            checked++;
                        }
                    }
                }
            }
            assertEquals(2 * 7 * 2 * TOKENS.length, checked);
        }
    }

    /** {@code want} and a wrong reduction differ by more than 100 × TOL (relative) at some entry. */
    private static void assertApart(double[] want, double[] wrong, String what) {
        double worst = 0;
        for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(wrong[i] - want[i]) / (1 + want[i]));
        assertTrue(worst > 100 * TOL, what + ": at most " + worst + " apart, the comparison could not tell them apart");
    }

    @Test
    void cacheRoundTripAndKeyChecks() throws Exception {
        try (LlamaModel model = DeepTinyModels.model(2, 4, DataType.FLOAT32)) {
            String key = WeightGradients.cacheKey(model, TOKENS, ALPHA);
            StatsCache cache = new StatsCache(tmp.resolve("g"), key);
            WeightGradients computed = WeightGradients.cached(model, TOKENS, ALPHA, cache);
            assertTrue(cache.complete(2) && computed.seconds() > 0);
            WeightGradients memory = WeightGradients.compute(model, TOKENS, ALPHA);
            WeightGradients reread = WeightGradients.cached(model, TOKENS, ALPHA, cache);
            assertEquals(0, reread.seconds(), "second call reads the cache");
            for (int l = 0; l < 2; l++) {
                for (String m : LayerWeights.LINEARS) {
                    for (Norm n : Norm.values()) {
                        assertArrayEquals(memory.get(l, m, n).data(), reread.get(l, m, n).data(), 1e-6f);
                    }
                }
            }
            // another calibration set has another key, so another folder
            int[][] other = {TOKENS[0]};
            assertFalse(WeightGradients.cacheKey(model, other, ALPHA).equals(key));
            // a file with another key: clear error naming it
            StatsCache wrong = new StatsCache(cache.dir(), key.replace("scale=100.0", "scale=1.0"));
            var e = assertThrows(IllegalStateException.class, () -> wrong.read(1));
            assertTrue(e.getMessage().contains(cache.file(1).toString()) && e.getMessage().contains("delete"), e.getMessage());
            // a corrupt file: clear error naming it
            Files.write(cache.file(1), new byte[] {1, 2, 3});
            var e2 = assertThrows(IllegalStateException.class, () -> cache.read(1));
            assertTrue(e2.getMessage().contains(cache.file(1).toString()) && e2.getMessage().contains("corrupt"),
                    e2.getMessage());
        }
    }

    @Test
    void inputNormsAreMeanOverSamplesOfSquaredChannelNorms() {
        try (LlamaModel model = DeepTinyModels.model(1, 5, DataType.FLOAT64)) {
            InputNorms norms = InputNorms.of(model, TOKENS);
            double[] want = new double[24];
            for (int[] w : TOKENS) {
                try (NDManager step = model.manager().newSubManager()) {
                    NDArray x = model.forward(step, new int[][] {w}, Trace.LINEAR_INPUTS).linearInputs()
                            .get("layers.0.down_proj");                           // (1, T, 24)
                    double[] v = x.toDoubleArray();
                    for (int i = 0; i < v.length; i++) want[i % 24] += v[i] * v[i] / TOKENS.length;
                }
            }
            assertArrayEquals(want, norms.scalerRow("layers.0.down_proj"), 1e-10);
        }
    }
}
