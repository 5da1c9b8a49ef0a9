package prunekit.experiment;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import prunekit.eval.ChoiceTask;
import prunekit.eval.Protocol;
import prunekit.eval.ResultRecord;
import prunekit.model.LlamaModel;
import prunekit.sparsity.Gblm;
import prunekit.sparsity.MaskStats;
import prunekit.sparsity.SparsityPattern;
import prunekit.sparsity.WeightMethods;
import prunekit.sparsity.WeightPruner;
import prunekit.sparsity.WeightPruningMethod;
import prunekit.stats.WeightGradients;

/**
 * The weight-pruning results grid of the GBLM-Pruner notebook: every weight method × sparsity
 * pattern (50 % unstructured, 2:4, 4:8 by default), an unstructured sparsity sweep, the effect of
 * the number of calibration windows and of α, each pruned model evaluated by perplexity (and
 * multiple-choice tasks at the main patterns), with the wall time of pruning and of GBLM's gradient
 * statistics. Every number becomes a {@link ResultRecord}; the notebook and the leaderboard read them.
 *
 * <p>GBLM's statistics are computed once on the dense model for the full calibration set (and once
 * per smaller count of the calibration study), as the paper does; their time is its own record
 * ({@code gradient_s}) so that a method's total is {@code prune_s + gradient_s}.
 */
public final class WeightPruningGrid {

    /** The GBLM-Pruner notebook's calibration and evaluation. */
    public static final Evaluation EVALUATION = new Evaluation(
            Protocol.DEFAULT,                   // protocol: brown calibration -> sotu, moby-dick (+ brown), 128 and 256, 32,768 tokens
            128,                                // calibSamples: the papers' count
            256,                                // calibSeqLen: tokens per calibration window
            0,                                  // seed: calibration sampling seed
            List.of("cloze", "next-sentence", "minimal-pair"),   // tasks: every substitute task (data/tasks/)
            0,                                  // taskLimit: items per task (0 = all)
            true);                              // progress: a line per pruned model, progress bars

    /**
     * @param patterns    the main patterns: every method at each
     * @param sweep       extra unstructured sparsities for the sweep; 0.5 comes from the main run
     * @param calibCounts smaller calibration counts for Wanda and GBLM at 50 %; empty = none
     * @param alphas      GBLM's α values at 50 % besides 100; empty = none
     * @param evaluation  calibration windows, perplexity and tasks
     */
    public record Config(List<SparsityPattern> patterns, List<Double> sweep, List<Integer> calibCounts,
                         List<Double> alphas, Evaluation evaluation) {

        public static final Config DEFAULT = new Config(
                List.of(SparsityPattern.unstructured(0.5),          // patterns: 50 % unstructured,
                        SparsityPattern.nm(2, 4),                   //   2:4 and
                        SparsityPattern.nm(4, 8)),                  //   4:8
                List.of(0.1, 0.3, 0.6, 0.7),                        // sweep: unstructured sparsities
                List.of(16, 64),                                    // calibCounts: fewer calibration windows
                List.of(0.0, 10.0, 1000.0, 10000.0),                // alphas: GBLM's α besides 100
                EVALUATION);

        public Config {
            patterns = List.copyOf(patterns);
            sweep = List.copyOf(sweep);
            calibCounts = List.copyOf(calibCounts);
            alphas = List.copyOf(alphas);
            if (evaluation == null) throw new IllegalArgumentException("an evaluation is required");
            if (patterns.isEmpty()) throw new IllegalArgumentException("at least one sparsity pattern is required");
            for (double s : sweep) {
                if (!(s >= 0 && s < 1)) throw new IllegalArgumentException("sweep sparsities must be in [0, 1), got " + s);
            }
            for (int n : calibCounts) {
                if (n < 1 || n > evaluation.calibSamples()) {
                    throw new IllegalArgumentException("calibration counts must be in 1.." + evaluation.calibSamples()
                            + ", got " + n);
                }
            }
        }
    }

    private WeightPruningGrid() {}

