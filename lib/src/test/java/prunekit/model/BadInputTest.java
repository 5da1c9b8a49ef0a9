package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.eval.ModelScorer;
import prunekit.eval.Perplexity;
import prunekit.model.io.GgufLoader;
import prunekit.model.io.HfLoader;
import prunekit.model.io.HfSaver;
import prunekit.model.io.Llama2cLoader;
import prunekit.testing.NeedsCache;

/** Every bad input fails with a message that names the file or value, never a JVM crash. */
class BadInputTest {

    @Test
    @NeedsCache(NeedsCache.SMOLLM2)
    void truncatedGguf(@TempDir Path dir) throws IOException {
        Path src = Models.resolve("smollm2");
        Path cut = dir.resolve("cut.gguf");
        try (var in = Files.newInputStream(src)) {
            Files.write(cut, in.readNBytes(5_000_000));
        }
        assertMessage(assertThrows(IOException.class, () -> GgufLoader.load(cut, Device.cpu())), "cut.gguf", "truncated");
        Path tiny = dir.resolve("tiny.gguf");
        try (var in = Files.newInputStream(src)) {
            Files.write(tiny, in.readNBytes(100));
        }
        assertMessage(assertThrows(IOException.class, () -> GgufLoader.load(tiny, Device.cpu())), "tiny.gguf", "truncated");
    }

    @Test
    void wrongMagic(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("model.gguf");
        Files.writeString(f, "this is not a model file, just some text");
        assertMessage(assertThrows(IOException.class, () -> GgufLoader.load(f, Device.cpu())), "model.gguf", "GGUF");
        assertMessage(assertThrows(RuntimeException.class, () -> Models.load(f.toString())), "model.gguf", "GGUF");
    }

    @Test
    void unknownGgufTensorType(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("q4k.gguf");
        Files.write(f, ggufWithOneTensor("blk.0.attn_q.weight", 12));     // 12 = Q4_K
        IOException e = assertThrows(IOException.class, () -> GgufLoader.load(f, Device.cpu()));
        assertMessage(e, "q4k.gguf", "blk.0.attn_q.weight");
        assertMessage(e, "Q4_K", "supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1");
    }

    @Test
    void configTensorShapeMismatch(@TempDir Path dir) throws IOException {
        try (LlamaModel m = TinyModels.model(true, 1, DataType.FLOAT32)) {
            HfSaver.save(m, dir, Map.of());
        }
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"intermediate_size\": 24", "\"intermediate_size\": 32"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfLoader.load(dir, Device.cpu()));
        assertMessage(e, dir.toString(), "gate_proj");
        assertMessage(e, "[24, 16]", "[32, 16]");
    }

    @Test
    @NeedsCache({NeedsCache.STORIES15M, NeedsCache.STORIES15M_TOKENIZER})
    void truncatedLlama2c(@TempDir Path dir) throws IOException {
        Path src = Models.resolve("stories15m");
        Path cut = dir.resolve("model.bin");
        try (var in = Files.newInputStream(src)) {
            Files.write(cut, in.readNBytes(1_000_000));
        }
        Files.copy(src.resolveSibling("tokenizer.bin"), dir.resolve("tokenizer.bin"));
        assertMessage(assertThrows(IOException.class, () -> Llama2cLoader.load(cut, Device.cpu())), "model.bin", "truncated");
    }

    @Test
    void sequenceLongerThanTheModelAllows() {
        try (LlamaModel m = TinyModels.model(true, 1, DataType.FLOAT32);
                NDManager step = m.manager().newSubManager()) {
            int[][] tokens = {new int[17]};
            assertMessage(assertThrows(IllegalArgumentException.class, () -> m.forward(step, tokens, Trace.NONE)),
                    "17", "maximum 16");
            int[][] outOfVocab = {{1, 99}};
            assertMessage(assertThrows(IllegalArgumentException.class, () -> m.forward(step, outOfVocab, Trace.NONE)),
                    "99", "vocabulary");
        }
    }

    @Test
    void emptyText() {
        try (LlamaModel m = TinyModels.model(true, 1, DataType.FLOAT32)) {
            assertThrows(IllegalArgumentException.class, () -> Perplexity.ofText(new ModelScorer(m), m.tokenizer(),
                    "", "empty", Perplexity.Config.DEFAULT.withSeqLen(8)));
            try (NDManager step = m.manager().newSubManager()) {
                assertMessage(assertThrows(IllegalArgumentException.class,
                        () -> m.forward(step, new int[][] {{}}, Trace.NONE)), "empty", "token");
            }
        }
    }

    @Test
    void unknownModelName() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Models.load("llama-70b")),
                "llama-70b", "smollm2, stories15m");
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(p),
                    "message should mention '" + p + "': " + e.getMessage());
        }
    }

    /** A minimal GGUF v3 file: llama metadata and one 32x32 tensor of the given GGML type. */
    private static byte[] ggufWithOneTensor(String name, int type) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(1).putLong(1);
        putString(b, "general.architecture");
        b.putInt(8);
        putString(b, "llama");
        putString(b, name);
        b.putInt(2).putLong(32).putLong(32).putInt(type).putLong(0);
        int end = (b.position() + 31) / 32 * 32 + 32 * 32 * 4;
        byte[] out = new byte[end];
        System.arraycopy(b.array(), 0, out, 0, b.position());
        return out;
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putLong(bytes.length).put(bytes);
    }
}
