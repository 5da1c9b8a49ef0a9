package prunekit.recover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import prunekit.model.LlamaModel;
import prunekit.model.LmLoss;
import prunekit.prune.ProjectionCompensation;

/**
 * GradMAP's projection compensation, trained: the paper describes the compensation as a trainable
 * down projection folded back into the weights. Here the map {@code P = I + D} of
 * {@link ProjectionCompensation} ({@code out' = r + M P} at one surviving layer j) is a
 * {@link TrainableProjection}, trained by {@link Recovery#train} (AdamW, warm-up and cosine decay,
 * clipping, micro-batches, checkpoints) on the language-modelling loss of the pruned model over the
 * same calibration windows the closed form regresses on, every base weight frozen; then P is folded
 * into layer j's down projection exactly as the closed form is ({@code W_down ← Pᵀ W_down}).
 *
 * <p>Every layer below j is frozen and unchanged, so each calibration window's stream entering layer j is
 * computed once ({@link FrozenPrefix}) and every step runs only layers j..L-1 and the head.
 *
 * <p>The closed form matches hidden states (squared error towards the original's layer output); the
 * trained map minimises what perplexity measures, the next-token loss, through every later layer.
 * It starts at the identity (the pruned model) or at the closed-form map.
 *
 * <p><b>Measured</b> (CPU; SmolLM2-135M less the 6 layers GradMAP removes iteratively, 26 17 25 16
 * 15 7; the largest shift is at the last layer, pruned 23 = original 29; 16 × 128 brown calibration
 * tokens; 32 steps of 4 windows; sotu test perplexity at 128 over 8,128 tokens): pruned 108.8, closed
 * form 112.5 (held-out λ = 0.1; worse than no map), trained from I at lr 1e-5 / 1e-4 / 1e-3: 105.7 /
 * 104.2 / 122.1, from the closed form at 1e-5 / 1e-4: 105.8 / 103.4. At 1e-3 the calibration loss
 * falls from 4.86 to 3.53 nats and the map overfits the 2,048 tokens; 1e-4 (half LoRA's) is the default.
 * The command line at its defaults gives the same model: {@code bin/prunekit prune --model smollm2 --method gradmap
 * --remove-layers 6 --compensate trainable --out DIR} (one thread, machine shared: 511 s, 415 s of it the
 * compensation; calibration loss 4.6435 → 4.3103 nats), then {@code bin/prunekit ppl --model DIR --corpus sotu
 * --split test --seqlen 128 --max-eval-tokens 8192}: 103.42 [95.43, 111.73].
 *
 * <pre>{@code
 * var r = CompensationTraining.apply(dense, pruned, pruning.survivors(), windows, CompensationTraining.Config.DEFAULT);
 * r.prunedLayer(); r.lossBefore(); r.lossAfter(); r.losses(); r.seconds();
 * }</pre>
 */
public final class CompensationTraining {

    /** Where P starts. */
    public enum Init {
        /** P = I (D = 0): the pruned model as it is. */
        IDENTITY,
        /** P = {@link ProjectionCompensation#apply}'s ridge map (λ chosen on held-out windows), D = P − I. */
        CLOSED_FORM
    }

