package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Random;
import org.junit.jupiter.api.Test;
import prunekit.model.DeepTinyModels;
import prunekit.model.LlamaModel;
import prunekit.model.Trace;

/** A training step through the kept prefix against the same step through the whole model. */
class FrozenPrefixTest {

    private static int[][] windows(int n, int t, long seed) {
        Random r = new Random(seed);
        int[][] out = new int[n][t];
        for (int[] w : out) for (int i = 0; i < t; i++) w[i] = 1 + r.nextInt(40);
        return out;
    }

    @Test
    void theUpperLayersOnTheKeptStreamGiveTheWholePassAndItsGradient() {
        int[][] calibration = windows(6, 10, 3);
        try (LlamaModel model = DeepTinyModels.model(4, 7, DataType.FLOAT32);
             FrozenPrefix prefix = new FrozenPrefix(model, 2, calibration, 4);          // kept in batches of 4 and 2
             TrainableProjection a = TrainableProjection.identity(model, 2);
             TrainableProjection b = TrainableProjection.identity(model, 2)) {
            int[][] batch = {calibration[5], calibration[0], calibration[3], calibration[1]};   // other batches than the prefix's
            try (NDManager step = model.manager().newSubManager()) {
                float[] whole = model.forward(step, batch, Trace.FINAL_HIDDEN_ONLY, a).finalHidden().toFloatArray();
                float[] upper = prefix.forward().finalHidden(model, step, batch, a).toFloatArray();
                double worst = 0;
                for (int i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - upper[i]));
                assertEquals(0, worst, 1e-5);
            }
            var state = new AdamW.State();
            AdamW adam = new AdamW(0.9, 0.999, 1e-3, 0.01);
            var viaWhole = TrainingStep.run(model, TrainingStep.WHOLE_MODEL, a, batch, 2, 1.0, adam, state, 1e-2);
            var viaPrefix = TrainingStep.run(model, prefix.forward(), b, batch, 2, 1.0, adam, new AdamW.State(), 1e-2);
            assertEquals(viaWhole.loss(), viaPrefix.loss(), 1e-6);
            assertEquals(viaWhole.gradientNorm(), viaPrefix.gradientNorm(), 1e-6 * Math.max(1, viaWhole.gradientNorm()));
            NDArray da = a.parameters().values().iterator().next(), db = b.parameters().values().iterator().next();
            float[] x = da.toFloatArray(), y = db.toFloatArray();
            for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-6, "the same update");
        }
    }

    @Test
    void aWindowItWasNotComputedForIsAnError() {
        int[][] calibration = windows(2, 8, 4);
        try (LlamaModel model = DeepTinyModels.model(3, 8, DataType.FLOAT32);
             FrozenPrefix prefix = new FrozenPrefix(model, 1, calibration, 2);
             NDManager step = model.manager().newSubManager()) {
            int[][] copy = {calibration[0].clone()};                                    // equal ids, another array
            var e = assertThrows(IllegalArgumentException.class, () -> prefix.stack(step, copy));
            assertEquals("a window of 8 tokens that this prefix was not computed for", e.getMessage());
        }
    }
}
