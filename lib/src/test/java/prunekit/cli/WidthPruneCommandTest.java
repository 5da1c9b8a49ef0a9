package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.model.TinyModels;
import prunekit.model.io.HfLoader;
import prunekit.model.io.HfSaver;
import prunekit.model.io.ModelTensors;
import prunekit.testing.NeedsCache;

/**
 * {@code prune --method width-*} end to end on a saved tiny grouped-query model (2 layers, hidden 16,
 * 6 query heads in 3 key/value groups of head dim 4, MLP 24, untied head: 5,968 parameters), its
 * plan and count worked by hand, and its usage errors.
 */
class WidthPruneCommandTest {

    @TempDir
    Path tmp;

    @Test
    @NeedsCache(NeedsCache.MOBY_DICK)
    void widthTaylorRemovesTheRatioAndSavesALoadableNarrowerModel() throws Exception {
        Path dense = saveTiny();
        Path out = tmp.resolve("narrow");
        Cli r = Cli.run("prune", "--model", dense.toString(), "--method", "width-taylor", "--width-ratio", "0.2",
                "--calib-samples", "2", "--seqlen", "8", "--calib-corpus", "moby-dick", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        // 20 % of 5,968 = 1,193.6. A group holds 2·(8·16) + 2·(4·16) = 384 per layer, 768 in both; a
        // channel 3·16 = 48, 96 in both. Groups and channels together: 4,608, so 25.9 % of the units:
        // 0.78 of 3 groups -> 1 (768); (1,193.6 - 768) / 96 = 4.4 -> 4 channels; 5,968 - 768 - 384 = 4,816
        assertTrue(r.out().contains("plan=1 of 3 key/value groups, 4 of 24 MLP channels per layer"), r.out());
        assertTrue(r.out().endsWith("parameters=4816" + System.lineSeparator()), r.out());
        try (LlamaModel back = HfLoader.load(out, Device.cpu())) {
            assertEquals(4, back.config().heads());
            assertEquals(2, back.config().kvHeads());
            assertEquals(20, back.config().intermediate());
            assertEquals(4816, back.parameterCount());
        }
        assertEquals("width-taylor", HfSaver.provenance(out).get("method"));
    }

    @Test
    void badRatiosAndMethodsAreUsageErrors() {
        Cli outside = Cli.run("prune", "--model", "stories15m", "--method", "width-taylor", "--width-ratio", "1",
                "--out", tmp.toString());
        assertEquals(2, outside.exitCode());
        assertTrue(outside.err().contains("--width-ratio 1.0 is outside (0, 1)"), outside.err());
        Cli missing = Cli.run("prune", "--model", "stories15m", "--method", "width-magnitude", "--out", tmp.toString());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("needs --width-ratio R"), missing.err());
        Cli wrong = Cli.run("prune", "--model", "stories15m", "--method", "wanda", "--width-ratio", "0.2",
                "--out", tmp.toString());
        assertEquals(2, wrong.exitCode());
        assertTrue(wrong.err().contains("go with --method width-taylor, width-taylor-element, width-magnitude"), wrong.err());
    }

    @Test
    void removingEveryGroupIsRefusedNamingTheCount() throws Exception {
        Cli r = Cli.run("prune", "--model", saveTiny().toString(), "--method", "width-magnitude", "--width-ratio", "0.5",
                "--kv-groups-removed", "3", "--out", tmp.resolve("none").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("removing 3 key/value groups per layer leaves no group") && r.err().contains("at most 2"),
                r.err());
    }

    private Path saveTiny() throws Exception {
        LlamaConfig c = new LlamaConfig("tiny-gqa", TinyModels.VOCAB, 16, 24, 2, 6, 3, 4, 10000.0, 1e-5, 16, false);
        Path dense = tmp.resolve("dense");
        try (LlamaModel m = ModelTensors.fromTensors(c, TinyModels.tensors(c, 21), TinyModels.tokenizer(), Device.cpu(),
                "tiny", DataType.FLOAT32)) {
            HfSaver.save(m, dense, Map.of());
        }
        return dense;
    }
}
