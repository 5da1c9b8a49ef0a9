package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.model.LmLoss;
import prunekit.model.TinyModels;
import prunekit.model.Trace;

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

    /**
     * The hazard of {@link prunekit.model.OwnedArrays} in the adapters' path: a number operand such as
     * {@code delta.muli(α / r)} is a one-element blob of Java memory that autograd keeps for the backward
     * pass; once collected, the backward read whatever was written there next. That was the cause of the
     * 1e-3 to 3e-2 differences between two recovery runs of the same steps in one JVM, and of gradient
     * norms of NaN under heavy garbage collection. Here a collection runs between forward and backward and
     * hands the freed memory out again, filled with NaN; the gradients of A and B (B non-zero, dropout on
     * with the same seeded masks) must equal an undisturbed pass bit for bit.
     */
    @Test
    void gradientsSurviveGarbageCollectionBetweenForwardAndBackward() throws InterruptedException {
        try (LlamaModel m = TinyModels.model(false, 6, DataType.FLOAT32);
             LoraAdapters a = LoraAdapters.init(m, new LoraConfig(4, 8, 0.2, LoraConfig.DEFAULT.modules(), 0))) {
            for (var e : a.parameters().entrySet()) {
                if (!e.getKey().endsWith("lora_B")) continue;
                float[] b = new float[(int) e.getValue().size()];
                for (int i = 0; i < b.length; i++) b[i] = (float) (0.05 * Math.sin(i + e.getKey().length()));
                e.getValue().set(b);
            }
            a.setTraining(true);
            Map<String, float[]> reference = gradients(m, a, false);
            for (int run = 0; run < 3; run++) {
                Map<String, float[]> now = gradients(m, a, true);
                for (var e : reference.entrySet()) assertArrayEquals(e.getValue(), now.get(e.getKey()), "run " + run + ": " + e.getKey());
            }
        }
    }

    /** Every adapter gradient after one forward and backward pass, optionally with a collection in between. */
    private static Map<String, float[]> gradients(LlamaModel m, LoraAdapters a, boolean collectGarbage) throws InterruptedException {
        int[][] tokens = {{1, 5, 9, 13, 17, 21, 25, 29, 33, 4}, {1, 6, 7, 8, 30, 31, 32, 3, 12, 11}};
        Map<String, float[]> out = new LinkedHashMap<>();
        Engine.getInstance().setRandomSeed(7);                                  // the same dropout masks every pass
        try (NDManager step = m.manager().newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = LmLoss.meanNll(m.forward(step, tokens, Trace.NONE, a).logits(), tokens);
            List<ByteBuffer> filler = new ArrayList<>();
            if (collectGarbage) {
                System.gc();                                                    // buffers only Java held are freed ...
                Thread.sleep(50);                                               // ... by the cleaner thread ...
                for (int i = 0; i < 20_000; i++) {                              // ... and handed out again
                    filler.add(ByteBuffer.allocateDirect(8).putFloat(0, Float.NaN).putFloat(4, Float.NaN));
                }
            }
            gc.backward(loss);
            filler.clear();
        }
        for (var e : a.parameters().entrySet()) {
            try (NDArray g = e.getValue().getGradient()) {
                out.put(e.getKey(), g.toFloatArray());
                g.subi(g);
            }
        }
        return out;
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
