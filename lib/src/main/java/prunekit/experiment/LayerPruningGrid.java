package prunekit.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import prunekit.eval.ChoiceTask;
import prunekit.eval.Protocol;
import prunekit.eval.ResultRecord;
import prunekit.importance.LayerImportance;
import prunekit.model.LlamaModel;
import prunekit.prune.LayerMethods;
import prunekit.prune.LayerPruner;
import prunekit.prune.ProjectionCompensation;
import prunekit.recover.LoraAdapters;
import prunekit.recover.LoraConfig;
import prunekit.recover.Recovery;

/**
 * The layer-pruning results grid of the GradMAP notebook: every layer metric × number of layers
 * removed × compensation, each pruned model evaluated by perplexity and multiple-choice tasks, with
 * the wall time of layer selection and of compensation. Every number becomes a {@link ResultRecord}.
 *
 * <p>Selection runs once per method at the largest depth: a one-shot method removes the k lowest
 * scores of its single pass, so smaller depths are prefixes of its order; an iterative method
 * removes one layer per pass, so its first k passes are exactly a k-layer run. The selection time
 * recorded for depth k is therefore the single pass (one-shot) or the sum of the first k passes
 * (iterative) — what a k-layer run would have taken.
 *
 * <p>Compensation is applied at the surviving layer whose per-channel mean shifts most
 * ({@link ProjectionCompensation#largestShiftLayer}), on the same calibration windows used for selection.
 *
 * <p>Recovery (optional, {@link Config#recovery}): each uncompensated model, once measured, is fine-tuned with
 * LoRA ({@link Recovery}, {@link LoraConfig#DEFAULT}, adapters merged) and measured again, recorded as method
 * {@code <name>+lora} with the same settings plus {@code recovery=lora;recovery_steps=N}, so each method is
 * judged before and after the same recovery budget, as the layer-pruning papers report. Its {@code train_loss}
 * record is the last step's loss and carries the whole curve, one loss per step, as its units.
 */
public final class LayerPruningGrid {

    /** What is done after removal. */
    public enum Compensation {
        /** nothing: plain layer removal */
        NONE,
        /** GradMAP's least-squares projection folded into down_proj */
        PROJECTION,
        /** the ablation that only moves the mean */
        MEAN_ONLY;

        /** Lower-case name with a dash, as written in records. */
        public String label() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /**
     * One row family of the grid.
     *
     * @param name          name in the records, e.g. {@code "gradmap"}
     * @param metric        the layer-importance metric
     * @param mode          one-shot or iterative selection
     * @param compensations the compensations to evaluate (each on its own copy)
     */
    public record Method(String name, LayerImportance metric, LayerPruner.Mode mode, List<Compensation> compensations) {
        public Method {
            if (compensations.isEmpty()) throw new IllegalArgumentException(name + ": no compensation listed (use NONE)");
        }

        /**
         * The grid's form of the method {@code name} ({@link LayerMethods}' names), what {@code prunekit experiment
         * layer-pruning --methods name} runs: GradMAP's iterative variants (one backward pass per decision) with
         * no compensation, the projection and the mean-only ablation; their {@code -oneshot} forms and the other
         * metrics one-shot, with none and the projection.
         *
         * @throws IllegalArgumentException for an unknown name, listing the accepted ones
         */
        public static Method of(String name, long seed) {
            LayerMethods.Method m = LayerMethods.byName(name, seed);
            List<Compensation> compensations = LayerMethods.iterativeGradmap(name)
                    ? List.of(Compensation.NONE, Compensation.PROJECTION, Compensation.MEAN_ONLY)
                    : List.of(Compensation.NONE, Compensation.PROJECTION);
            return new Method(name, m.metric(), m.mode(), compensations);
        }
    }

    /** The GradMAP notebook's calibration and evaluation. */
    public static final Evaluation EVALUATION = new Evaluation(
            Protocol.DEFAULT,                   // protocol: brown calibration -> sotu, moby-dick (+ brown), 128 and 256, 32,768 tokens
            16,                                 // calibSamples: 16 on a CPU (the papers use 128)
            128,                                // calibSeqLen: tokens per calibration window
            0,                                  // seed: calibration sampling seed
            List.of("cloze", "next-sentence", "minimal-pair"),   // tasks: every substitute task (data/tasks/)
            0,                                  // taskLimit: items per task (0 = all)
            true);                              // progress: a line per pruned model, progress bars

