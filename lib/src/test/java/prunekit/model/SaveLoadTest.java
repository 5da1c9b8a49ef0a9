package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.model.io.HfLoader;
import prunekit.model.io.HfSaver;
import prunekit.testing.NeedsCache;

/** Saving as a Hugging Face directory and loading it back gives the same model, edited or not. */
class SaveLoadTest {

    private static final int[][] TOKENS = {{1, 5, 9, 13, 22, 7, 31, 3}};

    @Test
    void untiedModelRoundTrips(@TempDir Path dir) throws IOException {
        try (LlamaModel m = TinyModels.model(false, 11, DataType.FLOAT32)) {
            assertSameLogitsAfterRoundTrip(m, dir);
        }
    }

    @Test
    void prunedModelWithFoldedMapRoundTrips(@TempDir Path dir) throws IOException {
        try (LlamaModel m = TinyModels.model(true, 12, DataType.FLOAT32)) {
            m.removeLayers(Set.of(0));
            try (NDManager tmp = m.manager().newSubManager()) {
                m.insertMlpOutputMap(0, tmp.randomNormal(0, 0.2f, new ai.djl.ndarray.types.Shape(16, 16),
                        DataType.FLOAT32).add(tmp.eye(16)));
            }
            assertEquals(1, m.config().layers());
            assertSameLogitsAfterRoundTrip(m, dir);
            String config = Files.readString(dir.resolve("config.json"));
            assertTrue(config.contains("\"num_hidden_layers\": 1"), config);
        }
    }

    @Test
    @NeedsCache({NeedsCache.STORIES15M, NeedsCache.STORIES15M_TOKENIZER})
    void stories15mTokenizerSurvivesExport(@TempDir Path dir) throws IOException {
        try (LlamaModel m = Models.load("stories15m")) {
            HfSaver.save(m, dir, Map.of());
            String json = Files.readString(dir.resolve("tokenizer.json"));
            HfTokenizer exported = HfTokenizer.fromJson(json, 1, 2, 32000, "export");
            for (String text : new String[] {"Once upon a time, there was a little girl named Lily.",
                "  two spaces, digits 12345 and café — “quotes”\nnew line", "Hello world!"}) {
                assertArrayEquals(m.tokenizer().encode(text), exported.encode(text), text);
            }
            assertTrue(exported.addsBos(1), "exported stories tokenizer must start sequences with <s>");
        }
    }

    private static void assertSameLogitsAfterRoundTrip(LlamaModel m, Path dir) throws IOException {
        HfSaver.save(m, dir, Map.of("method", "test"));
        try (LlamaModel back = HfLoader.load(dir, Device.cpu());
                NDManager a = m.manager().newSubManager();
                NDManager b = back.manager().newSubManager()) {
            float[] before = m.forward(a, TOKENS, Trace.NONE).logits().toFloatArray();
            float[] after = back.forward(b, TOKENS, Trace.NONE).logits().toFloatArray();
            assertArrayEquals(before, after, 1e-5f);
            assertEquals(m.config().layers(), back.config().layers());
        }
    }
}