    /**
     * @param init            where P starts (CLOSED_FORM)
     * @param steps           optimizer steps (32: 8 passes over 16 calibration windows)
     * @param batch           windows per step (4)
     * @param microBatch      windows per forward/backward (2)
     * @param lr              peak learning rate (1e-4; a C×C map moves every output channel at once:
     *                        1e-3 overfits the calibration windows, 1e-5 moves too little; see above)
     * @param warmup          warm-up steps (4)
     * @param maxGradNorm     clip the gradient of D to this L2 norm (1.0)
     * @param optimizer       AdamW ({@link AdamW#DEFAULT}: its decay pulls P towards I)
     * @param checkpointEvery steps between checkpoints (8; the last step always writes one)
     * @param seed            seed of the order in which the windows are visited (0)
     * @param closedForm      settings of the closed form, for CLOSED_FORM and the choice of layer
     *                        ({@link ProjectionCompensation.Config#DEFAULT})
     */
    public record Config(Init init, int steps, int batch, int microBatch, double lr, int warmup, double maxGradNorm,
                         AdamW optimizer, int checkpointEvery, long seed, ProjectionCompensation.Config closedForm) {

        /** From the closed form, 32 steps of 4 windows, lr 1e-4 after 4 warm-up steps, clip 1.0. */
        public static final Config DEFAULT = new Config(Init.CLOSED_FORM, 32, 4, 2, 1e-4, 4, 1.0, AdamW.DEFAULT, 8, 0,
                ProjectionCompensation.Config.DEFAULT);

        public Config {
            if (init == null) throw new IllegalArgumentException("init must be IDENTITY or CLOSED_FORM, got null");
            if (closedForm == null) throw new IllegalArgumentException("closedForm settings are null: use ProjectionCompensation.Config.DEFAULT");
            new Recovery.Config(steps, batch, microBatch, 2, lr, warmup, maxGradNorm, optimizer, "calibration",
                    checkpointEvery, seed);                  // checks every training value
        }

        /** This config starting elsewhere. */
        public Config withInit(Init i) {
            return new Config(i, steps, batch, microBatch, lr, warmup, maxGradNorm, optimizer, checkpointEvery, seed, closedForm);
        }

        /** This config with another number of steps (the warm-up shortened to fit). */
        public Config withSteps(int n) {
            return new Config(init, n, batch, microBatch, lr, Math.min(warmup, n), maxGradNorm, optimizer, checkpointEvery, seed,
                    closedForm);
        }

        /** This config with another peak learning rate. */
        public Config withLr(double x) {
            return new Config(init, steps, batch, microBatch, x, warmup, maxGradNorm, optimizer, checkpointEvery, seed, closedForm);
        }

        /** The recovery run on windows of {@code seqLen} tokens. */
        Recovery.Config training(int seqLen) {
            return new Recovery.Config(steps, batch, microBatch, seqLen, lr, warmup, maxGradNorm, optimizer, "calibration",
                    checkpointEvery, seed);
        }
    }

    /**
     * What a trained compensation did.
     *
     * @param init          where P started
     * @param prunedLayer   layer of the pruned model whose down_proj received P
     * @param originalLayer layer of the original model the closed form targeted
     * @param closedForm    the closed form's result (its map is where CLOSED_FORM started; null for IDENTITY)
     * @param map           the trained P, C×C row-major (row-vector convention: out = r + M P)
     * @param lossBefore    mean NLL (nats per token) of the calibration windows at the start: the
     *                      pruned model (IDENTITY) or with the closed-form map (CLOSED_FORM)
     * @param lossAfter     the same for the model with the trained map folded in
     * @param losses        the training loss of every step
     * @param seconds       wall time: closed form, training, the two loss passes and the fold
     * @param stopped       null when the run finished; otherwise why it stopped (the last good map is folded)
     */
    public record Result(Init init, int prunedLayer, int originalLayer, ProjectionCompensation.Result closedForm,
                         double[] map, double lossBefore, double lossAfter, List<Double> losses, double seconds,
                         String stopped) {}

    private CompensationTraining() {}

    /**
     * Trains and folds the map at GradMAP's place, the pruned layer whose mean output shifts most
     * ({@link ProjectionCompensation#largestShiftLayer}), towards original layer {@code survivors[j]};
     * checkpoints go to a temporary folder, removed at the end.
     */
    public static Result apply(LlamaModel original, LlamaModel pruned, int[] survivors, int[][] calibration,
            Config config) {
        int j = ProjectionCompensation.largestShiftLayer(original, pruned, survivors, calibration, config.closedForm());
        Path runDir;
        try {
            runDir = Files.createTempDirectory("prunekit-compensation");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a temporary folder for the checkpoints", e);
        }
        try {
            return apply(original, pruned, j, survivors[j], calibration, config, runDir);
        } finally {
            delete(runDir);
        }
    }

