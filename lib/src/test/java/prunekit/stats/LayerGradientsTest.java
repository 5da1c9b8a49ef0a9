package prunekit.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import prunekit.model.DeepTinyModels;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.model.LmLoss;
import prunekit.model.TensorNames;
import prunekit.model.Trace;
import prunekit.stats.LayerGradients.ModuleStats;

/**
 * Gradient statistics accumulated over micro-batches against one full-batch backward pass read
 * directly (the GradientCheckTest approach; that test checks the backward pass against finite
 * differences), reduced in Java.
 */
class LayerGradientsTest {

    private static final int[][] TOKENS = DeepTinyModels.WINDOWS;

    @Test
    void microBatchedStatisticsMatchAFullBatchBackward() {
        try (LlamaModel model = DeepTinyModels.model(3, 11, DataType.FLOAT64)) {
            Map<String, ModuleStats> expected = reference(model);
            LayerGradients grads = LayerGradients.compute(model, TOKENS, 2);    // micro-batches of 2 and 1
            assertEquals(3 * 9, grads.all().size());
            for (Map.Entry<String, ModuleStats> e : expected.entrySet()) {
                ModuleStats want = e.getValue();
                ModuleStats got = grads.all().get(e.getKey());
                assertEquals(want.sumAbsGrad(), got.sumAbsGrad(), 1e-10 * want.sumAbsGrad(), e.getKey() + " Σ|g|");
                assertEquals(want.sumAbsTaylor(), got.sumAbsTaylor(), 1e-10 * want.sumAbsTaylor(), e.getKey() + " Σ|g·w|");
                assertEquals(want.sumSquaredGrad(), got.sumSquaredGrad(), 1e-10 * want.sumSquaredGrad(), e.getKey() + " Σg²");
                assertEquals(want.sumAbsWeight(), got.sumAbsWeight(), 1e-10 * want.sumAbsWeight(), e.getKey() + " Σ|w|");
                assertEquals(want.count(), got.count(), e.getKey());
            }
            assertFalse(model.isTrainable(), "trainable state restored");
        }
    }

    @Test
    void gradientsAreZeroedBeforeAndAfter() {
        try (LlamaModel model = DeepTinyModels.model(2, 5, DataType.FLOAT64)) {
            LayerGradients first = LayerGradients.compute(model, TOKENS, 1);
            LayerGradients second = LayerGradients.compute(model, TOKENS, 3);
            double a = first.layer(1).sumAbsGrad();
            assertEquals(a, second.layer(1).sumAbsGrad(), 1e-10 * a, "second call must not accumulate the first");
            model.setTrainable(true);                     // gradients are readable only while trainable
            for (LayerWeights w : model.layers()) {
                for (NDArray t : w.all().values()) {
                    try (NDArray g = t.getGradient(); NDArray n = g.abs().sum().toType(DataType.FLOAT64, false)) {
                        assertEquals(0.0, n.getDouble(), 0.0, "gradient left behind");   // released on a GPU: DJL reads float32 zeros
                    }
                }
            }
        }
    }

    /** Σ|g|, Σ|g·w|, Σg², Σ|w| per tensor from one backward pass over the whole batch. */
    private static Map<String, ModuleStats> reference(LlamaModel model) {
        Map<String, ModuleStats> out = new LinkedHashMap<>();
        model.setTrainable(true);
        try (NDManager step = model.manager().newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(LmLoss.meanNll(model.forward(step, TOKENS, Trace.NONE).logits(), TOKENS));
            for (int l = 0; l < model.config().layers(); l++) {
                for (Map.Entry<String, NDArray> e : model.layer(l).all().entrySet()) {
                    double[] w = e.getValue().toDoubleArray();
                    double[] g;
                    try (NDArray grad = e.getValue().getGradient()) {
                        g = grad.toDoubleArray();
                        grad.subi(grad);
                    }
                    double abs = 0, taylor = 0, sq = 0, wabs = 0;
                    for (int i = 0; i < g.length; i++) {
                        abs += Math.abs(g[i]);
                        taylor += Math.abs(g[i] * w[i]);
                        sq += g[i] * g[i];
                        wabs += Math.abs(w[i]);
                    }
                    out.put(TensorNames.key(l, e.getKey()), new ModuleStats(abs, taylor, sq, wabs, g.length));
                }
            }
        }
        model.setTrainable(false);
        return out;
    }
}
