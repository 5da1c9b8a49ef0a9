package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.model.DeepTinyModels;
import prunekit.model.LlamaModel;
import prunekit.model.io.HfSaver;
import prunekit.testing.NeedsCache;

/**
 * End to end: prune a saved tiny model from the command line, load the result, read its sparsity.
 * (GBLM is left out: its gradient statistics would be cached under the real data/cache/stats.)
 */
class WeightPruneCommandTest {

    @TempDir
    Path tmp;

    private static String run(String... argv) {
        Cli r = Cli.run(argv);
        assertEquals(0, r.exitCode(), r.err());
        return r.out();
    }

    private static double value(String out, String key) {
        for (String line : out.split("\n")) {
            if (line.startsWith(key + "=")) return Double.parseDouble(line.substring(key.length() + 1).trim());
        }
        throw new AssertionError("no " + key + "= line in:\n" + out);
    }

    @Test
    @NeedsCache(NeedsCache.MOBY_DICK)
    void prunesSavesAndInfoReportsTheSparsity() throws Exception {
        Path dense = tmp.resolve("dense");
        try (LlamaModel m = DeepTinyModels.model(2, 7, DataType.FLOAT32)) {
            HfSaver.save(m, dense, Map.of());
        }
        assertEquals(0.0, value(run("info", "--model", dense.toString()), "sparsity"));
        Path out = tmp.resolve("wanda");
        String pruned = run("prune", "--model", dense.toString(), "--method", "wanda", "--sparsity", "0.5",
                "--calib-samples", "2", "--seqlen", "8", "--calib-corpus", "moby-dick", "--out", out.toString());
        assertEquals(0.5, value(pruned, "sparsity"), 1e-12);
        assertEquals(0.5, value(run("info", "--model", out.toString()), "sparsity"), 1e-12);
        var notes = HfSaver.provenance(out);                 // what ppl/eval records name as the method
        assertEquals("wanda", notes.get("method"));
        assertEquals("sparsity=0.5", notes.get("pattern"));
        assertEquals(Map.of(), HfSaver.provenance(tmp.resolve("no-such-dir")));
        Path nm = tmp.resolve("sgpt");
        run("prune", "--model", dense.toString(), "--method", "sparsegpt", "--nm", "2:4", "--calib-samples", "2",
                "--seqlen", "8", "--calib-corpus", "moby-dick", "--out", nm.toString());
        assertEquals(0.5, value(run("info", "--model", nm.toString()), "sparsity"), 1e-12);
    }

    @Test
    @NeedsCache(NeedsCache.MOBY_DICK)
    void streamingWritesTheModelThatPruningInMemoryWrites() throws Exception {
        Path dense = tmp.resolve("dense");
        try (LlamaModel m = DeepTinyModels.model(2, 7, DataType.FLOAT32)) {
            HfSaver.save(m, dense, Map.of());
        }
        String[] common = {"--method", "wanda", "--sparsity", "0.5", "--calib-samples", "2", "--seqlen", "8",
            "--calib-corpus", "moby-dick"};
        Path inMemory = tmp.resolve("memory");
        Path streamed = tmp.resolve("streamed");
        run(concat(new String[] {"prune", "--model", dense.toString(), "--out", inMemory.toString()}, common));
        String out = run(concat(new String[] {"prune", "--model", dense.toString(), "--out", streamed.toString(),
            "--stream"}, common));
        assertTrue(out.contains("streamed=true"), out);
        assertEquals(0.5, value(out, "sparsity"), 1e-12);
        assertEquals(0.5, value(run("info", "--model", streamed.toString()), "sparsity"), 1e-12);
        assertTrue(java.util.Arrays.equals(java.nio.file.Files.readAllBytes(inMemory.resolve("model.safetensors")),
                java.nio.file.Files.readAllBytes(streamed.resolve("model.safetensors"))), "the same weights file, byte for byte");
        assertEquals("wanda", HfSaver.provenance(streamed).get("method"));
        Cli gblm = Cli.run("prune", "--model", dense.toString(), "--method", "gblm", "--sparsity", "0.5", "--stream",
            "--out", tmp.resolve("g").toString());
        assertEquals(2, gblm.exitCode());
        assertTrue(gblm.err().contains("magnitude, magnitude-row, wanda, sparsegpt"), gblm.err());
        Cli notDir = Cli.run("prune", "--model", "stories15m", "--method", "wanda", "--sparsity", "0.5", "--stream",
            "--out", tmp.resolve("s").toString());
        assertEquals(2, notDir.exitCode());
        assertTrue(notDir.err().contains("export"), notDir.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void badPatternsAreUsageErrors() {
        Cli neither = Cli.run("prune", "--model", "stories15m", "--method", "wanda", "--out", "y");
        assertEquals(2, neither.exitCode());
        assertTrue(neither.err().contains("--sparsity") && neither.err().contains("--nm"), neither.err());
        Cli half = Cli.run("prune", "--model", "stories15m", "--method", "wanda", "--sparsity", "half", "--out", "y");
        assertEquals(2, half.exitCode());
        assertTrue(half.err().contains("--sparsity") && half.err().contains("'half'"), half.err());
        Cli nm = Cli.run("prune", "--model", "stories15m", "--method", "wanda", "--nm", "4:2", "--out", "y");
        assertEquals(2, nm.exitCode());
        assertTrue(nm.err().contains("--nm") && nm.err().contains("4:2"), nm.err());
    }
}