    /** Runs the grid for {@code methods} (names from {@link WeightMethods#NAMES}) on {@code model}, left dense. */
    public static void run(LlamaModel model, List<String> methods, Config config, Consumer<ResultRecord> sink) {
        List<WeightPruningMethod> named = methods.stream().map(WeightMethods::byName).toList();   // names checked first
        Evaluation eval = config.evaluation();
        int[][] calibration = eval.calibration(model);
        Cells cells = new Cells(model, eval, model.device().toString(), sink);
        WeightGradients grads = patternsAndSweep(model, named, config, calibration, cells);
        boolean gradients = grads != null;
        SparsityPattern half = SparsityPattern.unstructured(0.5);
        // 3. fewer calibration windows (Wanda and GBLM), the first n of the same sample
        for (int n : config.calibCounts()) {
            if (n == calibration.length) continue;
            int[][] fewer = Arrays.copyOf(calibration, n);
            WeightGradients g = gradients ? cells.gradients(fewer) : null;
            for (String name : List.of("wanda", "gblm")) {
                if (methods.contains(name)) {
                    cells.prune(name, WeightMethods.byName(name), half, g, fewer, List.of(), ";samples");
                }
            }
        }
        // 4. GBLM's α (l2), and the l1 accumulation at α = 100
        if (methods.contains("gblm")) {
            for (double alpha : config.alphas()) {
                if (alpha == WeightGradients.DEFAULT_SCALE) continue;
                cells.prune("gblm", new Gblm(WeightGradients.Norm.L2, alpha), half, grads, calibration, List.of(),
                        ";alpha=" + alpha);
            }
            if (!config.alphas().isEmpty()) {
                cells.prune("gblm", new Gblm(WeightGradients.Norm.L1, WeightGradients.DEFAULT_SCALE), half, grads,
                        calibration, List.of(), ";norm=l1");
            }
        }
    }

    /**
     * The dense model, then every method at each main pattern and at each sweep sparsity, recorded
     * under its {@link WeightPruningMethod#name()}: the grid for methods that have no name in
     * {@link WeightMethods} — a metric written in a notebook, e.g. a {@code WeightImportance.named(...)}
     * lambda — measured exactly as the built-in ones.
     */
    public static void runMethods(LlamaModel model, List<? extends WeightPruningMethod> methods, Config config,
            Consumer<ResultRecord> sink) {
        Evaluation eval = config.evaluation();
        patternsAndSweep(model, methods, config, eval.calibration(model),
                new Cells(model, eval, model.device().toString(), sink));
    }

    /** Steps 0–2: the dense model, the main patterns (with tasks), the sweep; returns GBLM's statistics, if any. */
    private static WeightGradients patternsAndSweep(LlamaModel model, List<? extends WeightPruningMethod> methods,
            Config config, int[][] calibration, Cells cells) {
        List<ChoiceTask> tasks = config.evaluation().loadTasks();
        config.evaluation().evaluate(model, cells.run("dense", "sparsity=0", -1), keptParameters(model), tasks,
                cells.sink());
        boolean gradients = methods.stream().anyMatch(WeightPruningMethod::needsGradients);
        WeightGradients grads = gradients ? cells.gradients(calibration) : null;
        // 1. every method at each main pattern, with tasks
        for (WeightPruningMethod m : methods) {
            for (SparsityPattern p : config.patterns()) cells.prune(m.name(), m, p, grads, calibration, tasks, "");
        }
        // 2. the unstructured sweep
        for (WeightPruningMethod m : methods) {
            for (double s : config.sweep()) {
                cells.prune(m.name(), m, SparsityPattern.unstructured(s), grads, calibration, List.of(), ";sweep");
            }
        }
        return grads;
    }

    /** Parameters a model keeps: its count less the zeros in its decoder linear weights. */
    static long keptParameters(LlamaModel m) {
        return m.parameterCount() - Math.round(WeightPruner.sparsity(m) * MaskStats.linearParameters(m));
    }

    /** One cell of the grid after another, on copies of the dense model, recorded as they finish. */
    private record Cells(LlamaModel dense, Evaluation eval, String device, Consumer<ResultRecord> sink) {

        ResultRecord.Run run(String method, String settings, long seed) {
            return new ResultRecord.Run(method, settings, seed, device);
        }

        /** GBLM's gradient statistics on the dense model, with their time as a record. */
        WeightGradients gradients(int[][] calibration) {
            WeightGradients g = WeightGradients.compute(dense, calibration, WeightGradients.DEFAULT_SCALE);
            sink.accept(Evaluation.number(dense.config().name(), run("gblm",
                    "statistics;calib=" + eval.calibrationLabel(calibration.length), eval.seed()), "gradient_s",
                    g.seconds(), calibration));
            return g;
        }

        /** {@code method} at pattern {@code p}: pruning time, sparsity, then the pruned model's evaluation. */
        void prune(String name, WeightPruningMethod method, SparsityPattern p, WeightGradients grads,
                int[][] calibration, List<ChoiceTask> tasks, String tag) {
            WeightPruner.Result r = WeightPruner.prune(dense, method, grads, calibration, WeightPruner.Config.of(p));
            try (LlamaModel pruned = r.model()) {
                String settings = p.settings() + tag + ";calib=" + eval.calibrationLabel(calibration.length);
                ResultRecord.Run run = run(name, settings, eval.seed());
                sink.accept(Evaluation.number(dense.config().name(), run, "prune_s", r.seconds(), calibration));
                sink.accept(Evaluation.number(dense.config().name(), run, "sparsity", r.overallSparsity(), calibration));
                eval.evaluate(pruned, run, keptParameters(pruned), tasks, sink);
            }
        }
    }
}
