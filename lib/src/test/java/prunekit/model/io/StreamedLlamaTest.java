package prunekit.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.model.DeepTinyModels;
import prunekit.model.HostTensor;
import prunekit.model.LlamaModel;
import prunekit.sparsity.Gblm;
import prunekit.sparsity.Magnitude;
import prunekit.sparsity.SparseGpt;
import prunekit.sparsity.SparsityPattern;
import prunekit.sparsity.Wanda;
import prunekit.sparsity.WeightPruner;
import prunekit.sparsity.WeightPruningMethod;

/**
 * Pruning a checkpoint streamed layer by layer writes the same weights, bit for bit, as pruning the
 * loaded model in memory (the reference), and a stream that stops early leaves no loadable model.
 */
class StreamedLlamaTest {

    private static final int[][] WINDOWS = DeepTinyModels.WINDOWS;
    private static final WeightPruner.Config CONFIG =
            new WeightPruner.Config(SparsityPattern.unstructured(0.5), 2, true);

    /** A 3-layer tiny model (GQA, untied head) saved as a Hugging Face directory. */
    private static Path checkpoint(Path dir) throws IOException {
        Path src = dir.resolve("dense");
        try (LlamaModel m = DeepTinyModels.model(3, 5, DataType.FLOAT32)) {
            HfSaver.save(m, src, Map.of());
        }
        return src;
    }

    @Test
    void streamedWandaMagnitudeAndSparseGptWriteWhatInMemoryPruningWrites(@TempDir Path dir) throws IOException {
        Path src = checkpoint(dir);
        for (WeightPruningMethod method : new WeightPruningMethod[] {new Wanda(), new Magnitude(), new SparseGpt(8, 0.01)}) {
            Path inMemory = dir.resolve("memory-" + method.getClass().getSimpleName());
            try (LlamaModel m = HfLoader.load(src, Device.cpu())) {
                WeightPruner.Result r = WeightPruner.prune(m, method, null, WINDOWS, CONFIG);
                HfSaver.save(r.model(), inMemory, Map.of());
            }
            Path streamed = dir.resolve("stream-" + method.getClass().getSimpleName());
            WeightPruner.Result r;
            try (StreamedLlama s = StreamedLlama.open(src, streamed, Device.cpu(), "tiny", Map.of("method", "test"))) {
                r = WeightPruner.pruneStreamed(s, method, WINDOWS, CONFIG);
            }
            assertEquals(0.5, r.overallSparsity(), 1e-12, method.getClass().getSimpleName());
            Map<String, HostTensor> want = Safetensors.read(inMemory.resolve("model.safetensors"));
            Map<String, HostTensor> got = Safetensors.read(streamed.resolve("model.safetensors"));
            assertEquals(want.keySet(), got.keySet());
            for (String name : want.keySet()) {
                assertArrayEquals(want.get(name).shape(), got.get(name).shape(), name);
                assertArrayEquals(want.get(name).data(), got.get(name).data(), 0f,
                        method.getClass().getSimpleName() + " " + name);
            }
            try (LlamaModel back = HfLoader.load(streamed, Device.cpu())) {         // a complete model directory
                assertEquals(0.5, WeightPruner.sparsity(back), 1e-12);
            }
            assertTrue(Files.readString(streamed.resolve("config.json")).contains("\"method\": \"test\""));
        }
    }

    @Test
    void aStreamThatStopsEarlyLeavesNoModel(@TempDir Path dir) throws IOException {
        Path src = checkpoint(dir);
        Path out = dir.resolve("partial");
        try (StreamedLlama s = StreamedLlama.open(src, out, Device.cpu(), "tiny", Map.of())) {
            s.open(0);
            s.finish(0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.open(2));
            assertTrue(e.getMessage().contains("next is 1"), e.getMessage());
        }
        assertFalse(Files.exists(out.resolve("model.safetensors")));
        assertFalse(Files.exists(out.resolve("config.json")));
    }

    @Test
    void badInputIsRefusedWithItsName(@TempDir Path dir) throws IOException {
        Path src = checkpoint(dir);
        IOException same = assertThrows(IOException.class,
                () -> StreamedLlama.open(src, src, Device.cpu(), "tiny", Map.of()));
        assertTrue(same.getMessage().contains("is the source"), same.getMessage());
        IOException notHf = assertThrows(IOException.class,
                () -> StreamedLlama.open(dir.resolve("nowhere"), dir.resolve("out"), Device.cpu(), "tiny", Map.of()));
        assertTrue(notHf.getMessage().contains("nowhere") && notHf.getMessage().contains("Hugging Face"),
                notHf.getMessage());
        try (StreamedLlama s = StreamedLlama.open(src, dir.resolve("gblm"), Device.cpu(), "tiny", Map.of())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WeightPruner.pruneStreamed(s, Gblm.DEFAULT, WINDOWS, CONFIG));
            assertTrue(e.getMessage().contains("gradients"), e.getMessage());
        }
    }
}
