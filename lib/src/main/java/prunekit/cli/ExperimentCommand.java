package prunekit.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import prunekit.eval.Results;
import prunekit.experiment.Evaluation;
import prunekit.experiment.LayerPruningGrid;
import prunekit.experiment.WeightPruningGrid;
import prunekit.experiment.LayerPruningGrid.Compensation;
import prunekit.importance.LayerMetrics;
import prunekit.model.LlamaModel;
import prunekit.model.Models;
import prunekit.prune.LayerPruner;
import prunekit.sparsity.SparsityPattern;
import prunekit.sparsity.WeightMethods;

/**
 * {@code prunekit experiment layer-pruning}: the GradMAP results grid ({@link LayerPruningGrid}),
 * appended record by record to {@code data/results/NAME.csv}.
 */
final class ExperimentCommand {

    static final Set<String> OPTIONS = Set.of("model", "methods", "remove", "calib-corpus", "calib-samples", "seqlen",
            "seed", "eval-corpus", "eval-seqlen", "eval-tokens", "tasks", "task-limit", "task-depths", "record");

    /** Grid methods: the layer metrics, plus GradMAP selected one-shot. */
    static final List<String> METHODS = concat(List.of("gradmap-oneshot"), LayerMetrics.NAMES);

    static final String USAGE = "experiment layer-pruning --model M [--methods " + String.join(",", METHODS) + "]"
            + " [--remove 3,6,9] [--calib-corpus brown] [--calib-samples 16] [--seqlen 128] [--seed 0]"
            + " [--eval-corpus brown] [--eval-seqlen 256] [--eval-tokens 4096] [--tasks minimal-pair,cloze]"
            + " [--task-limit 100] [--task-depths 6] --record NAME";

    private ExperimentCommand() {}

    static final Set<String> WEIGHT_OPTIONS = Set.of("model", "methods", "patterns", "sweep", "calib-counts", "alphas",
            "calib-corpus", "calib-samples", "seqlen", "seed", "eval-corpus", "eval-seqlen", "eval-tokens", "tasks",
            "task-limit", "record");

    static final String WEIGHT_USAGE = "experiment weight-pruning --model M [--methods "
            + String.join(",", WeightMethods.NAMES) + "] [--patterns 0.5,2:4,4:8] [--sweep 0.1,0.3,0.6,0.7]"
            + " [--calib-counts 16,64] [--alphas 0,10,1000,10000] [--calib-corpus brown] [--calib-samples 128]"
            + " [--seqlen 256] [--seed 0] [--eval-corpus brown] [--eval-seqlen 256] [--eval-tokens 16384]"
            + " [--tasks minimal-pair,cloze] [--task-limit 200] --record NAME  (a list may be 'none')";

    static int run(String[] argv) {
        String which = argv.length < 2 ? "" : argv[1];
        if (which.equals("weight-pruning")) return runWeights(argv);
        if (!which.equals("layer-pruning")) {
            throw new Args.UsageException("experiment: unknown experiment '" + which + "'; accepted:\n  " + USAGE
                    + "\n  " + WEIGHT_USAGE);
        }
        Args a = new Args("experiment layer-pruning", argv, 2, OPTIONS);
        LayerPruningGrid.Config d = LayerPruningGrid.Config.DEFAULT;
        LayerPruningGrid.Config config = new LayerPruningGrid.Config(
                integers(a, "remove", d.layersToRemove()),
                new LinkedHashSet<>(integers(a, "task-depths", List.of())),
                evaluation(a, d.evaluation()));
        List<LayerPruningGrid.Method> methods = new ArrayList<>();
        for (String name : a.has("methods") ? names(a.required("methods")) : METHODS) {
            methods.add(method(name, config.evaluation().seed()));
        }
        var file = Results.file(a.required("record"));
        try (LlamaModel model = Models.load(a.required("model"))) {
            System.out.println("model=" + model.config().name());
            System.out.println("device=" + model.device());
            LayerPruningGrid.run(model, methods, config, r -> Results.append(file, r));
        }
        System.out.println("record=" + file);
        return 0;
    }

