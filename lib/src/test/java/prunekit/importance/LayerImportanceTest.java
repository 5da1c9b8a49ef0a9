package prunekit.importance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Set;
import org.junit.jupiter.api.Test;
import prunekit.eval.ModelScorer;
import prunekit.importance.GradientMagnitude.Normalisation;
import prunekit.importance.GradientMagnitude.Statistic;
import prunekit.model.DeepTinyModels;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.stats.LayerGradients;

/** The simple metrics against hand computations from the weights and independent scorers. */
class LayerImportanceTest {

    private static final int[][] TOKENS = DeepTinyModels.WINDOWS;

    @Test
    void gradientMagnitudeVariantsFollowTheirFormulas() {
        try (LlamaModel model = DeepTinyModels.model(3, 4, DataType.FLOAT64)) {
            LayerGradients g = LayerGradients.compute(model, TOKENS, 3);
            double[] mean = new GradientMagnitude(Statistic.GRADIENT, Normalisation.PARAMETER_MEAN, 1).scores(g);
            double[] taylorSum = new GradientMagnitude(Statistic.TAYLOR, Normalisation.SUM, 1).scores(g);
            double[] moduleMean = new GradientMagnitude(Statistic.GRADIENT_SQUARED, Normalisation.MODULE_MEAN, 1).scores(g);
            long perLayer = model.config().parametersPerLayer();
            for (int l = 0; l < 3; l++) {
                double abs = 0, taylor = 0, modules = 0;
                for (String m : LayerWeights.ALL) {
                    abs += g.get(l, m).sumAbsGrad();
                    taylor += g.get(l, m).sumAbsTaylor();
                    modules += g.get(l, m).sumSquaredGrad() / g.get(l, m).count();
                }
                assertEquals(abs / perLayer, mean[l], 1e-15, "mean |g|, layer " + l);
                assertEquals(taylor, taylorSum[l], 1e-12, "Σ|g·w|, layer " + l);
                assertEquals(modules / 9, moduleMean[l], 1e-15, "module-mean g², layer " + l);
            }
            // the metric computes its own gradients to the same values
            assertArrayEquals(mean, GradientMagnitude.DEFAULT.scores(model, TOKENS), 1e-10 * mean[0]);
        }
    }

    @Test
    void taylorPlusProtectsTheEnds() {
        try (LlamaModel model = DeepTinyModels.model(5, 4, DataType.FLOAT64)) {
            LayerGradients g = LayerGradients.compute(model, TOKENS, 3);
            double[] s = new TaylorPlus(1, 2, 3).scores(g);
            assertEquals(Double.POSITIVE_INFINITY, s[0]);
            assertEquals(Double.POSITIVE_INFINITY, s[3]);
            assertEquals(Double.POSITIVE_INFINITY, s[4]);
            double linears = 0;
            for (String m : LayerWeights.LINEARS) linears += g.get(2, m).sumAbsTaylor();
            assertEquals(linears, s[2], 1e-12);
            assertNotEquals(g.layer(2).sumAbsTaylor(), s[2], "norm gains are not part of Taylor+");
        }
    }

    @Test
    void perplexityCriterionIsThePerplexityWithoutEachLayer() {
        try (LlamaModel model = DeepTinyModels.model(3, 8, DataType.FLOAT32)) {
            double[] s = new PerplexityCriterion(2).scores(model, TOKENS);
            double[] published = new PerplexityCriterion(2, false).scores(model, TOKENS);
            for (int l = 0; l < 3; l++) {
                assertEquals(s[l], published[l], 1e-9 * s[l], "layer " + l + ": prefix reused vs a full pass");
                try (LlamaModel without = model.copy()) {
                    without.removeLayers(Set.of(l));
                    double nll = 0;
                    int n = 0;
                    for (float[] row : new ModelScorer(without).nextTokenLogProbs(TOKENS)) {
                        for (float lp : row) {
                            nll -= lp;
                            n++;
                        }
                    }
                    assertEquals(Math.exp(nll / n), s[l], 1e-5 * s[l], "layer " + l);
                }
            }
            assertEquals(3, model.config().layers(), "the model itself is unchanged");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PerplexityCriterion.meanNllWithout(model, TOKENS, 3, 2));
            assertTrue(e.getMessage().contains("layer 3 outside [0, 3)"), e.getMessage());
        }
    }

    @Test
    void weightMagnitudeIsTheMeanAbsoluteLinearWeight() {
        try (LlamaModel model = DeepTinyModels.model(2, 3, DataType.FLOAT64)) {
            double[] s = new WeightMagnitude().scores(model, TOKENS);
            for (int l = 0; l < 2; l++) {
                double sum = 0;
                long n = 0;
                for (NDArray w : model.layer(l).linears().values()) {
                    for (double v : w.toDoubleArray()) sum += Math.abs(v);
                    n += w.size();
                }
                assertEquals(sum / n, s[l], 1e-12);
            }
        }
    }

    @Test
    void lastLayersAndRandomAreDataFree() {
        try (LlamaModel model = DeepTinyModels.model(4, 3, DataType.FLOAT32)) {
            assertArrayEquals(new double[] {3, 2, 1, 0}, new LastLayers().scores(model, TOKENS));
            double[] a = new RandomImportance(7).scores(model, TOKENS);
            assertArrayEquals(a, new RandomImportance(7).scores(model, TOKENS));
            assertNotEquals(a[0], new RandomImportance(8).scores(model, TOKENS)[0]);
            LayerImportance named = LayerImportance.named("down-norm", (m, cal) -> new double[m.config().layers()]);
            assertEquals("down-norm", named.name());
        }
    }
}