    /**
     * @param layersToRemove depths to evaluate
     * @param taskDepths     depths at which tasks run; empty = every depth (tasks are the slow part)
     * @param evaluation     calibration windows, perplexity and tasks
     * @param recovery       LoRA recovery after each uncompensated model, or null for none
     */
    public record Config(List<Integer> layersToRemove, Set<Integer> taskDepths, Evaluation evaluation,
            Recovery.Config recovery) {

        public static final Config DEFAULT = new Config(
                List.of(3, 6, 9),                   // layersToRemove: 10 %, 20 %, 30 % of SmolLM2's 30 layers
                Set.of(),                           // taskDepths: tasks at every depth
                EVALUATION,
                null);                              // recovery: none

        public Config {
            layersToRemove = depths(layersToRemove);
            taskDepths = Set.copyOf(taskDepths);
            if (evaluation == null) throw new IllegalArgumentException("an evaluation is required");
        }

        /** Without recovery. */
        public Config(List<Integer> layersToRemove, Set<Integer> taskDepths, Evaluation evaluation) {
            this(layersToRemove, taskDepths, evaluation, null);
        }

        /** This grid with LoRA recovery after each uncompensated model. */
        public Config withRecovery(Recovery.Config r) {
            return new Config(layersToRemove, taskDepths, evaluation, r);
        }

        int deepest() {
            return layersToRemove.stream().mapToInt(Integer::intValue).max().getAsInt();
        }
    }

    private LayerPruningGrid() {}

    /** The depths a grid evaluates, checked (a non-empty list of depths >= 1) and copied; {@link MergeDepthGrid}'s too. */
    static List<Integer> depths(List<Integer> layersToRemove) {
        if (layersToRemove.isEmpty() || layersToRemove.stream().anyMatch(k -> k < 1)) {
            throw new IllegalArgumentException("layersToRemove must list depths >= 1, got " + layersToRemove);
        }
        return List.copyOf(layersToRemove);
    }

    /**
     * Runs the grid on {@code model} (left unchanged) and hands every record to {@code sink} as soon
     * as it is measured, so a long run that stops keeps what it measured.
     */
    public static void run(LlamaModel model, List<Method> methods, Config config, Consumer<ResultRecord> sink) {
        int layers = model.config().layers();
        if (config.deepest() >= layers) {
            throw new IllegalArgumentException("cannot remove " + config.deepest() + " of " + layers + " layers of "
                    + model.config().name() + ": every depth must be < " + layers);
        }
        Evaluation eval = config.evaluation();
        int[][] calibration = eval.calibration(model);
        List<ChoiceTask> tasks = eval.loadTasks();
        String device = model.device().toString();
        String name = model.config().name();
        eval.evaluate(model, new ResultRecord.Run("dense", "remove=0", -1, device), model.parameterCount(), tasks, sink);
        for (Method method : methods) {
            LayerPruner.Config select = new LayerPruner.Config(config.deepest(), method.mode(), false);
            LayerPruner.Result chosen = LayerPruner.prune(model, method.metric(), calibration, select);
            chosen.model().close();
            List<Integer> order = chosen.removed();
            if (eval.progress()) {
                System.out.printf("%s (%s): removal order %s, selection %.1f s%n", method.name(),
                        method.mode().toString().toLowerCase(), order, chosen.selectionSeconds());
            }
            for (int k : config.layersToRemove()) {
                List<Integer> removed = order.subList(0, k);
                double selectSeconds = method.mode() == LayerPruner.Mode.ONE_SHOT ? chosen.passSeconds()[0]
                        : Arrays.stream(chosen.passSeconds(), 0, k).sum();
                int[] survivors = survivors(layers, removed);
                for (Compensation comp : method.compensations()) {
                    String settings = "remove=" + k + ";mode=" + method.mode().toString().toLowerCase().replace('_', '-')
                            + ";compensation=" + comp.label() + ";removed="
                            + removed.stream().map(String::valueOf).collect(Collectors.joining(" "))
                            + ";calib=" + eval.calibrationLabel(eval.calibSamples());
                    ResultRecord.Run run = new ResultRecord.Run(method.name(), settings, eval.seed(), device);
                    try (LlamaModel pruned = model.copy(model.config().name() + " -" + k + " " + method.name())) {
                        pruned.removeLayers(Set.copyOf(removed));
                        sink.accept(Evaluation.number(name, run, "select_s", selectSeconds, calibration));
                        double[] done = compensate(model, pruned, survivors, calibration, comp);
                        if (comp != Compensation.NONE) {
                            sink.accept(Evaluation.number(name, run, "compensate_s", done[0], calibration));
                            sink.accept(Evaluation.number(name, run, "compensated_layer", done[1], calibration));
                            if (comp == Compensation.PROJECTION) {
                                sink.accept(Evaluation.number(name, run, "ridge", done[2], calibration));
                            }
                        }
                        boolean withTasks = config.taskDepths().isEmpty() || config.taskDepths().contains(k);
                        eval.evaluate(pruned, run, pruned.parameterCount(), withTasks ? tasks : List.of(), sink);
                        if (comp == Compensation.NONE && config.recovery() != null) {
                            recover(pruned, run, config.recovery(), eval, withTasks ? tasks : List.of(), calibration, sink);
                        }
                    }
                }
            }
        }
    }