    /** The GBLM-Pruner grid ({@link WeightPruningGrid}). */
    static int runWeights(String[] argv) {
        Args a = new Args("experiment weight-pruning", argv, 2, WEIGHT_OPTIONS);
        WeightPruningGrid.Config d = WeightPruningGrid.Config.DEFAULT;
        List<SparsityPattern> patterns = d.patterns();
        if (a.has("patterns")) {
            patterns = names(a.required("patterns")).stream()
                    .map(t -> t.contains(":") ? SparsityPattern.parseNm(t) : SparsityPattern.unstructured(number(t, "patterns")))
                    .toList();
        }
        WeightPruningGrid.Config config = new WeightPruningGrid.Config(patterns,
                a.has("sweep") ? numbers(a, "sweep") : d.sweep(),
                integers(a, "calib-counts", d.calibCounts()),
                a.has("alphas") ? numbers(a, "alphas") : d.alphas(),
                evaluation(a, d.evaluation()));
        List<String> methods = a.has("methods") ? names(a.required("methods")) : WeightMethods.NAMES;
        for (String m : methods) {
            if (!WeightMethods.NAMES.contains(m)) {
                throw new Args.UsageException("experiment: unknown method " + m + " (accepted: "
                        + String.join(", ", WeightMethods.NAMES) + ")");
            }
        }
        var file = Results.file(a.required("record"));
        try (LlamaModel model = Models.load(a.required("model"))) {
            System.out.println("model=" + model.config().name());
            System.out.println("device=" + model.device());
            WeightPruningGrid.run(model, methods, config, r -> Results.append(file, r));
        }
        System.out.println("record=" + file);
        return 0;
    }

    /** The calibration and evaluation options shared by both grids, {@code d} where not given. */
    private static Evaluation evaluation(Args a, Evaluation d) {
        return new Evaluation(
                a.get("calib-corpus", d.calibCorpus()),
                a.integer("calib-samples", d.calibSamples()),
                a.integer("seqlen", d.calibSeqLen()),
                a.integer("seed", (int) d.seed()),
                a.get("eval-corpus", d.evalCorpus()),
                a.integer("eval-seqlen", d.evalSeqLen()),
                a.integer("eval-tokens", (int) d.evalTokens()),
                a.has("tasks") ? names(a.required("tasks")) : d.tasks(),
                a.integer("task-limit", d.taskLimit()),
                true);
    }

    private static double number(String text, String key) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new Args.UsageException("experiment: --" + key + " takes comma-separated numbers"
                    + (key.equals("patterns") ? " or N:M" : "") + ", got '" + text + "'");
        }
    }

    private static List<Double> numbers(Args a, String key) {
        return names(a.required(key)).stream().map(t -> number(t, key)).toList();
    }

    /** GradMAP is iterative (one backward per decision) with both compensations; the others one-shot. */
    static LayerPruningGrid.Method method(String name, long seed) {
        if (name.equals("gradmap-oneshot")) {
            return new LayerPruningGrid.Method(name, LayerMetrics.byName("gradmap", seed), LayerPruner.Mode.ONE_SHOT,
                    List.of(Compensation.NONE, Compensation.PROJECTION));
        }
        if (!LayerMetrics.NAMES.contains(name)) {
            throw new Args.UsageException("experiment: unknown method " + name + " (accepted: "
                    + String.join(", ", METHODS) + ")");
        }
        if (name.equals("gradmap")) {
            return new LayerPruningGrid.Method(name, LayerMetrics.byName(name, seed), LayerPruner.Mode.ITERATIVE,
                    List.of(Compensation.NONE, Compensation.PROJECTION, Compensation.MEAN_ONLY));
        }
        return new LayerPruningGrid.Method(name, LayerMetrics.byName(name, seed), LayerPruner.Mode.ONE_SHOT,
                List.of(Compensation.NONE, Compensation.PROJECTION));
    }

    /** Comma-separated names; {@code none} is the empty list. */
    private static List<String> names(String csv) {
        if (csv.trim().equals("none")) return List.of();
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static List<Integer> integers(Args a, String key, List<Integer> fallback) {
        if (!a.has(key)) return fallback;
        try {
            return names(a.required(key)).stream().map(Integer::parseInt).toList();
        } catch (NumberFormatException e) {
            throw new Args.UsageException("experiment: --" + key + " takes comma-separated integers, got "
                    + a.required(key));
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
