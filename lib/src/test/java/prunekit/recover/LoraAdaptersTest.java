package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.model.TinyModels;

class LoraAdaptersTest {

    @Test
    void zeroBGivesTheBaseWeightsExactly() {
        try (LlamaModel m = TinyModels.model(false, 3, DataType.FLOAT32);
             LoraAdapters a = LoraAdapters.init(m, LoraConfig.DEFAULT);
             NDManager step = m.manager().newSubManager()) {
            assertEquals(2 * 7 * 2, a.parameters().size());
            for (int l = 0; l < m.config().layers(); l++) {
                LayerWeights adapted = a.apply(l, m.layer(l), step);
                for (String module : LayerWeights.ALL) {
                    assertArrayEquals(m.layer(l).all().get(module).toFloatArray(), adapted.all().get(module).toFloatArray(),
                            "layer " + l + " " + module);
                }
            }
        }
    }

    @Test
    void mergeAddsScaledBTimesA() {
        try (LlamaModel m = TinyModels.model(false, 4, DataType.FLOAT32);
             LoraAdapters a = LoraAdapters.init(m, new LoraConfig(2, 6, 0, List.of("q_proj", "down_proj"), 1))) {
            float[] before = m.layer(1).q().toFloatArray();
            NDArray b = a.parameters().get("layers.1.q_proj.lora_B");
            b.set(new float[(int) b.size()]);
            float[] ones = new float[(int) b.size()];
            java.util.Arrays.fill(ones, 1f);
            b.set(ones);                                                        // B = 1: delta row i = 3 · (A's column sums)
            float[] aMat = a.parameters().get("layers.1.q_proj.lora_A").toFloatArray();
            int in = (int) m.layer(1).q().getShape().get(1);
            a.mergeInto(m);
            float[] after = m.layer(1).q().toFloatArray();
            for (int i = 0; i < before.length; i++) {
                int col = i % in;
                double delta = 3 * (aMat[col] + aMat[in + col]);                 // α / r = 3, rank 2
                assertEquals(before[i] + delta, after[i], 1e-5, "q_proj element " + i);
            }
        }
    }

    @Test
    void initIsSeededAndBounded() {
        try (LlamaModel m = TinyModels.model(false, 5, DataType.FLOAT32);
             LoraAdapters a = LoraAdapters.init(m, LoraConfig.DEFAULT);
             LoraAdapters b = LoraAdapters.init(m, LoraConfig.DEFAULT)) {
            float[] x = a.parameters().get("layers.0.up_proj.lora_A").toFloatArray();
            assertArrayEquals(x, b.parameters().get("layers.0.up_proj.lora_A").toFloatArray());
            double bound = 1 / Math.sqrt(m.config().hidden());
            for (float v : x) assertTrue(Math.abs(v) <= bound);
        }
    }

    @Test
    void badConfigsNameTheValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> LoraConfig.DEFAULT.withRank(0));
        assertTrue(e.getMessage().contains("rank must be > 0, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 16, 0, List.of("qkv"), 0));
        assertTrue(e.getMessage().contains("'qkv'") && e.getMessage().contains("q_proj"), e.getMessage());
    }
}
