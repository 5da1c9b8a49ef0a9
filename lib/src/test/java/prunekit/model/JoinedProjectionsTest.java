package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The GPU's joined projections (q, k, v as one product, gate and up as one, for passes of at least
 * {@link LlamaForward#FUSED_MIN_ROWS} rows) against the separate products, run on the CPU: the same loss, the
 * same gradient for every weight, and the same linear inputs recorded, in float64.
 */
class JoinedProjectionsTest {

    @Test
    void joinedProjectionsGiveTheSeparateProductsLossAndGradients() {
        int t = 16;
        int[][] tokens = new int[(int) (LlamaForward.FUSED_MIN_ROWS / t)][t];       // exactly the fewest rows joined
        Random r = new Random(3);
        for (int[] row : tokens) {
            for (int i = 0; i < t; i++) row[i] = 1 + r.nextInt(TinyModels.VOCAB - 1);
        }
        try (LlamaModel model = TinyModels.model(false, 7, DataType.FLOAT64)) {
            Map<String, double[]> separate = lossAndGradients(model, new LlamaForward(model, false), tokens);
            Map<String, double[]> joined = lossAndGradients(model, new LlamaForward(model, true), tokens);
            assertEquals(separate.keySet(), joined.keySet());
            for (String key : separate.keySet()) {
                double[] a = separate.get(key);
                double[] b = joined.get(key);
                assertEquals(a.length, b.length, key);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], 1e-12 * Math.max(1, Math.abs(a[i])), key + "[" + i + "]");
                }
            }
        }
    }

    /** The mean next-token loss ("loss"), every decoder weight's gradient and every recorded linear input. */
    private static Map<String, double[]> lossAndGradients(LlamaModel model, LlamaForward forward, int[][] tokens) {
        Map<String, double[]> out = new LinkedHashMap<>();
        model.setTrainable(true);
        try (NDManager step = model.manager().newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            ForwardResult result = forward.forward(step, tokens, Trace.LINEAR_INPUTS);
            NDArray loss = LmLoss.meanNll(result.logits(), tokens);
            gc.backward(loss);
            out.put("loss", loss.toDoubleArray());
            result.linearInputs().forEach((key, x) -> out.put("input " + key, x.toDoubleArray()));
            for (int l = 0; l < model.config().layers(); l++) {
                for (Map.Entry<String, NDArray> e : model.layer(l).all().entrySet()) {
                    try (NDArray g = e.getValue().getGradient()) {
                        out.put(l + "." + e.getKey(), g.toDoubleArray());
                    }
                }
            }
        } finally {
            model.zeroGradients();
            model.setTrainable(false);
        }
        return out;
    }
}
