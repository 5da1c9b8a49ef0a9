package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command line's help and usage errors. Every case here fails before a model would load, so no
 * weights are read ({@code stories15m} is only resolved to its path).
 */
class CliTest {

    @TempDir
    Path tmp;

    /** Every command and subcommand, as the words that name it: [prune], [experiment, layer-pruning], ... */
    private static List<List<String>> commands(CommandLine cmd, List<String> path) {
        List<List<String>> all = new ArrayList<>();
        cmd.getSubcommands().forEach((name, sub) -> {
            if (name.equals("help")) return;
            List<String> words = new ArrayList<>(path);
            words.add(name);
            all.add(words);
            all.addAll(commands(sub, words));
        });
        return all;
    }

    @Test
    void topHelpListsEveryCommand() {
        Cli r = Cli.run("--help");
        assertEquals(0, r.exitCode(), r.err());
        for (String name : List.of("info", "generate", "ppl", "eval", "prune", "recover", "cka", "export", "bench",
                "experiment")) {
            assertTrue(r.out().contains("\n  " + name + " "), name + " missing from:\n" + r.out());
        }
    }

    @Test
    void everyCommandsHelpExitsZeroAndListsItsOptions() {
        List<List<String>> all = commands(Main.commandLine(), List.of());
        assertEquals(14, all.size(), all.toString());          // 10 commands, 4 experiments
        for (List<String> words : all) {
            List<String> argv = new ArrayList<>(words);
            argv.add("--help");
            Cli r = Cli.run(argv.toArray(new String[0]));
            assertEquals(0, r.exitCode(), words + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: prunekit " + String.join(" ", words)), r.out());
            CommandLine cmd = Main.commandLine();
            for (String w : words) cmd = cmd.getSubcommands().get(w);
            for (OptionSpec option : cmd.getCommandSpec().options()) {
                assertTrue(r.out().contains(option.longestName()), words + ": " + option.longestName() + " missing");
            }
        }
        assertTrue(Cli.run("prune", "--help").out().contains("--remove-layers=K"));
        assertTrue(Cli.run("ppl", "--help").out().contains("Default: test"));     // defaults are shown
    }

    @Test
    void recoverNamesABadRankLearningRateOrStepCountBeforeLoading() {
        String[][] bad = {{"--lora-rank", "0", "LoRA rank must be > 0, got 0"}, {"--lr", "-1e-4", "learning rate must be > 0, got -1.0E-4"},
            {"--steps", "0", "steps must be > 0, got 0"}};
        for (String[] b : bad) {
            Cli r = Cli.run("recover", "--model", "stories15m", "--out", tmp.toString(), b[0], b[1]);
            assertEquals(1, r.exitCode(), r.err());
            assertTrue(r.err().contains(b[2]), r.err());
        }
        Cli r = Cli.run("recover", "--model", tmp.resolve("no-weights").toString(), "--out", tmp.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("no-weights"), r.err());
    }

    @Test
    void unknownMethodIsNamedWithTheAcceptedOnes() {
        Cli r = Cli.run("prune", "--model", "stories15m", "--method", "foo", "--out", tmp.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("prunekit prune: Invalid value for option '--method': unknown method 'foo'"),
                r.err());
        for (String m : List.of("gradmap", "gradmap-oneshot", "block-influence", "ppl", "taylor", "magnitude", "random", "last", "slm",
                "wanda", "sparsegpt", "gblm")) {
            assertTrue(r.err().contains(m), m + " missing from: " + r.err());
        }
        assertEquals(2, r.err().lines().count(), "one line, then the hint: " + r.err());
        assertTrue(r.err().contains("'prunekit prune --help'"), r.err());
    }

    @Test
    void aLayerMetricWithAPatternIsNotAWeightMethod() {
        Cli r = Cli.run("prune", "--model", "stories15m", "--method", "gradmap", "--sparsity", "0.5", "--out", "y");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("gradmap") && r.err().contains("magnitude, magnitude-row, wanda, sparsegpt, gblm"), r.err());
        Cli k = Cli.run("prune", "--model", "stories15m", "--method", "gradmap", "--out", "y");
        assertEquals(2, k.exitCode());
        assertTrue(k.err().contains("--remove-layers K (K >= 1) is required"), k.err());
        Cli slm = Cli.run("prune", "--model", "stories15m", "--method", "slm", "--threshold", "0.9",
                "--remove-layers", "2", "--out", "y");
        assertEquals(2, slm.exitCode());
        assertTrue(slm.err().contains("--threshold T or --remove-layers K, not both"), slm.err());
        Cli neither = Cli.run("prune", "--model", "stories15m", "--method", "slm", "--out", "y");
        assertEquals(2, neither.exitCode());
        assertTrue(neither.err().contains("--threshold T") && neither.err().contains("--remove-layers K"), neither.err());
    }

