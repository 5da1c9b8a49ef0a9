package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.data.CalibrationSampler;
import prunekit.experiment.LayerPruningGrid;
import prunekit.importance.GradientMagnitude;
import prunekit.model.DeepTinyModels;
import prunekit.model.LlamaModel;
import prunekit.model.io.HfLoader;
import prunekit.model.io.HfSaver;
import prunekit.prune.LayerMethods;
import prunekit.prune.LayerPruner;
import prunekit.testing.NeedsCache;

/**
 * {@code prune --method gradmap} is GradMAP's iterative form (a backward pass per removed layer, the
 * layers re-scored without those already gone) and {@code gradmap-oneshot} its one-shot form, end to
 * end on a saved tiny model: each is checked against the selection computed here by hand from the
 * metric's scores, on a model where the two forms choose differently.
 */
class PruneCommandTest {

    private static final int LAYERS = 6;
    private static final int K = 3;
    private static final long SEED = 16;          // iterative removes 5, 4, 2; one-shot 5, 3, 1

    @TempDir
    Path tmp;

    @Test
    @NeedsCache(NeedsCache.MOBY_DICK)
    void gradmapIsIterativeAndGradmapOneshotIsOneShot() throws Exception {
        Path dense = tmp.resolve("dense");
        try (LlamaModel m = DeepTinyModels.model(LAYERS, SEED, DataType.FLOAT32)) {
            HfSaver.save(m, dense, Map.of());
        }
        List<Integer> iterative;
        List<Integer> oneShot;
        try (LlamaModel m = HfLoader.load(dense, Device.cpu())) {
            int[][] windows = CalibrationSampler.sample("moby-dick", m.tokenizer(),
                    new CalibrationSampler.Config(2, 8, 0)).toArray(new int[0][]);
            iterative = iterativeByHand(m, windows);
            double[] s = GradientMagnitude.DEFAULT.scores(m, windows);
            oneShot = IntStream.range(0, LAYERS).boxed().sorted(Comparator.comparingDouble(l -> s[l])).limit(K).toList();
        }
        assertNotEquals(Set.copyOf(iterative), Set.copyOf(oneShot), "the test needs a model where the forms differ");

        String it = prune(dense, "gradmap", "it");
        assertTrue(it.contains("mode=ITERATIVE") && it.contains("scoring_passes=" + K), it);
        assertEquals("removed=" + iterative, line(it, "removed"));
        assertEquals("gradmap", HfSaver.provenance(tmp.resolve("it")).get("method"));
        assertEquals("ITERATIVE", HfSaver.provenance(tmp.resolve("it")).get("mode"));

        String one = prune(dense, "gradmap-oneshot", "one");
        assertTrue(one.contains("mode=ONE_SHOT") && one.contains("scoring_passes=1"), one);
        assertEquals("removed=" + oneShot, line(one, "removed"));
        assertEquals("gradmap-oneshot", HfSaver.provenance(tmp.resolve("one")).get("method"));
    }

    @Test
    void gradmapOneshotRefusesIterativeAndHelpListsBothForms() {
        Cli r = Cli.run("prune", "--model", "stories15m", "--method", "gradmap-oneshot", "--remove-layers", "2",
                "--iterative", "--out", tmp.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--iterative contradicts --method gradmap-oneshot")
                && r.err().contains("--method gradmap"), r.err());
        String help = Cli.run("prune", "--help").out();
        assertTrue(help.contains("gradmap, gradmap-oneshot,"), help);
        assertTrue(help.contains("gradmap removes layers iteratively"), help);
    }

    @Test
    void theGridNamesTheTwoFormsAsPruneDoes() {
        for (String name : List.of(LayerMethods.GRADMAP, LayerMethods.GRADMAP_ONESHOT)) {
            assertEquals(LayerPruningGrid.Method.of(name, 0).mode(), LayerMethods.byName(name, 0).mode(), name);
            assertTrue(LayerPruningExperiment.METHODS.contains(name), name);
        }
        assertEquals(LayerPruner.Mode.ITERATIVE, LayerMethods.byName("gradmap", 0).mode());
        assertEquals(LayerPruner.Mode.ONE_SHOT, LayerMethods.byName("gradmap-oneshot", 0).mode());
    }

    /** Score, drop the lowest, re-score the rest: K times, in original layer indices. */
    private static List<Integer> iterativeByHand(LlamaModel original, int[][] windows) {
        List<Integer> alive = new ArrayList<>(IntStream.range(0, LAYERS).boxed().toList());
        List<Integer> removed = new ArrayList<>();
        try (LlamaModel work = original.copy()) {
            for (int step = 0; step < K; step++) {
                double[] s = GradientMagnitude.DEFAULT.scores(work, windows);
                int lowest = 0;
                for (int i = 1; i < s.length; i++) if (s[i] < s[lowest]) lowest = i;
                removed.add(alive.remove(lowest));
                work.removeLayers(Set.of(lowest));
            }
        }
        return removed;
    }

    private String prune(Path dense, String method, String out) {
        Cli r = Cli.run("prune", "--model", dense.toString(), "--method", method, "--remove-layers", String.valueOf(K),
                "--calib-samples", "2", "--seqlen", "8", "--calib-corpus", "moby-dick", "--out",
                tmp.resolve(out).toString());
        assertEquals(0, r.exitCode(), r.err());
        return r.out();
    }

    private static String line(String out, String key) {
        return out.lines().filter(l -> l.startsWith(key + "=")).findFirst().orElseThrow(() ->
                new AssertionError("no " + key + "= line in:\n" + out));
    }
}
