package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.model.DeepTinyModels;
import prunekit.model.LlamaModel;
import prunekit.model.Trace;
import prunekit.prune.ProjectionCompensation;

class TrainableProjectionTest {

    private static final int[][] TOKENS = DeepTinyModels.WINDOWS;

    @TempDir Path dir;

    private static float[] logits(LlamaModel m, TrainableAdapter adapter) {
        try (NDManager step = m.manager().newSubManager()) {
            return m.forward(step, TOKENS, Trace.NONE, adapter).logits().toFloatArray();
        }
    }

    /** D = 0 adds M·0 = 0 to one module's output: the logits are the model's, bit for bit. */
    @Test
    void identityGivesThePrunedModelsLogitsExactly() {
        try (LlamaModel m = DeepTinyModels.model(3, 31, DataType.FLOAT32);
             TrainableProjection p = TrainableProjection.identity(m, 1)) {
            assertArrayEquals(logits(m, null), logits(m, p));
            assertEquals(16 * 16, p.parameterCount());
        }
    }

    /**
     * A random D: the adapter's forward (M + M D) and the merged model's must agree, and the merged
     * down_proj must be Pᵀ W_down, P = I + D, computed here by hand in float64.
     */
    @Test
    void mergedModelComputesWhatTheAdapterDidAndHoldsPTransposeWDown() {
        try (LlamaModel m = DeepTinyModels.model(3, 32, DataType.FLOAT32);
             TrainableProjection p = TrainableProjection.identity(m, 1)) {
            NDArray d = p.parameters().values().iterator().next();
            Random r = new Random(4);
            float[] values = new float[16 * 16];
            for (int i = 0; i < values.length; i++) values[i] = (float) (0.2 * r.nextGaussian());
            d.set(values);
            float[] adapted = logits(m, p);
            float[] down = m.layer(1).down().toFloatArray();                        // (C, I) = (16, 24)
            double[] map = p.map();
            p.mergeInto(m);
            assertArrayEquals(adapted, logits(m, null), 1e-5f);
            float[] merged = m.layer(1).down().toFloatArray();
            for (int i = 0; i < 16; i++) {
                for (int k = 0; k < 24; k++) {
                    double want = 0;                                                // (Pᵀ W_down)[i][k] = Σ_c P[c][i] W[c][k]
                    for (int c = 0; c < 16; c++) want += map[c * 16 + i] * down[c * 24 + k];
                    assertEquals(want, merged[i * 24 + k], 1e-5, "down_proj[" + i + "][" + k + "]");
                }
            }
        }
    }

    /** Starting from the closed form's map (D = P − I), the adapter computes what the closed form's fold does. */
    @Test
    void closedFormStartComputesWhatTheClosedFormFoldDoes() {
        try (LlamaModel original = DeepTinyModels.model(4, 33, DataType.FLOAT32); LlamaModel pruned = original.copy()) {
            pruned.removeLayers(Set.of(2));
            float[] folded;
            ProjectionCompensation.Result closed;
            try (LlamaModel scratch = pruned.copy()) {
                closed = ProjectionCompensation.apply(original, scratch, 1, 2, TOKENS, new ProjectionCompensation.Config(1e-2, 2));
                folded = logits(scratch, null);
            }
            try (TrainableProjection p = TrainableProjection.of(pruned, 1, closed.map(), "closed_form")) {
                assertArrayEquals(folded, logits(pruned, p), 1e-5f);
                assertArrayEquals(closed.map(), p.map(), 1e-6);
            }
        }
    }

    /** A checkpoint holds D, and a resumed run puts it back exactly. */
    @Test
    void recoveryCheckpointsAndRestoresTheMap() throws Exception {
        Recovery.Config config = new Recovery.Config(4, 1, 1, 8, 1e-2, 1, 1.0, new AdamW(0.9, 0.999, 1e-3, 0.01),
                "none", 2, 0);
        var windows = java.util.List.of(TOKENS[0], TOKENS[1], TOKENS[2], TOKENS[0]);
        try (LlamaModel m = DeepTinyModels.model(3, 34, DataType.FLOAT32)) {
            float[] trained;
            try (TrainableProjection p = TrainableProjection.identity(m, 2)) {
                var r = Recovery.train(m, p, config, windows, dir, false, 2);
                assertNull(r.stopped());
                trained = p.parameters().get("layers.2.down_proj.map_delta").toFloatArray();
            }
            Checkpoint saved = Checkpoint.load(dir);
            assertEquals(config.describe(TrainableProjection.identity(m, 2)), saved.settings());
            try (TrainableProjection p = TrainableProjection.identity(m, 2)) {
                Recovery.train(m, p, config, windows, dir, true, 2);             // restores, runs no step
                assertArrayEquals(trained, p.parameters().get("layers.2.down_proj.map_delta").toFloatArray());
            }
        }
    }
}
