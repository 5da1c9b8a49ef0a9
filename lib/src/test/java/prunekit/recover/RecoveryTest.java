package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.model.TinyModels;

class RecoveryTest {

    @TempDir Path dir;

    /**
     * 8 steps of 2 windows of 12 tokens, micro-batches of 1, lr 1e-2, a checkpoint every 4 steps, AdamW at
     * torch's defaults (ε 1e-8: a last-bit difference in a near-zero gradient would turn into a visible step,
     * so two runs agree only if every step computes the same bits).
     */
    private static final Recovery.Config TINY = new Recovery.Config(8, 2, 1, 12, 1e-2, 2, 1.0, AdamW.DEFAULT, "none", 4, 0);

    private static List<int[]> windows(int n, int length) {
        Random r = new Random(9);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] w = new int[length];
            w[0] = 1;
            for (int t = 1; t < length; t++) w[t] = 3 + (t % 4 == 0 ? r.nextInt(37) : (w[t - 1] + 1 - 3) % 37);
            out.add(w);
        }
        return out;
    }

    @Test
    void trainingLowersTheLossOnItsData() {
        try (LlamaModel m = TinyModels.model(false, 21, DataType.FLOAT32);
             LoraAdapters a = LoraAdapters.init(m, LoraConfig.DEFAULT)) {
            var r = Recovery.train(m, a, TINY.withSteps(8), windows(16, 12), dir, false, 8);
            assertNull(r.stopped());
            assertEquals(8, r.losses().size());
            assertTrue(r.losses().get(7) < r.losses().get(0) - 0.02, "loss " + r.losses());
            assertTrue(Files.isRegularFile(dir.resolve(Checkpoint.FILE)));
        }
    }

    /**
     * A run killed after step 5 (its checkpoint: step 4) and resumed ends bit for bit where an uninterrupted
     * run of the same 8 steps ends: the same losses, the same adapters. Once parted by 1e-3 to 3e-2: the
     * adapters' scaling was a number operand that autograd kept after Java freed it (see
     * LoraAdaptersTest#gradientsSurviveGarbageCollectionBetweenForwardAndBackward).
     */
    @Test
    void aResumedRunEndsBitForBitWhereAnUninterruptedOneDoes() throws Exception {
        assertResumeEqualsUninterrupted(LoraConfig.DEFAULT, 22);
    }

    @Test
    void withDropoutTooTheResumedRunEndsWhereTheUninterruptedOneDoes() throws Exception {
        assertResumeEqualsUninterrupted(new LoraConfig(8, 16, 0.1, LoraConfig.DEFAULT.modules(), 0), 26);
    }

    private void assertResumeEqualsUninterrupted(LoraConfig lora, long modelSeed) throws Exception {
        List<int[]> data = windows(16, 12);
        List<Double> straightLosses;
        Map<String, float[]> straightAdapters = new LinkedHashMap<>();
        try (LlamaModel m = TinyModels.model(false, modelSeed, DataType.FLOAT32); LoraAdapters a = LoraAdapters.init(m, lora)) {
            straightLosses = Recovery.train(m, a, TINY, data, dir.resolve("straight"), false, 8).losses();
            a.parameters().forEach((name, p) -> straightAdapters.put(name, p.toFloatArray()));
        }
        Path run = dir.resolve("interrupted");
        try (LlamaModel m = TinyModels.model(false, modelSeed, DataType.FLOAT32); LoraAdapters a = LoraAdapters.init(m, lora)) {
            Recovery.train(m, a, TINY, data, run, false, 5);                  // killed after step 5: checkpoint of step 4
        }
        Checkpoint saved = Checkpoint.load(run);
        assertEquals(4, saved.step());
        try (LlamaModel m = TinyModels.model(false, modelSeed, DataType.FLOAT32); LoraAdapters a = LoraAdapters.init(m, lora)) {
            // 1. the adapters come back exactly as saved, and no step runs before the checkpoint's
            var none = Recovery.train(m, a, TINY, data, run, true, 4);
            assertEquals(saved.losses(), none.losses());
            for (var e : a.parameters().entrySet()) {
                assertArrayEquals(saved.tensors().get(e.getKey()).data(), e.getValue().toFloatArray(), e.getKey());
            }
            // 2. the run goes on from step 5 and ends where the uninterrupted one ended, bit for bit
            var resumed = Recovery.train(m, a, TINY, data, run, true, 8);
            assertEquals(straightLosses, resumed.losses());
            for (var e : a.parameters().entrySet()) {
                assertArrayEquals(straightAdapters.get(e.getKey()), e.getValue().toFloatArray(), e.getKey());
            }
        }
    }

    @Test
    void resumingWithOtherSettingsIsRefused() {
        List<int[]> data = windows(16, 12);
        try (LlamaModel m = TinyModels.model(false, 23, DataType.FLOAT32);
             LoraAdapters a = LoraAdapters.init(m, LoraConfig.DEFAULT)) {
            Recovery.train(m, a, TINY, data, dir, false, 4);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Recovery.train(m, a, TINY.withLr(5e-3), data, dir, true, 8));
            assertTrue(e.getMessage().contains("lr=0.005") && e.getMessage().contains("without --resume"), e.getMessage());
        }
    }

    @Test
    void aNonFiniteLossStopsBeforeTheUpdateAndKeepsTheCheckpoint() throws Exception {
        List<int[]> data = windows(16, 12);
        Recovery.Config everyStep = new Recovery.Config(8, 2, 1, 12, 1e-2, 2, 1.0, AdamW.DEFAULT, "none", 1, 0);
        try (LlamaModel m = TinyModels.model(false, 24, DataType.FLOAT32);
             LoraAdapters a = LoraAdapters.init(m, LoraConfig.DEFAULT)) {
            Recovery.train(m, a, everyStep, data, dir, false, 2);
            float[] afterTwo = a.parameters().get("layers.0.q_proj.lora_B").toFloatArray();
            try (NDManager tmp = m.manager().newSubManager()) {
                NDArray nan = m.layer(0).attnNorm().duplicate().muli(Float.NaN);
                nan.attach(tmp);
                m.setTensor(0, "input_layernorm", nan);
            }
            var r = Recovery.train(m, a, everyStep, data, dir, true, 8);
            assertNotNull(r.stopped());
            assertTrue(r.stopped().startsWith("step 3: loss NaN"), r.stopped());
            assertEquals(2, r.steps());
            assertEquals(2, Checkpoint.load(dir).step());
            assertArrayEquals(afterTwo, a.parameters().get("layers.0.q_proj.lora_B").toFloatArray());
        }
    }

    @Test
    void theMergedModelComputesWhatTheAdaptedOneDid() {
        try (LlamaModel m = TinyModels.model(false, 25, DataType.FLOAT32);
             LoraAdapters a = LoraAdapters.init(m, LoraConfig.DEFAULT)) {
            Recovery.train(m, a, TINY, windows(16, 12), dir, false, 8);
            int[][] probe = {windows(1, 12).get(0)};
            float[] adapted;
            float[] viaWeights;
            try (NDManager step = m.manager().newSubManager()) {
                adapted = m.forward(step, probe, prunekit.model.Trace.NONE, a).logits().toFloatArray();   // low-rank path
                List<LayerWeights> stack = new ArrayList<>();
                for (int l = 0; l < m.config().layers(); l++) stack.add(a.apply(l, m.layer(l), step));
                viaWeights = m.logits(m.forwardLayers(step, m.embed(step, probe), stack)).toFloatArray();  // W + (α/r) B A
            }
            assertArrayEquals(viaWeights, adapted, 1e-5f);
            a.mergeInto(m);
            float[] merged;
            try (NDManager step = m.manager().newSubManager()) {
                merged = m.forward(step, probe, prunekit.model.Trace.NONE).logits().toFloatArray();
            }
            assertArrayEquals(adapted, merged, 1e-5f);
        }
    }
}
