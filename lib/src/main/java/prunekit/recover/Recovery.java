package prunekit.recover;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import prunekit.data.CalibrationSampler;
import prunekit.model.LlamaModel;
import prunekit.viz.Progress;

/**
 * Recovery fine-tuning after pruning, as the layer-pruning papers retrain (Shortened LLaMA,
 * LLM-Pruner, SLM: LoRA on every linear module): the pruned model's weights stay frozen, trainable
 * additions to its linear modules ({@link TrainableAdapter}: low-rank {@link LoraAdapters}, or GradMAP's
 * compensation map {@link TrainableProjection}) learn next-token prediction on calibration text with
 * AdamW, a linear warm-up and a cosine decay, gradient accumulation and clipping; at the end they
 * are merged, so the result is a plain LLaMA model.
 *
 * <p>Data: {@code steps × batch} windows of the calibration split of one corpus (never a test split),
 * drawn once with the run's seed; step s trains on windows {@code [s·batch, (s+1)·batch)}, so a
 * resumed run sees exactly the windows an uninterrupted one would.
 *
 * <p>A non-finite loss or gradient stops the run before the update: the adapters keep the last good
 * step, the last checkpoint stays as it was, and the result says so.
 */
public final class Recovery {

    /**
     * @param steps optimizer steps (100: 102,400 training tokens at the defaults, sized for a 2-core CPU)
     * @param batch windows per step (4)
     * @param microBatch windows per forward/backward, the rest accumulated (2: memory of a 24 GB machine)
     * @param seqLen tokens per window (256, the CPU calibration length)
     * @param lr peak learning rate (2e-4, the LoRA papers' usual value)
     * @param warmup warm-up steps (10)
     * @param maxGradNorm clip the adapters' global gradient L2 norm to this (1.0, as transformers' Trainer)
     * @param optimizer AdamW's betas, eps and decoupled weight decay ({@link AdamW#DEFAULT})
     * @param corpus corpus whose calibration split is the training text (brown, {@link prunekit.eval.Protocol#DEFAULT})
     * @param checkpointEvery steps between checkpoints (25; the last step always writes one)
     * @param seed seed of the data draw (0)
     */
    public record Config(int steps, int batch, int microBatch, int seqLen, double lr, int warmup, double maxGradNorm,
                         AdamW optimizer, String corpus, int checkpointEvery, long seed) {

        /** 100 steps of 4 × 256 tokens, lr 2e-4 with 10 warm-up steps, clip 1.0, brown, a checkpoint every 25. */
        public static final Config DEFAULT = new Config(100, 4, 2, 256, 2e-4, 10, 1.0, AdamW.DEFAULT, "brown", 25, 0);

        public Config {
            if (steps <= 0) throw new IllegalArgumentException("steps must be > 0, got " + steps);
            if (batch <= 0) throw new IllegalArgumentException("batch must be > 0, got " + batch);
            if (microBatch <= 0 || batch % microBatch != 0) {
                throw new IllegalArgumentException("micro-batch must divide the batch " + batch + ", got " + microBatch);
            }
            if (seqLen < 2) throw new IllegalArgumentException("seqLen must be >= 2, got " + seqLen);
            if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
            if (warmup < 0 || warmup > steps) throw new IllegalArgumentException("warm-up must be in [0, steps], got " + warmup);
            if (!(maxGradNorm > 0)) throw new IllegalArgumentException("max gradient norm must be > 0, got " + maxGradNorm);
            if (checkpointEvery <= 0) throw new IllegalArgumentException("checkpoint interval must be > 0, got " + checkpointEvery);
        }

        /** This config with another number of steps (the warm-up shortened to fit). */
        public Config withSteps(int n) {
            return new Config(n, batch, microBatch, seqLen, lr, Math.min(warmup, n), maxGradNorm, optimizer, corpus,
                    checkpointEvery, seed);
        }

        /** This config with another peak learning rate. */
        public Config withLr(double x) {
            return new Config(steps, batch, microBatch, seqLen, x, warmup, maxGradNorm, optimizer, corpus, checkpointEvery, seed);
        }

        /** What must match for a run to resume from a checkpoint: these settings and the adapters'. */
        public String describe(TrainableAdapter adapters) {
            return String.format(Locale.ROOT, "steps=%d;batch=%d;micro=%d;seqlen=%d;lr=%s;warmup=%d;clip=%s;adamw=%s;corpus=%s;"
                    + "seed=%d;", steps, batch, microBatch, seqLen, lr, warmup, maxGradNorm, optimizer, corpus, seed)
                    + adapters.describe();
        }
    }

    /**
     * @param losses training loss of every step (mean token NLL of the step's windows, nats)
     * @param steps steps done (fewer than asked when stopped)
     * @param seconds wall time of this process's steps
     * @param tokensPerSecond trained tokens per second in this process
     * @param stopped null when the run finished; otherwise why it stopped
     */
    public record Result(List<Double> losses, int steps, double seconds, double tokensPerSecond, String stopped) {}

