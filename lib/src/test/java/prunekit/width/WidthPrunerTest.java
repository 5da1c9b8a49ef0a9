package prunekit.width;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.model.DeepTinyModels;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.model.TinyModels;
import prunekit.model.Trace;
import prunekit.model.io.HfLoader;
import prunekit.model.io.HfSaver;
import prunekit.model.io.ModelTensors;

/**
 * Width pruning on a tiny grouped-query model (2 layers, hidden 16, 6 query heads in 3 key/value
 * groups of head dim 4, MLP 24), each edit against an independent reference: a unit cut out of the
 * matrices must compute what the original computes with that unit's output silenced (its o_proj or
 * down_proj input columns zeroed), and the parameter count must be the one counted by hand.
 */
class WidthPrunerTest {

    private static final int[][] TOKENS = DeepTinyModels.WINDOWS;

    static LlamaConfig config() {
        return new LlamaConfig("tiny-gqa", TinyModels.VOCAB, 16, 24, 2, 6, 3, 4, 10000.0, 1e-5, 16, false);
    }

    static LlamaModel model(long seed) {
        LlamaConfig c = config();
        return ModelTensors.fromTensors(c, TinyModels.tensors(c, seed), TinyModels.tokenizer(), Device.cpu(), "tiny",
                DataType.FLOAT32);
    }

    @Test
    void prunedModelHasExactlyTheParameterCountCountedByHand() {
        try (LlamaModel m = model(3)) {
            long before = tensorEntries(m);
            // per layer, one key/value group: q rows of 2 heads × 4 dims (8 × 16), as many o columns,
            // k and v rows of one head (4 × 16 each): 128 + 128 + 64 + 64 = 384; one MLP channel: 3 × 16 = 48
            long expectedRemoved = 2 * (1 * 384 + 5 * 48);
            WidthPlan plan = new WidthPlan(1, 5);
            assertEquals(expectedRemoved, plan.removedParameters(m.config()));
            WidthPruner.Result r = WidthPruner.prune(m, TOKENS, UnitImportance.TAYLOR, plan);
            try (LlamaModel p = r.model()) {
                assertEquals(before - expectedRemoved, tensorEntries(p), "entries of the pruned tensors");
                assertEquals(before - expectedRemoved, p.parameterCount(), "the config's count");
                LayerWeights w = p.layer(1);
                assertEquals(new ai.djl.ndarray.types.Shape(16, 16), w.q().getShape());       // 4 heads of 4
                assertEquals(new ai.djl.ndarray.types.Shape(8, 16), w.k().getShape());        // 2 kv heads
                assertEquals(new ai.djl.ndarray.types.Shape(16, 16), w.o().getShape());
                assertEquals(new ai.djl.ndarray.types.Shape(19, 16), w.gate().getShape());
                assertEquals(new ai.djl.ndarray.types.Shape(16, 19), w.down().getShape());
                assertEquals(4, p.config().heads());
                assertEquals(2, p.config().kvHeads());
                assertEquals(19, p.config().intermediate());
            }
            assertEquals(before, tensorEntries(m), "the original is unchanged");
        }
    }

    @Test
    void removingNothingKeepsTheLogits() {
        try (LlamaModel m = model(4)) {
            float[] before = logits(m);
            try (LlamaModel p = WidthPruner.prune(m, TOKENS, UnitImportance.TAYLOR, new WidthPlan(0, 0)).model()) {
                assertArrayEquals(before, logits(p), 0f);
            }
        }
    }

    @Test
    void removingKeyValueGroupsEqualsZeroingTheirOutputColumns() {
        try (LlamaModel m = model(5)) {
            int[][] kept = {{0, 2}, {1, 2}};                      // layer 0 loses group 1, layer 1 group 0
            try (LlamaModel zeroed = m.copy(); LlamaModel cut = m.copy()) {
                int[] gone = {1, 0};
                for (int l = 0; l < 2; l++) {
                    zeroColumns(zeroed, l, "o_proj", gone[l] * 8, 8);  // the group's 2 query heads × 4 dims
                }
                cut.keepWidth(kept, new int[][] {all(24), all(24)});
                assertArrayEquals(logits(zeroed), logits(cut), 1e-5f);
                assertNotEquals(logits(m)[7], logits(cut)[7], "the removed groups mattered");
            }
        }
    }