    @Test
    void unknownCorpusIsNamedWithTheAcceptedOnes() {
        Cli r = Cli.run("ppl", "--model", "stories15m", "--corpus", "wikitext", "--seqlen", "128");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--corpus") && r.err().contains("'wikitext'"), r.err());
        for (String c : List.of("sotu", "moby-dick", "brown", "nlp-corpus")) {
            assertTrue(r.err().contains(c), c + " missing from: " + r.err());
        }
        Cli calib = Cli.run("cka", "--model", "stories15m", "--calib-corpus", "c4", "--out", "x.csv");
        assertEquals(2, calib.exitCode());
        assertTrue(calib.err().contains("--calib-corpus") && calib.err().contains("'c4'"), calib.err());
        Cli split = Cli.run("ppl", "--model", "stories15m", "--corpus", "sotu", "--split", "train", "--seqlen", "8");
        assertEquals(2, split.exitCode());
        assertTrue(split.err().contains("'train'") && split.err().contains("calibration, validation, test"),
                split.err());
    }

    @Test
    void unknownTaskIsNamedWithTheAcceptedOnes() {
        Cli r = Cli.run("eval", "--model", "stories15m", "--task", "hellaswag");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--task") && r.err().contains("'hellaswag'"), r.err());
        for (String t : List.of("cloze", "minimal-pair", "next-sentence")) {      // the files in data/tasks
            assertTrue(r.err().contains(t), t + " missing from: " + r.err());
        }
        Cli grid = Cli.run("experiment", "weight-pruning", "--model", "stories15m", "--tasks", "cloze,lambada",
                "--record", "x");
        assertEquals(2, grid.exitCode());
        assertTrue(grid.err().contains("'lambada'"), grid.err());
    }

