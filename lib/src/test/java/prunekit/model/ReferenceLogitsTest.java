package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import prunekit.testing.NeedsCache;

/**
 * prunekit's forward pass on the two real checkpoints against independent references: transformers
 * (on the same GGUF file) for SmolLM2, a NumPy forward written from the llama2.c format for stories15M.
 * Agreement: max |Δlogit| ≤ 1e-4 · max |logit|.
 */
@NeedsCache({NeedsCache.SMOLLM2, NeedsCache.STORIES15M, NeedsCache.STORIES15M_TOKENIZER})
class ReferenceLogitsTest {

    private static LlamaModel smollm;
    private static LlamaModel stories;

    @BeforeAll
    static void load() {
        smollm = Models.load("smollm2");
        stories = Models.load("stories15m");
    }

    @AfterAll
    static void close() {
        smollm.close();
        stories.close();
    }

    @Test
    void smollm2LogitsMatchTransformers() throws IOException {
        assertLogitsMatch(smollm, "smollm2");
    }

    @Test
    void stories15mLogitsMatchNumpyReference() throws IOException {
        assertLogitsMatch(stories, "stories15m");
    }

    @Test
    void smollm2TokenizerMatchesTransformers() throws IOException {
        assertTokenizerMatches(smollm, "smollm2");
    }

    @Test
    void stories15mTokenizerMatchesRunC() throws IOException {
        assertTokenizerMatches(stories, "stories15m");
    }

    @Test
    void stories15mGreedyStoryIsTheKnownOne() throws IOException {
        JsonObject g = Fixtures.json("stories15m", "greedy.json");
        String expected = g.get("text").getAsString().substring("Once upon a time".length());
        String text = Generator.greedy(stories, "Once upon a time", 40);
        assertEquals(expected, text);
        assertTrue(text.contains("Lily"));
    }

    @Test
    void smollm2GreedyContinuationMatchesTransformers() throws IOException {
        JsonObject g = Fixtures.json("smollm2", "greedy.json");
        JsonObject p = Fixtures.json("smollm2", "prompt.json");
        assertEquals(g.get("text").getAsString(), Generator.greedy(smollm, p.get("text").getAsString(), 20));
    }

    private static void assertLogitsMatch(LlamaModel model, String fixture) throws IOException {
        JsonObject prompt = Fixtures.json(fixture, "prompt.json");
        int[] ids = Fixtures.ints(prompt, "ids");
        float[] expected = Fixtures.logits(fixture);
        float[] actual;
        try (NDManager step = model.manager().newSubManager()) {
            actual = model.forward(step, new int[][] {ids}, Trace.NONE).logits().toFloatArray();
        }
        assertEquals(expected.length, actual.length);
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
        }
        System.out.printf("%s: max |Δlogit| = %.3g, relative %.3g%n", fixture, maxDiff, maxDiff / maxAbs);
        assertTrue(maxDiff <= 1e-4 * maxAbs, fixture + ": max |Δlogit| = " + maxDiff + ", max |logit| = " + maxAbs);
    }

    private static void assertTokenizerMatches(LlamaModel model, String fixture) throws IOException {
        JsonObject cases = Fixtures.json(fixture, "tokenizer_cases.json");
        int n = 0;
        for (JsonElement e : cases.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            String text = c.get("text").getAsString();
            int[] ids = Fixtures.ints(c, "ids");
            assertArrayEquals(ids, model.tokenizer().encode(text), fixture + ": encode(" + text + ")");
            n++;
        }
        assertTrue(n >= 3, "too few tokenizer cases: " + n);
    }
}
