package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    private static final int[] PROMPT = {1, 5, 9, 13};

    @Test
    void cachedAndUncachedDecodingGiveTheSameTokens() {
        for (Sampling s : new Sampling[] {Sampling.GREEDY, new Sampling(1.0, 0, 1, 7), new Sampling(0.8, 10, 0.9, 3)}) {
            try (LlamaModel m = TinyModels.model(false, 41, DataType.FLOAT32)) {
                var settings = new Generator.Settings(12, 12, s);
                int[] cached = Generator.generate(m, PROMPT, settings);
                int[] uncached = Generator.generateUncached(m, PROMPT, settings);
                assertArrayEquals(uncached, cached, s.toString());
                assertEquals(PROMPT.length + 12, cached.length);
                assertArrayEquals(PROMPT, Arrays.copyOf(cached, PROMPT.length));
            }
        }
    }

    @Test
    void minNewTokensHoldsOffTheEndOfSequence() {
        try (LlamaModel m = TinyModels.model(false, 42, DataType.FLOAT32)) {
            int eos = m.tokenizer().eosId();
            // a chooser that always wants EOS when allowed: a distribution with all mass on it
            var always = new Sampling(1.0, 0, 1, 0);
            float[] logits = new float[TinyModels.VOCAB];
            Arrays.fill(logits, -100f);
            logits[eos] = 100f;
            assertEquals(eos, always.chooser().next(logits));
            int[] ids = Generator.generate(m, PROMPT, new Generator.Settings(10, 10, Sampling.GREEDY));
            for (int i = PROMPT.length; i < ids.length; i++) assertNotEquals(eos, ids[i], "EOS before min-new-tokens");
        }
    }

    @Test
    void samplingFollowsTopKAndTopP() {
        float[] logits = {2f, 1f, 0.5f, 3f, -1f};                      // order by probability: 3, 0, 1, 2, 4
        assertEquals(3, new Sampling(1.0, 1, 1, 9).chooser().next(logits), "top-k 1 is greedy");
        assertEquals(3, new Sampling(1.0, 0, 0.01, 9).chooser().next(logits), "a tiny top-p keeps the best token");
        Sampling.Chooser two = new Sampling(1.0, 2, 1, 5).chooser();
        int[] counts = new int[5];
        for (int i = 0; i < 4000; i++) counts[two.next(logits)]++;
        assertEquals(0, counts[1] + counts[2] + counts[4], "only the two most probable tokens");
        double share = counts[3] / 4000.0;                             // e^3 / (e^3 + e^2) = 0.731
        assertEquals(Math.exp(3) / (Math.exp(3) + Math.exp(2)), share, 0.03);
        var e = assertThrows(IllegalArgumentException.class, () -> new Sampling(-1, 0, 1, 0));
        assertTrue(e.getMessage().contains("temperature must be >= 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Generator.Settings(5, 6, Sampling.GREEDY));
        assertTrue(e.getMessage().contains("min new tokens must be in [0, max new tokens = 5], got 6"), e.getMessage());
    }
}