    @Test
    void removingMlpChannelsEqualsZeroingTheirDownColumns() {
        try (LlamaModel m = model(6)) {
            int[][] removed = {{0, 5, 23}, {2, 3, 11}};
            int[][] kept = new int[2][];
            try (LlamaModel zeroed = m.copy(); LlamaModel cut = m.copy()) {
                for (int l = 0; l < 2; l++) {
                    int[] r = removed[l];
                    kept[l] = IntStream.range(0, 24).filter(i -> IntStream.of(r).noneMatch(x -> x == i)).toArray();
                    for (int i : r) {
                        zeroColumns(zeroed, l, "down_proj", i, 1);
                    }
                }
                cut.keepWidth(new int[][] {all(3), all(3)}, kept);
                assertArrayEquals(logits(zeroed), logits(cut), 1e-5f);
                assertNotEquals(logits(m)[7], logits(cut)[7], "the removed channels mattered");
            }
        }
    }

    @Test
    void savedPrunedModelReloadsWithTheSameLogits(@TempDir Path dir) throws IOException {
        try (LlamaModel m = model(7);
                LlamaModel p = WidthPruner.prune(m, TOKENS, UnitImportance.TAYLOR_ELEMENT, new WidthPlan(2, 7)).model()) {
            HfSaver.save(p, dir, Map.of("method", "width-taylor-element"));
            try (LlamaModel back = HfLoader.load(dir, Device.cpu())) {
                assertArrayEquals(logits(p), logits(back), 1e-6f);
                assertEquals(p.config().withName(back.config().name()), back.config());
            }
            String json = Files.readString(dir.resolve("config.json"));
            assertTrue(json.contains("\"num_attention_heads\": 2") && json.contains("\"num_key_value_heads\": 1")
                    && json.contains("\"intermediate_size\": 17") && json.contains("\"head_dim\": 4"), json);
        }
    }

    @Test
    void unequalCountsAndBadIndicesAreRefusedBeforeAnyEdit() {
        try (LlamaModel m = model(8)) {
            float[] before = logits(m);
            IllegalArgumentException uneven = assertThrows(IllegalArgumentException.class,
                    () -> m.keepWidth(new int[][] {{0, 1}, {2}}, new int[][] {all(24), all(24)}));
            assertTrue(uneven.getMessage().contains("layer 1 keeps 1 key/value groups, layer 0 keeps 2"), uneven.getMessage());
            IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                    () -> m.keepWidth(new int[][] {{0, 3}, {0, 1}}, new int[][] {all(24), all(24)}));
            assertTrue(outside.getMessage().contains("index 3 outside [0, 3)"), outside.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> m.keepWidth(new int[][] {{}, {}}, new int[][] {all(24), all(24)}));
            assertArrayEquals(before, logits(m), 0f);
        }
    }

    @Test
    void keepDropsTheLowestScores() {
        assertArrayEquals(new int[] {0, 2, 3}, WidthPruner.keep(new double[] {5, 1, 4, 9}, 1));
        assertArrayEquals(new int[] {3}, WidthPruner.keep(new double[] {5, 1, 4, 9}, 3));
        assertArrayEquals(new int[] {0, 1}, WidthPruner.keep(new double[] {2, 2, 2}, 1), "ties: the higher index goes");
        assertThrows(IllegalArgumentException.class, () -> WidthPruner.keep(new double[] {1, 2}, 2));
    }

    /** Every entry of every tensor of the model: embedding, layers, final norm, head. */
    static long tensorEntries(LlamaModel m) {
        long n = m.embedding().size() + m.finalNorm().size() + (m.config().tiedEmbeddings() ? 0 : m.head().size());
        for (LayerWeights w : m.layers()) {
            for (NDArray a : w.all().values()) {
                n += a.size();
            }
        }
        return n;
    }

    static float[] logits(LlamaModel m) {
        try (NDManager step = m.manager().newSubManager()) {
            return m.forward(step, TOKENS, Trace.NONE).logits().toFloatArray();
        }
    }

    /** Sets columns {@code from .. from + count − 1} of one matrix of layer l to zero. */
    private static void zeroColumns(LlamaModel m, int l, String module, int from, int count) {
        try (NDManager tmp = m.manager().newSubManager()) {
            NDArray w = m.layer(l).all().get(module);
            float[] v = w.toFloatArray();
            long cols = w.getShape().get(1);
            for (int r = 0; r < w.getShape().get(0); r++) {
                for (int c = from; c < from + count; c++) {
                    v[(int) (r * cols + c)] = 0;
                }
            }
            m.setTensor(l, module, tmp.create(v, w.getShape()));
        }
    }

    private static int[] all(int n) {
        return IntStream.range(0, n).toArray();
    }
}
