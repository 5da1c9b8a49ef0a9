package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KvCacheTest {

    private static final int[] SEQ = {1, 7, 12, 33, 5, 5, 19, 28, 3, 11, 39, 21};

    /** Logits of the full pass at every position of SEQ: (T, V). */
    private static float[][] full(LlamaModel m, int[] seq) {
        try (NDManager step = m.manager().newSubManager()) {
            NDArray logits = m.forward(step, new int[][] {seq}, Trace.NONE).logits();
            float[][] out = new float[seq.length][];
            for (int t = 0; t < seq.length; t++) out[t] = logits.get(new NDIndex(0, t)).toFloatArray();
            return out;
        }
    }

    private static void assertClose(float[] want, float[] got, String where) {
        float worst = 0;
        for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
        assertTrue(worst < 1e-5, where + ": max |difference| " + worst);
    }

    @Test
    void oneTokenAtATimeGivesTheFullPassLogits() {
        for (boolean tied : new boolean[] {false, true}) {                   // grouped-query heads: 4 query / 2 kv
            try (LlamaModel m = TinyModels.model(tied, 31, DataType.FLOAT32); KvCache cache = m.newCache()) {
                float[][] want = full(m, SEQ);
                for (int t = 0; t < SEQ.length; t++) {
                    try (NDManager step = m.manager().newSubManager()) {
                        NDArray logits = m.forward(step, new int[][] {{SEQ[t]}}, cache).logits();   // (1, 1, V)
                        assertClose(want[t], logits.get(new NDIndex(0, 0)).toFloatArray(), "position " + t);
                    }
                }
                assertEquals(SEQ.length, cache.length());
            }
        }
    }

    @Test
    void aPrefixThenChunksGivesTheFullPassLogits() {
        try (LlamaModel m = TinyModels.model(false, 32, DataType.FLOAT32); KvCache cache = m.newCache()) {
            float[][] want = full(m, SEQ);
            int[] cuts = {0, 5, 6, 9, SEQ.length};
            for (int c = 0; c + 1 < cuts.length; c++) {
                try (NDManager step = m.manager().newSubManager()) {
                    int[] chunk = Arrays.copyOfRange(SEQ, cuts[c], cuts[c + 1]);
                    NDArray logits = m.forward(step, new int[][] {chunk}, cache).logits();
                    for (int i = 0; i < chunk.length; i++) {
                        assertClose(want[cuts[c] + i], logits.get(new NDIndex(0, i)).toFloatArray(), "position " + (cuts[c] + i));
                    }
                }
            }
        }
    }

    @Test
    void aRepeatedContextServesSeveralContinuations() {
        int[] context = Arrays.copyOf(SEQ, 6);
        int[][] continuations = {{9, 14}, {22, 3}, {17, 17}};
        try (LlamaModel m = TinyModels.model(false, 33, DataType.FLOAT32); KvCache one = m.newCache()) {
            try (NDManager step = m.manager().newSubManager()) {
                m.forward(step, new int[][] {context}, one);
            }
            try (KvCache three = one.repeat(3); NDManager step = m.manager().newSubManager()) {
                NDArray logits = m.forward(step, continuations, three).logits();          // (3, 2, V)
                for (int j = 0; j < 3; j++) {
                    int[] whole = new int[8];
                    System.arraycopy(context, 0, whole, 0, 6);
                    System.arraycopy(continuations[j], 0, whole, 6, 2);
                    float[][] want = full(m, whole);
                    for (int i = 0; i < 2; i++) {
                        assertClose(want[6 + i], logits.get(new NDIndex(j, i)).toFloatArray(), "choice " + j + " token " + i);
                    }
                }
            }
            assertEquals(6, one.length(), "the shared cache is left as it was");
        }
    }

    @Test
    void tooManyTokensAreRefused() {
        try (LlamaModel m = TinyModels.model(false, 34, DataType.FLOAT32); KvCache cache = m.newCache();
             NDManager step = m.manager().newSubManager()) {
            int max = m.config().maxSequenceLength();
            m.forward(step, new int[][] {new int[max - 1]}, cache);
            var e = assertThrows(IllegalArgumentException.class, () -> m.forward(step, new int[][] {{1, 2}}, cache));
            assertTrue(e.getMessage().contains("exceed the maximum sequence length " + max), e.getMessage());
        }
    }
}
