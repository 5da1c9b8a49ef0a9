package prunekit.experiment;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import prunekit.data.CalibrationSampler;
import prunekit.eval.ChoiceTask;
import prunekit.eval.ModelScorer;
import prunekit.eval.MultipleChoice;
import prunekit.eval.Perplexity;
import prunekit.eval.ResultRecord;
import prunekit.eval.TaskLoader;
import prunekit.model.LlamaModel;
import prunekit.sparsity.Gblm;
import prunekit.sparsity.Magnitude;
import prunekit.sparsity.SparseGpt;
import prunekit.sparsity.SparsityPattern;
import prunekit.sparsity.Wanda;
import prunekit.sparsity.WeightImportance;
import prunekit.sparsity.WeightPruner;
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

    /** Method names accepted by {@link #method}. */
    public static final List<String> METHODS = List.of("magnitude", "wanda", "sparsegpt", "gblm");

    /**
     * @param patterns     the main patterns: every method at each (50 %, 2:4, 4:8)
     * @param sweep        extra unstructured sparsities for the sweep (0.1, 0.3, 0.6, 0.7); 0.5 comes from the main run
     * @param calibCounts  smaller calibration counts for Wanda and GBLM at 50 % (e.g. 16, 64); empty = none
     * @param alphas       GBLM's α values at 50 % besides 100 (0, 10, 1000, 10000); empty = none
     * @param calibCorpus  corpus of the calibration windows, calibration split ("brown")
     * @param calibSamples calibration windows (128, the papers' count)
     * @param calibSeqLen  tokens per calibration window (256)
     * @param seed         calibration sampling seed (0)
     * @param evalCorpus   corpus whose test split gives perplexity ("brown")
     * @param evalSeqLen   perplexity window (256)
     * @param evalTokens   perplexity tokens, 0 = whole split (16384)
     * @param tasks        multiple-choice tasks, run on the main patterns' models (minimal-pair, cloze)
     * @param taskLimit    items per task, 0 = all (200)
     * @param progress     print a line per pruned model and progress bars
     */
    public record Config(List<SparsityPattern> patterns, List<Double> sweep, List<Integer> calibCounts,
                         List<Double> alphas, String calibCorpus, int calibSamples, int calibSeqLen, long seed,
                         String evalCorpus, int evalSeqLen, long evalTokens, List<String> tasks, int taskLimit,
                         boolean progress) {

        public static final Config DEFAULT = new Config(
                List.of(SparsityPattern.unstructured(0.5), SparsityPattern.nm(2, 4), SparsityPattern.nm(4, 8)),
                List.of(0.1, 0.3, 0.6, 0.7), List.of(16, 64), List.of(0.0, 10.0, 1000.0, 10000.0),
                "brown", 128, 256, 0, "brown", 256, 16384, List.of("minimal-pair", "cloze"), 200, true);

        public Config {
            patterns = List.copyOf(patterns);
            sweep = List.copyOf(sweep);
            calibCounts = List.copyOf(calibCounts);
            alphas = List.copyOf(alphas);
            tasks = List.copyOf(tasks);
            if (patterns.isEmpty()) throw new IllegalArgumentException("at least one sparsity pattern is required");
            for (double s : sweep) {
                if (!(s >= 0 && s < 1)) throw new IllegalArgumentException("sweep sparsities must be in [0, 1), got " + s);
            }
            for (int n : calibCounts) {
                if (n < 1 || n > calibSamples) {
                    throw new IllegalArgumentException("calibration counts must be in 1.." + calibSamples + ", got " + n);
                }
            }
            if (calibSamples < 1) throw new IllegalArgumentException("calibSamples must be >= 1, got " + calibSamples);
        }

        String calibration(int n) {
            return calibCorpus + ":" + n + "x" + calibSeqLen;
        }
    }

    private WeightPruningGrid() {}

    /** Runs the grid for {@code methods} (names from {@link #METHODS}) on {@code model}, left dense. */
    public static void run(LlamaModel model, List<String> methods, Config config, Consumer<ResultRecord> sink) {
        for (String m : methods) method(m);                                      // names checked before any work
        int[][] calibration = CalibrationSampler.sample(config.calibCorpus(), model.tokenizer(),
                new CalibrationSampler.Config(config.calibSamples(), config.calibSeqLen(), config.seed()))
                .toArray(new int[0][]);
        List<ChoiceTask> tasks = config.tasks().stream()
                .map(t -> config.taskLimit() > 0 ? TaskLoader.load(t).limit(config.taskLimit()) : TaskLoader.load(t))
                .toList();
        String device = model.device().toString();
        Evaluator eval = new Evaluator(model, config, sink);
        eval.evaluate(model, new ResultRecord.Run("dense", "sparsity=0", -1, device), tasks);

        WeightGradients grads = null;
        if (methods.contains("gblm")) {
            grads = WeightGradients.compute(model, calibration, WeightGradients.DEFAULT_SCALE);
            sink.accept(eval.number(new ResultRecord.Run("gblm", "statistics;calib=" + config.calibration(calibration.length),
                    config.seed(), device), "gradient_s", grads.seconds(), calibration));
        }
        // 1. every method at each main pattern, with tasks
        for (String name : methods) {
            for (SparsityPattern p : config.patterns()) {
                prune(model, name, method(name), p, grads, calibration, config, device, eval, tasks, "");
            }
        }
        // 2. the unstructured sweep
        for (String name : methods) {
            for (double s : config.sweep()) {
                prune(model, name, method(name), SparsityPattern.unstructured(s), grads, calibration, config, device,
                        eval, List.of(), ";sweep");
            }
        }
        SparsityPattern half = SparsityPattern.unstructured(0.5);
        // 3. fewer calibration windows (Wanda and GBLM), the first n of the same sample
        for (int n : config.calibCounts()) {
            if (n == calibration.length) continue;
            int[][] fewer = Arrays.copyOf(calibration, n);
            WeightGradients g = null;
            if (methods.contains("gblm")) {
                g = WeightGradients.compute(model, fewer, WeightGradients.DEFAULT_SCALE);
                sink.accept(eval.number(new ResultRecord.Run("gblm", "statistics;calib=" + config.calibration(n),
                        config.seed(), device), "gradient_s", g.seconds(), fewer));
            }
            for (String name : List.of("wanda", "gblm")) {
                if (methods.contains(name)) {
                    prune(model, name, method(name), half, g, fewer, config, device, eval, List.of(), ";samples");
                }
            }
        }
        // 4. GBLM's α (l2), and the l1 accumulation at α = 100
        if (methods.contains("gblm")) {
            for (double alpha : config.alphas()) {
                if (alpha == WeightGradients.DEFAULT_SCALE) continue;
                prune(model, "gblm", new Gblm(WeightGradients.Norm.L2, alpha), half, grads, calibration, config, device,
                        eval, List.of(), ";alpha=" + alpha);
            }
            if (!config.alphas().isEmpty()) {
                prune(model, "gblm", new Gblm(WeightGradients.Norm.L1, WeightGradients.DEFAULT_SCALE), half, grads,
                        calibration, config, device, eval, List.of(), ";norm=l1");
            }
        }
    }

    /** A method by name: a {@link WeightImportance} metric, or {@link SparseGpt#DEFAULT}. */
    public static Object method(String name) {
        switch (name) {
            case "magnitude": return new Magnitude();
            case "wanda": return new Wanda();
            case "gblm": return Gblm.DEFAULT;
            case "sparsegpt": return SparseGpt.DEFAULT;
            default:
                throw new IllegalArgumentException("unknown weight-pruning method '" + name + "' (accepted: "
                        + String.join(", ", METHODS) + ")");
        }
    }

    private static void prune(LlamaModel model, String name, Object method, SparsityPattern p, WeightGradients grads,
            int[][] calibration, Config config, String device, Evaluator eval, List<ChoiceTask> tasks, String tag) {
        WeightPruner.Config cfg = WeightPruner.Config.of(p);
        WeightPruner.Result r = method instanceof SparseGpt sg
                ? WeightPruner.prune(model, sg, calibration, cfg)
                : WeightPruner.prune(model, (WeightImportance) method, grads, calibration, cfg);
        try (LlamaModel pruned = r.model()) {
            String settings = p.settings() + tag + ";calib=" + config.calibration(calibration.length);
            ResultRecord.Run run = new ResultRecord.Run(name, settings, config.seed(), device);
            eval.sink.accept(eval.number(run, "prune_s", r.seconds(), calibration));
            eval.sink.accept(eval.number(run, "sparsity", r.overallSparsity(), calibration));
            eval.evaluate(pruned, run, tasks);
        }
    }

    /** Perplexity, kept parameters and tasks of one model, as records. */
    private static final class Evaluator {
        final LlamaModel dense;
        final Config config;
        final Consumer<ResultRecord> sink;

        Evaluator(LlamaModel dense, Config config, Consumer<ResultRecord> sink) {
            this.dense = dense;
            this.config = config;
            this.sink = sink;
        }

        void evaluate(LlamaModel m, ResultRecord.Run run, List<ChoiceTask> tasks) {
            ModelScorer scorer = new ModelScorer(m);
            Perplexity.Result ppl = Perplexity.ofSplit(scorer, m.tokenizer(), config.evalCorpus(), "test",
                    new Perplexity.Config(config.evalSeqLen(), config.evalTokens(), 4, config.progress()));
            sink.accept(ResultRecord.of(run, ppl));
            double zeros = WeightPruner.sparsity(m);
            long linear = linearParameters(m);
            sink.accept(new ResultRecord(Instant.now(), m.config().name(), run.method(), run.settings(), "model", 0,
                    run.seed(), run.device(), 0, "params", m.parameterCount() - Math.round(zeros * linear), Double.NaN,
                    m.config().layers()));
            StringBuilder line = new StringBuilder(String.format("  %-10s %-40s ppl %.2f", run.method(),
                    run.settings().replaceAll(";calib=.*", ""), ppl.ppl()));
            for (ChoiceTask task : tasks) {
                MultipleChoice.Result r = MultipleChoice.evaluate(scorer, m.tokenizer(), task,
                        new MultipleChoice.Config(16, false));
                ResultRecord.of(run, r, m.config().maxSequenceLength()).forEach(sink);
                line.append(String.format("  %s %.3f/%.3f", task.name(), r.acc(), r.accNorm()));
            }
            if (config.progress()) System.out.println(line);
        }

        ResultRecord number(ResultRecord.Run run, String metric, double value, int[][] calibration) {
            return new ResultRecord(Instant.now(), dense.config().name(), run.method(), run.settings(), "calibration",
                    calibration[0].length, run.seed(), run.device(), value, metric, value, Double.NaN, calibration.length);
        }
    }

    /** Weights inside the decoder's linear layers (what unstructured sparsity applies to). */
    static long linearParameters(LlamaModel m) {
        long n = 0;
        for (var lw : m.layers()) {
            for (var w : lw.linears().values()) n += w.size();
        }
        return n;
    }
}