    @Test
    void unknownModelIsNamedWithTheAcceptedOnes() {
        Cli r = Cli.run("info", "--model", "llama-7b");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--model") && r.err().contains("'llama-7b'")
                && r.err().contains("smollm2, stories15m"), r.err());
    }

    @Test
    void badTypedValuesNameTheOptionAndTheValue() {
        Cli sparsity = Cli.run("prune", "--model", "stories15m", "--method", "wanda", "--sparsity", "abc", "--out", "y");
        assertEquals(2, sparsity.exitCode());
        assertTrue(sparsity.err().contains("'--sparsity'") && sparsity.err().contains("'abc'"), sparsity.err());
        Cli range = Cli.run("prune", "--model", "stories15m", "--method", "wanda", "--sparsity", "1.5", "--out", "y");
        assertEquals(2, range.exitCode());
        assertTrue(range.err().contains("'--sparsity'") && range.err().contains("1.5"), range.err());
        Cli seqlen = Cli.run("ppl", "--model", "stories15m", "--corpus", "sotu", "--seqlen", "long");
        assertEquals(2, seqlen.exitCode());
        assertTrue(seqlen.err().contains("'--seqlen'") && seqlen.err().contains("'long'"), seqlen.err());
        Cli warmup = Cli.run("bench", "--model", "stories15m", "--warmup", "-1");
        assertEquals(2, warmup.exitCode());
        assertTrue(warmup.err().contains("--warmup must be >= 0, got -1"), warmup.err());
        Cli norm = Cli.run("prune", "--model", "stories15m", "--method", "gblm", "--sparsity", "0.5",
                "--gblm-norm", "l3", "--out", "y");
        assertEquals(2, norm.exitCode());
        assertTrue(norm.err().contains("'--gblm-norm'") && norm.err().contains("l3"), norm.err());
        Cli protect = Cli.run("prune", "--model", "stories15m", "--method", "slm", "--threshold", "0.9",
                "--protect", "1,2,3", "--out", "y");
        assertEquals(2, protect.exitCode());
        assertTrue(protect.err().contains("--protect must be two layer indices"), protect.err());
    }

    @Test
    void missingAndUnknownOptionsAndCommandsAreUsageErrors() {
        Cli unknownOption = Cli.run("info", "--model", "stories15m", "--verbose");
        assertEquals(2, unknownOption.exitCode());
        assertTrue(unknownOption.err().contains("'--verbose'"), unknownOption.err());
        Cli missing = Cli.run("ppl", "--model", "stories15m", "--corpus", "sotu");
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("--seqlen"), missing.err());
        Cli both = Cli.run("ppl", "--model", "stories15m", "--corpus", "sotu", "--text-file", "a.txt", "--seqlen", "8");
        assertEquals(2, both.exitCode());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        Cli none = Cli.run();
        assertEquals(2, none.exitCode());
        assertTrue(none.err().contains("missing command") && none.err().contains("prune"), none.err());
        Cli unknown = Cli.run("distill");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown command 'distill'") && unknown.err().contains("experiment"),
                unknown.err());
        Cli experiment = Cli.run("experiment", "depth-pruning");
        assertEquals(2, experiment.exitCode());
        assertTrue(experiment.err().contains("'depth-pruning'") && experiment.err().contains("layer-pruning, weight-pruning"),
                experiment.err());
    }

    @Test
    void depthWidthNamesATargetOrSplitOutsideTheOpenUnitIntervalBeforeLoading() {
        for (String targets : List.of("0.2,1", "0", "-0.1", "1.5")) {
            Cli r = Cli.run("experiment", "depth-width", "--model", "stories15m", "--targets", targets, "--record", "x");
            assertEquals(2, r.exitCode(), targets + ": " + r.err());
            assertTrue(r.err().contains("--targets ") && r.err().contains("is outside (0, 1)"), r.err());
        }
        Cli split = Cli.run("experiment", "depth-width", "--model", "stories15m", "--split", "1", "--record", "x");
        assertEquals(2, split.exitCode());
        assertTrue(split.err().contains("--split 1.0 is outside (0, 1)"), split.err());
        Cli importance = Cli.run("experiment", "depth-width", "--model", "stories15m", "--width-importance", "wanda",
                "--record", "x");
        assertEquals(2, importance.exitCode());
        assertTrue(importance.err().contains("'wanda'") && importance.err().contains("taylor-element"), importance.err());

        CommandLine cli = Main.commandLine();
        cli.parseArgs("experiment", "depth-width", "--model", "stories15m", "--targets", "0.2", "--record", "x");
        DepthWidthExperiment grid = cli.getSubcommands().get("experiment").getSubcommands().get("depth-width").getCommand();
        assertEquals(List.of(0.2), grid.targets);
        assertEquals(10, grid.calibration.samples);                 // SLM's paper calibration, 10 x 128
        assertEquals(16, grid.widthSamples);                        // width's, as prune --method width-*
        assertEquals("taylor-element", grid.importance);
        assertEquals(0, grid.kvGroupsRemoved);
    }

    @Test
    void anExpectedFailureExitsOneWithItsMessageAndNoStackTrace() {
        Path missing = tmp.resolve("no-such-task.jsonl");
        Cli r = Cli.run("eval", "--model", "stories15m", "--task", missing.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("prunekit: " + missing), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void gridListsTakeNoneAndReplaceTheirDefaults() {
        CommandLine cli = Main.commandLine();
        cli.parseArgs("experiment", "layer-pruning", "--model", "stories15m", "--tasks", "none", "--remove", "2,4",
                "--record", "x");
        LayerPruningExperiment grid = cli.getSubcommands().get("experiment").getSubcommands().get("layer-pruning")
                .getCommand();
        assertEquals(List.of(), grid.grid.tasks);
        assertEquals(List.of(2, 4), grid.remove);
        assertEquals(LayerPruningExperiment.METHODS, grid.methods);
        assertEquals(16, grid.calibration.samples);                 // LayerPruningGrid.Config.DEFAULT's
    }
}
