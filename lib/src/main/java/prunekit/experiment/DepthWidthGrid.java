package prunekit.experiment;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import prunekit.eval.ChoiceTask;
import prunekit.eval.Protocol;
import prunekit.eval.ResultRecord;
import prunekit.importance.BlockInfluence;
import prunekit.merge.MergeRule;
import prunekit.merge.SlidingMerge;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.prune.LayerPruner;
import prunekit.width.UnitImportance;
import prunekit.width.WidthPlan;
import prunekit.width.WidthPruner;
import prunekit.width.WidthStructure;

/**
 * Depth, width, and both, at matched parameter counts. The official Sliding Layer Merging code (Ding et al.,
 * arXiv 2502.19159) fuses SLM with LLM-Pruner's structured width pruning (Ma, Fang, Wang, arXiv 2305.11627):
 * it merges layers, then narrows the merged model. For each target share t of the model's P parameters (all of
 * them, embedding and head included, which no depth method can remove), this grid builds models that each remove
 * about t·P and measures them on the same windows and items:
 * <ol>
 *   <li>depth: SLM merging away the K layers whose parameters come closest to t·P ({@code slm}), and, for
 *       reference, Block Influence dropping the same K layers, one shot ({@code block-influence});</li>
 *   <li>width: every layer narrowed by the plan that removes t·P ({@link WidthPlan#forRatio}; MLP channels only
 *       by default, as measured better on SmolLM2) ({@code width-<importance>});</li>
 *   <li>depth + width: SLM merging round(split·K) layers, then the merged model narrowed by the share of its own
 *       parameters that brings the total to P − t·P ({@code slm+width}).</li>
 * </ol>
 * Depth meets the target to the nearest layer; width to the nearest MLP channel in every layer, and the run checks
 * that each width model is within one such channel ({@link #channelGranularity}) of it. Every model's
 * {@code params} is recorded, and its settings start with {@code target=t}, so that
 * {@code RecordSet.compare("slm+width", "target=0.20", "slm", "target=0.20", "ppl sotu@128")} pairs two of them
 * window by window. SLM and Block Influence see the paper's calibration (the evaluation's windows, 10 × 128);
 * width scores see {@link Config#widthSamples} windows of the same length from the same corpus and seed.
 */
public final class DepthWidthGrid {

    /** SLM's calibration (the official code's 10 windows of 128 tokens) on the evaluation protocol, tasks whole. */
    public static final Evaluation EVALUATION = MergeDepthGrid.EVALUATION;

    /**
     * @param targets         shares of the model's parameters to remove, each in (0, 1)
     * @param split           the share of the depth-only layer count that {@code slm+width} merges, in (0, 1)
     * @param importance      what scores the width units
     * @param kvGroupsRemoved key/value groups removed from every layer by width (the MLP channels do the rest)
     * @param widthSamples    calibration windows of the width scores' backward pass
     * @param evaluation      the depth calibration (SLM, Block Influence), perplexity and tasks
     * @param dense           measure the dense model first ({@code target=0})
     */
    public record Config(List<Double> targets, double split, UnitImportance importance, int kvGroupsRemoved,
                         int widthSamples, Evaluation evaluation, boolean dense) {

        public static final Config DEFAULT = new Config(
                List.of(0.20, 0.35),                // targets: the paper's ratios, applied to the parameters
                0.5,                                // split: slm+width merges half the layers slm alone merges
                UnitImportance.TAYLOR_ELEMENT,      // importance: LLM-Pruner's script default
                0,                                  // kvGroupsRemoved: MLP channels only (better on SmolLM2)
                16,                                 // widthSamples: prune --method width-*'s 16 windows
                EVALUATION,
                true);                              // dense: the dense model measured first

        public Config {
            targets = List.copyOf(targets);
            if (targets.isEmpty()) throw new IllegalArgumentException("list at least one target share, e.g. 0.2");
            for (double t : targets) {
                if (!(t > 0 && t < 1)) {
                    throw new IllegalArgumentException("target " + t + " is outside (0, 1): the share of the model's"
                            + " parameters to remove, e.g. 0.2");
                }
            }
            if (!(split > 0 && split < 1)) {
                throw new IllegalArgumentException("split " + split + " is outside (0, 1): the share of the depth-only"
                        + " layer count that slm+width merges, e.g. 0.5");
            }
            if (kvGroupsRemoved < 0) throw new IllegalArgumentException("kvGroupsRemoved must be >= 0, got " + kvGroupsRemoved);
            if (widthSamples < 1) throw new IllegalArgumentException("widthSamples must be >= 1, got " + widthSamples);
            if (importance == null || evaluation == null) {
                throw new IllegalArgumentException("an importance and an evaluation are required");
            }
        }

        /** The width scores' calibration: {@link #widthSamples} windows, otherwise the evaluation's. */
        Evaluation widthEvaluation() {
            return new Evaluation(evaluation.protocol(), widthSamples, evaluation.calibSeqLen(), evaluation.seed(),
                    evaluation.tasks(), evaluation.taskLimit(), evaluation.progress());
        }
    }