    private Recovery() {}

    /**
     * Trains {@code adapters} on {@code model} (frozen) and writes checkpoints to {@code runDir}.
     * With {@code resume}, continues from {@code runDir}'s checkpoint, whose settings must match.
     * The adapters are not merged: call {@link TrainableAdapter#mergeInto} on success.
     */
    public static Result train(LlamaModel model, TrainableAdapter adapters, Config config, Path runDir, boolean resume) {
        // the run's windows, drawn once: step s trains on [s*batch, (s+1)*batch)
        List<int[]> windows = CalibrationSampler.sample(config.corpus(), model.tokenizer(),
                new CalibrationSampler.Config(config.steps() * config.batch(), config.seqLen(), config.seed()));
        return train(model, adapters, config, windows, runDir, resume, config.steps());
    }

    /**
     * {@link #train(LlamaModel, TrainableAdapter, Config, Path, boolean)} on given windows
     * ({@code steps × batch} of them), stopping after step {@code until} as a killed run would
     * (its checkpoint written only if {@code until} is a checkpoint step).
     */
    static Result train(LlamaModel model, TrainableAdapter adapters, Config config, List<int[]> windows, Path runDir,
                        boolean resume, int until) {
        return train(model, TrainingStep.WHOLE_MODEL, adapters, config, windows, runDir, resume, until);
    }

    /** The same, each step's forward pass through {@code forward}. */
    static Result train(LlamaModel model, TrainingStep.Forward forward, TrainableAdapter adapters, Config config,
                        List<int[]> windows, Path runDir, boolean resume, int until) {
        if (windows.size() < (long) config.steps() * config.batch()) {
            throw new IllegalArgumentException(windows.size() + " windows for " + config.steps() + " steps of " + config.batch());
        }
        String settings = config.describe(adapters);
        AdamW.State state = new AdamW.State();
        List<Double> losses = new ArrayList<>();
        int first = 0;
        if (resume) {
            Checkpoint c = load(runDir);
            if (!c.settings().equals(settings)) {
                throw new IllegalArgumentException(runDir.resolve(Checkpoint.FILE) + " was written with settings " + c.settings()
                        + ", this run has " + settings + ": resume with the same settings, or start without --resume");
            }
            adapters.set(c.tensors());
            c.restore(state, adapters);
            losses.addAll(c.losses());
            first = c.step();
        }
        Schedule schedule = new Schedule(config.lr(), config.warmup(), config.steps());
        long start = System.nanoTime();
        String stopped = null;
        adapters.setTraining(true);
        try (Progress progress = Progress.start("recover", config.steps())) {
            progress.step(first);
            for (int s = first; s < Math.min(until, config.steps()); s++) {
                int[][] batch = windows.subList(s * config.batch(), (s + 1) * config.batch()).toArray(new int[0][]);
                Engine.getInstance().setRandomSeed((int) (config.seed() * 1_000_003L + s));   // dropout: the same masks on resume
                // 1. one optimizer step (forward, backward, clip, AdamW); a non-finite loss or gradient skips the update
                TrainingStep.Outcome o = TrainingStep.run(model, forward, adapters, batch, config.microBatch(), config.maxGradNorm(),
                        config.optimizer(), state, schedule.at(s));
                double loss = o.loss();
                if (!o.applied()) {
                    stopped = String.format(Locale.ROOT, "step %d: loss %s, gradient norm %s: stopped before the update; "
                            + "the adapters and %s keep step %d", s + 1, loss, o.gradientNorm(), runDir.resolve(Checkpoint.FILE), s);
                    break;
                }
                losses.add(loss);
                double seconds = (System.nanoTime() - start) / 1e9;
                progress.step(1, String.format(Locale.ROOT, "loss %.4f  lr %.2e  %.0f tok/s", loss, schedule.at(s),
                        (s + 1 - first) * (double) config.batch() * config.seqLen() / seconds));
                // 2. a checkpoint every checkpointEvery steps and after the last
                if ((s + 1) % config.checkpointEvery() == 0 || s + 1 == config.steps()) {
                    save(Checkpoint.of(s + 1, losses, settings, adapters, state), runDir);
                }
            }
        }
        adapters.setTraining(false);
        double seconds = (System.nanoTime() - start) / 1e9;
        int done = losses.size();
        return new Result(List.copyOf(losses), done, seconds,
                (done - first) * (double) config.batch() * config.seqLen() / Math.max(seconds, 1e-9), stopped);
    }

    private static Checkpoint load(Path dir) {
        try {
            return Checkpoint.load(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(dir.resolve(Checkpoint.FILE) + ": cannot read", e);
        }
    }

    private static void save(Checkpoint c, Path dir) {
        try {
            c.save(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(dir.resolve(Checkpoint.FILE) + ": cannot write", e);
        }
    }
}