    /**
     * Trains P at {@code prunedLayer} of {@code pruned} on the calibration windows (all of one length)
     * and folds it in; checkpoints go to {@code runDir}. {@code original} is read only for the
     * CLOSED_FORM start (it may be null for IDENTITY).
     */
    public static Result apply(LlamaModel original, LlamaModel pruned, int prunedLayer, int originalLayer,
            int[][] calibration, Config config, Path runDir) {
        long start = System.nanoTime();
        int seqLen = calibration[0].length;
        for (int[] w : calibration) {
            if (w.length != seqLen) {
                throw new IllegalArgumentException("calibration windows differ in length (" + seqLen + " and " + w.length
                        + "): sample them with one sequence length");
            }
        }
        // 1. the starting map: I, or the closed form fitted on a copy (the pruned model stays as it is)
        ProjectionCompensation.Result closed = null;
        if (config.init() == Init.CLOSED_FORM) {
            try (LlamaModel scratch = pruned.copy()) {
                closed = ProjectionCompensation.apply(original, scratch, prunedLayer, originalLayer, calibration,
                        config.closedForm());
            }
        }
        return train(pruned, prunedLayer, originalLayer, closed, calibration, config, runDir, start);
    }

    /** Steps 2 and 3 of {@link #apply}: trains P from {@code closed}'s map (null: from I) and folds it in. */
    static Result train(LlamaModel pruned, int prunedLayer, int originalLayer, ProjectionCompensation.Result closed,
            int[][] calibration, Config config, Path runDir, long startNanos) {
        int seqLen = calibration[0].length;
        try (TrainableProjection map = closed == null ? TrainableProjection.identity(pruned, prunedLayer)
                : TrainableProjection.of(pruned, prunedLayer, closed.map(), "closed_form");
             FrozenPrefix prefix = new FrozenPrefix(pruned, prunedLayer, calibration, config.microBatch())) {
            // the layers below j are frozen and stay as they are: their output on each window is computed once
            double before = meanNll(pruned, prefix, map, calibration, config.microBatch());
            // 2. train D on the language-modelling loss over the windows, pass after pass
            List<int[]> windows = passes(calibration, config.steps() * config.batch(), config.seed());
            Recovery.Result run = Recovery.train(pruned, prefix.forward(), map, config.training(seqLen), windows, runDir,
                    false, config.steps());
            // 3. fold P = I + D into down_proj (layer j: the prefix below it is unchanged)
            double[] p = map.map();
            map.mergeInto(pruned);
            double after = meanNll(pruned, prefix, null, calibration, config.microBatch());
            return new Result(closed == null ? Init.IDENTITY : Init.CLOSED_FORM, prunedLayer, originalLayer, closed, p,
                    before, after, run.losses(), (System.nanoTime() - startNanos) / 1e9, run.stopped());
        }
    }

    /** {@code count} windows: passes over the calibration windows, each pass in a seeded random order. */
    static List<int[]> passes(int[][] calibration, int count, long seed) {
        Random random = new Random(seed);
        List<int[]> out = new ArrayList<>(count);
        List<int[]> pass = new ArrayList<>(Arrays.asList(calibration));
        while (out.size() < count) {
            Collections.shuffle(pass, random);
            out.addAll(pass.subList(0, Math.min(pass.size(), count - out.size())));
        }
        return out;
    }

    /**
     * Mean next-token NLL of the windows under {@code model} with {@code adapter} (null: none), no gradients; the
     * layers below the prefix's first from its kept streams.
     */
    static double meanNll(LlamaModel model, FrozenPrefix prefix, TrainableProjection adapter, int[][] windows, int microBatch) {
        double sum = 0;
        for (int b0 = 0; b0 < windows.length; b0 += microBatch) {
            int[][] mb = Arrays.copyOfRange(windows, b0, Math.min(windows.length, b0 + microBatch));
            try (NDManager step = model.manager().newSubManager()) {
                NDArray normed = prefix.forward().finalHidden(model, step, mb, adapter);                     // (B, T, C)
                sum += LmLoss.meanNll(model, normed, mb).toType(DataType.FLOAT64, false).getDouble() * mb.length;
            }
        }
        return sum / windows.length;
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot remove the temporary checkpoints", e);
        }
    }
}