    private DepthWidthGrid() {}

    /** K: the number of whole layers whose parameters come closest to t·P. */
    public static int depthFor(LlamaConfig c, double target) {
        return (int) Math.round(target * c.parameterCount() / c.parametersPerLayer());
    }

    /** How finely width meets a parameter count: one MLP channel in every layer (L · 3 · hidden parameters). */
    public static long channelGranularity(LlamaConfig c) {
        return c.layers() * WidthStructure.CHANNELS.parametersPerUnit(c);
    }

    /** {@code 0.20}, {@code 0.35}, {@code 0.275}: a target as written in the settings (at least two decimals). */
    static String label(double target) {
        BigDecimal t = BigDecimal.valueOf(target).stripTrailingZeros();
        return t.setScale(Math.max(2, t.scale())).toPlainString();
    }

    /**
     * Runs the grid on {@code model} (left unchanged), handing every record to {@code sink} as soon as it is
     * measured.
     */
    public static void run(LlamaModel model, Config config, Consumer<ResultRecord> sink) {
        Evaluation eval = config.evaluation();
        Evaluation widthEval = config.widthEvaluation();
        int[][] depthCalib = eval.calibration(model);
        int[][] widthCalib = widthEval.calibration(model);
        String depthLabel = eval.calibrationLabel(depthCalib.length);
        String widthLabel = widthEval.calibrationLabel(widthCalib.length);
        LlamaConfig c = model.config();
        SlidingMerge.Config search = SlidingMerge.Config.forModel(c.layers());
        Bench bench = new Bench(eval, c.name(), model.device().toString(), eval.loadTasks(), sink);
        if (config.dense()) {
            eval.evaluate(model, new ResultRecord.Run("dense", "target=0", -1, bench.device()), model.parameterCount(),
                    bench.tasks(), sink);
        }
        for (double t : config.targets()) {
            double kept = c.parameterCount() - t * c.parameterCount();       // the parameters every model keeps
            int k = depthFor(c, t);
            if (k < 1) {
                throw new IllegalArgumentException("target " + t + " of " + c.name() + "'s " + c.parameterCount()
                        + " parameters is less than half a layer (" + c.parametersPerLayer() + "): raise the target");
            }
            String target = "target=" + label(t) + ";";

            // 1. depth: SLM to K layers, and Block Influence dropping the same K
            SlidingMerge.Result slm = SlidingMerge.toDepth(model, MergeRule.PAPER, depthCalib, search, k);
            try (LlamaModel merged = slm.model()) {
                ResultRecord.Run run = bench.measure(merged, "slm", target + merges(slm, search) + ";calib=" + depthLabel,
                        slm.seconds(), Double.NaN, depthCalib);
                sink.accept(Evaluation.number(c.name(), run, "similarities", slm.similarities(), depthCalib));
            }
            LayerPruner.Result bi = LayerPruner.prune(model, BlockInfluence.DEFAULT, depthCalib, LayerPruner.Config.oneShot(k));
            try (LlamaModel dropped = bi.model()) {
                String removed = bi.removed().stream().map(String::valueOf).collect(Collectors.joining(" "));
                bench.measure(dropped, "block-influence", target + "remove=" + k + ";mode=one-shot;removed=" + removed
                        + ";calib=" + depthLabel, bi.selectionSeconds(), Double.NaN, depthCalib);
            }

            // 2. width: the plan that removes t·P from every layer alike
            WidthPlan plan = WidthPlan.forRatio(c, t, config.kvGroupsRemoved());
            WidthPruner.Result width = WidthPruner.prune(model, widthCalib, config.importance(), plan);
            try (LlamaModel narrowed = width.model()) {
                requireNear(narrowed, kept, t);
                bench.measure(narrowed, "width-" + config.importance().name(), target + widthSettings(t, plan) + ";calib="
                        + widthLabel, width.selectionSeconds(), width.editSeconds(), widthCalib);
            }

            // 3. depth + width: SLM to round(split·K) layers, then the merged model narrowed to the same count
            int half = (int) Math.round(config.split() * k);
            if (half < 1) {
                throw new IllegalArgumentException("split " + config.split() + " of the " + k + " layers of target " + t
                        + " merges none: raise the split or the target");
            }
            SlidingMerge.Result part = SlidingMerge.toDepth(model, MergeRule.PAPER, depthCalib, search, half);
            try (LlamaModel merged = part.model()) {
                double ratio = (merged.parameterCount() - kept) / merged.parameterCount();   // of the merged model's own
                if (!(ratio > 0)) {
                    throw new IllegalArgumentException("split " + config.split() + ": merging " + half + " layers already"
                            + " removes " + (c.parameterCount() - merged.parameterCount()) + " parameters, the target "
                            + t + " only " + Math.round(t * c.parameterCount()) + ": lower the split");
                }
                WidthPlan rest = WidthPlan.forRatio(merged.config(), ratio, config.kvGroupsRemoved());
                WidthPruner.Result both = WidthPruner.prune(merged, widthCalib, config.importance(), rest);
                try (LlamaModel fused = both.model()) {
                    requireNear(fused, kept, t);
                    String settings = target + "split=" + config.split() + ";" + merges(part, search) + ";"
                            + widthSettings(ratio, rest) + ";calib=" + depthLabel + "+" + widthCalib.length + "x"
                            + widthEval.calibSeqLen();
                    ResultRecord.Run run = bench.measure(fused, "slm+width", settings, part.seconds() + both.selectionSeconds(),
                            both.editSeconds(), depthCalib);
                    sink.accept(Evaluation.number(c.name(), run, "similarities", part.similarities(), depthCalib));
                }
            }
        }
    }