    /**
     * Applies {@code comp} at the largest-shift layer; returns its wall time, the original index of
     * the compensated layer and the chosen relative ridge (+∞: the held-out windows preferred no map).
     */
    static double[] compensate(LlamaModel original, LlamaModel pruned, int[] survivors, int[][] calibration,
            Compensation comp) {
        if (comp == Compensation.NONE) {
            return new double[] {0, Double.NaN, Double.NaN};
        }
        long t0 = System.nanoTime();
        int j = ProjectionCompensation.largestShiftLayer(original, pruned, survivors, calibration,
                ProjectionCompensation.Config.DEFAULT);
        ProjectionCompensation.Result r = comp == Compensation.PROJECTION
                ? ProjectionCompensation.apply(original, pruned, j, survivors[j], calibration,
                        ProjectionCompensation.Config.DEFAULT)
                : ProjectionCompensation.applyMeanOnly(original, pruned, j, survivors[j], calibration,
                        ProjectionCompensation.Config.DEFAULT);
        return new double[] {(System.nanoTime() - t0) / 1e9, survivors[j], r.ridge()};
    }

    /**
     * LoRA recovery of {@code pruned} in place (adapters trained on the recovery corpus's calibration split,
     * checkpoints in a temporary folder, merged), then the same measurements under method {@code <name>+lora}.
     */
    static void recover(LlamaModel pruned, ResultRecord.Run run, Recovery.Config rc, Evaluation evaluation,
            List<ChoiceTask> tasks, int[][] calibration, Consumer<ResultRecord> sink) {
        ResultRecord.Run after = new ResultRecord.Run(run.method() + "+lora", run.settings() + ";recovery=lora;recovery_steps="
                + rc.steps() + ";recovery_corpus=" + rc.corpus(), run.seed(), run.device());
        String name = pruned.config().name();
        Path dir = null;
        try (LoraAdapters adapters = LoraAdapters.init(pruned, LoraConfig.DEFAULT)) {
            dir = Files.createTempDirectory("prunekit-recovery");
            Recovery.Result r = Recovery.train(pruned, adapters, rc, dir, false);
            if (r.stopped() != null) {
                throw new IllegalStateException(run.method() + " " + run.settings() + ": recovery stopped: " + r.stopped());
            }
            adapters.mergeInto(pruned);
            sink.accept(Evaluation.number(name, after, "recover_s", r.seconds(), calibration));
            double[] curve = r.losses().stream().mapToDouble(Double::doubleValue).toArray();   // the loss curve, step by step
            sink.accept(Evaluation.number(name, after, "train_loss", curve[curve.length - 1], calibration).withUnits(curve));
        } catch (IOException e) {
            throw new UncheckedIOException("recovery's checkpoint folder", e);
        } finally {
            deleteTree(dir);
        }
        evaluation.evaluate(pruned, after, pruned.parameterCount(), tasks, sink);
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot delete the recovery checkpoints", e);
        }
    }

    /** Original indices of the layers that stay, increasing. */
    public static int[] survivors(int layers, List<Integer> removed) {
        Set<Integer> gone = new HashSet<>(removed);
        List<Integer> keep = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            if (!gone.contains(l)) keep.add(l);
        }
        return keep.stream().mapToInt(Integer::intValue).toArray();
    }
}
