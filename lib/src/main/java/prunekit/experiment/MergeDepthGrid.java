package prunekit.experiment;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import prunekit.eval.ChoiceTask;
import prunekit.eval.Protocol;
import prunekit.eval.ResultRecord;
import prunekit.merge.MergeRule;
import prunekit.merge.SlidingMerge;
import prunekit.model.LlamaModel;
import prunekit.recover.Recovery;

/**
 * Sliding Layer Merging at target depths (Ding et al., arXiv 2502.19159: the paper chooses its threshold T
 * to reach a compression ratio, e.g. 20 % and 35 % of the layers), each merged model measured as the layer
 * grid measures its removals ({@link LayerPruningGrid}), so that merging and dropping the same number of
 * layers pair up window by window and item by item.
 *
 * <p>For each depth K, {@link SlidingMerge#toDepth} searches the T whose top-down merges remove K layers; the
 * records of that model carry {@code remove=K} (the selector the layer grid uses), the rule, the chosen T,
 * the merge range, the merged windows, whether the search had to stop at K ({@code stopped=true}: no T
 * removes exactly K) and the calibration; {@code select_s} is the wall time of the search and the merge,
 * {@code similarities} the candidate merges it evaluated. The dense model is measured first ({@code remove=0})
 * unless the config says the record has it already.
 *
 * <p>Recovery (optional, {@link Config#recovery}): each merged model, once measured, is fine-tuned with LoRA
 * and measured again as {@code slm+lora}, exactly as {@link LayerPruningGrid} recovers its removals, so SLM
 * and the layer-dropping methods meet before and after the same recovery budget (the paper's second claim).
 */
public final class MergeDepthGrid {

    /** The paper's calibration (10 windows of 128 tokens) on the evaluation protocol, tasks whole. */
    public static final Evaluation EVALUATION = new Evaluation(
            Protocol.DEFAULT,                   // protocol: brown calibration -> sotu, moby-dick (+ brown), 128 and 256, 32,768 tokens
            SlidingMerge.PAPER_SAMPLES,         // calibSamples: 10, as the official code
            SlidingMerge.PAPER_SEQLEN,          // calibSeqLen: 128 tokens, as the official code
            0,                                  // seed: calibration sampling seed
            List.of("cloze", "next-sentence", "minimal-pair"),   // tasks: every substitute task (data/tasks/)
            0,                                  // taskLimit: items per task (0 = all)
            true);                              // progress: a line per merged model, progress bars

    /**
     * @param layersToRemove depths K to reach, each by its own threshold search
     * @param taskDepths     depths at which the tasks run; empty = every depth
     * @param rule           how a window becomes one layer
     * @param protectLow     L, the lowest layer that may be merged; -1 = {@link SlidingMerge.Config#forModel}'s
     * @param protectHigh    H, the highest layer that may be merged; -1 = {@link SlidingMerge.Config#forModel}'s
     * @param evaluation     calibration windows, perplexity and tasks
     * @param dense          measure the dense model first ({@code remove=0}); false when the record the
     *                       results join already holds it on the same windows and items
     * @param recovery       LoRA recovery after each merged model, or null for none
     */
    public record Config(List<Integer> layersToRemove, Set<Integer> taskDepths, MergeRule rule, int protectLow,
                         int protectHigh, Evaluation evaluation, boolean dense, Recovery.Config recovery) {

        public static final Config DEFAULT = new Config(
                List.of(3, 6, 9),                   // layersToRemove: 10 %, 20 %, 30 % of SmolLM2's 30 layers (the layer grid's)
                Set.of(),                           // taskDepths: tasks at every depth
                MergeRule.PAPER,                    // rule: the paper's equation
                -1, -1,                             // merge range: [1, layers - 2]
                EVALUATION,
                true,                               // dense: the dense model measured first
                null);                              // recovery: none

        public Config {
            layersToRemove = LayerPruningGrid.depths(layersToRemove);
            taskDepths = Set.copyOf(taskDepths);
            if (evaluation == null) throw new IllegalArgumentException("an evaluation is required");
        }

        /** Without recovery. */
        public Config(List<Integer> layersToRemove, Set<Integer> taskDepths, MergeRule rule, int protectLow,
                      int protectHigh, Evaluation evaluation, boolean dense) {
            this(layersToRemove, taskDepths, rule, protectLow, protectHigh, evaluation, dense, null);
        }

        /** This grid merging only inside [low, high]. */
        public Config withProtect(int low, int high) {
            return new Config(layersToRemove, taskDepths, rule, low, high, evaluation, dense, recovery);
        }

        /** This grid with LoRA recovery after each merged model. */
        public Config withRecovery(Recovery.Config r) {
            return new Config(layersToRemove, taskDepths, rule, protectLow, protectHigh, evaluation, dense, r);
        }

        /** The search settings for a model of {@code layers} layers (the threshold is searched). */
        SlidingMerge.Config search(int layers) {
            SlidingMerge.Config c = SlidingMerge.Config.forModel(layers);
            return protectLow < 0 ? c : c.withProtect(protectLow, protectHigh);
        }
    }

    private MergeDepthGrid() {}

    /**
     * Runs the grid on {@code model} (left unchanged), handing every record to {@code sink} as soon as it
     * is measured.
     */
    public static void run(LlamaModel model, Config config, Consumer<ResultRecord> sink) {
        Evaluation eval = config.evaluation();
        int[][] calibration = eval.calibration(model);
        List<ChoiceTask> tasks = eval.loadTasks();
        String device = model.device().toString();
        String name = model.config().name();
        SlidingMerge.Config search = config.search(model.config().layers());
        if (config.dense()) {
            eval.evaluate(model, new ResultRecord.Run("dense", "remove=0", -1, device), model.parameterCount(), tasks, sink);
        }
        for (int k : config.layersToRemove()) {
            SlidingMerge.Result r = SlidingMerge.toDepth(model, config.rule(), calibration, search, k);
            try (LlamaModel merged = r.model()) {
                String settings = merges(k, r, search) + ";calib=" + eval.calibrationLabel(calibration.length);
                ResultRecord.Run run = new ResultRecord.Run("slm", settings, eval.seed(), device);
                if (eval.progress()) {
                    System.out.printf("slm %d layers: T=%.6f merged %s (stopped=%b), %d similarities, %.1f s%n", k,
                            r.config().threshold(), r.mergesText(), r.stopped(), r.similarities(), r.seconds());
                }
                sink.accept(Evaluation.number(name, run, "select_s", r.seconds(), calibration));
                sink.accept(Evaluation.number(name, run, "similarities", r.similarities(), calibration));
                boolean withTasks = config.taskDepths().isEmpty() || config.taskDepths().contains(k);
                List<ChoiceTask> measured = withTasks ? tasks : List.of();
                eval.evaluate(merged, run, merged.parameterCount(), measured, sink);
                if (config.recovery() != null) {
                    LayerPruningGrid.recover(merged, run, config.recovery(), eval, measured, calibration, sink);
                }
            }
        }
    }

    /** What SLM did, as settings: {@code remove=K;rule=...;threshold=...;range=L..H;merged_windows=...;stopped=...}. */
    static String merges(int removed, SlidingMerge.Result r, SlidingMerge.Config search) {
        return String.format(java.util.Locale.ROOT, "remove=%d;rule=%s;threshold=%.6f;range=%d..%d;merged_windows=%s;stopped=%b",
                removed, r.rule(), r.config().threshold(), search.protectLow(), search.protectHigh(), r.mergesText(),
                r.stopped());
    }
}