    /**
     * Where the models of one run are measured: the evaluation, the dense model's name (which the timing records
     * carry, as in the other grids), the device, the tasks and the sink.
     */
    private record Bench(Evaluation eval, String model, String device, List<ChoiceTask> tasks, Consumer<ResultRecord> sink) {

        /**
         * Records the pruning's wall times ({@code select_s}, and {@code prune_s} unless NaN) on {@code calibration},
         * then evaluates {@code m} as {@code method} with {@code settings}; returns that run.
         */
        ResultRecord.Run measure(LlamaModel m, String method, String settings, double selectSeconds, double pruneSeconds,
                int[][] calibration) {
            ResultRecord.Run run = new ResultRecord.Run(method, settings, eval.seed(), device);
            sink.accept(Evaluation.number(model, run, "select_s", selectSeconds, calibration));
            if (!Double.isNaN(pruneSeconds)) sink.accept(Evaluation.number(model, run, "prune_s", pruneSeconds, calibration));
            if (eval.progress()) {
                System.out.printf(Locale.ROOT, "%s: %d layers, %d MLP channels, %d parameters, %.1f s%n", method,
                        m.config().layers(), m.config().intermediate(), m.parameterCount(),
                        selectSeconds + (Double.isNaN(pruneSeconds) ? 0 : pruneSeconds));
            }
            eval.evaluate(m, run, m.parameterCount(), tasks, sink);
            return run;
        }
    }

    /** What SLM did, as {@link MergeDepthGrid} writes it, with the layers it actually removed. */
    private static String merges(SlidingMerge.Result r, SlidingMerge.Config search) {
        return MergeDepthGrid.merges(r.layersRemoved(), r, search);
    }

    /** What width did, as settings: {@code width_ratio=...;kv_groups_removed=G;channels_removed=C}. */
    private static String widthSettings(double ratio, WidthPlan plan) {
        return String.format(Locale.ROOT, "width_ratio=%.6f;kv_groups_removed=%d;channels_removed=%d", ratio,
                plan.kvGroupsRemoved(), plan.channelsRemoved());
    }

    /** Fails unless a width model keeps {@code kept} parameters to within one MLP channel in every layer. */
    private static void requireNear(LlamaModel m, double kept, double target) {
        long tolerance = channelGranularity(m.config());
        if (Math.abs(m.parameterCount() - kept) > tolerance) {
            throw new IllegalStateException(String.format(Locale.ROOT, "target %s: %s keeps %d parameters, %.0f away from"
                    + " %.0f, more than one MLP channel per layer (%d)", target, m.config().name(), m.parameterCount(),
                    m.parameterCount() - kept, kept, tolerance));
        }
    }
}
