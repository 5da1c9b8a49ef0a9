package prunekit.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.model.Models;
import prunekit.recover.AdamW;
import prunekit.recover.LoraAdapters;
import prunekit.recover.LoraConfig;
import prunekit.recover.Recovery;
import prunekit.recover.TrainingStep;

/**
 * Recovery training tokens per second: {@link TrainingStep#run} (LoRA on every linear module, base weights
 * frozen, micro-batches accumulated, global-norm clipping, AdamW) step after step on one batch of random
 * tokens, the prunekit side of {@code environment/bench-vs-pytorch.sh --recover}, whose other side is
 * {@code environment/bench/peft_recover.py} (transformers + peft, the same settings). Each optimizer step is
 * one turn of the lockstep ring ({@link Turns}); W untimed steps, then the median of K timed ones. The
 * learning rate is constant (a schedule is one scalar a step). Prints key=value lines: the settings, the
 * loss of the first step (both sides start from the base model, so it is the same on both), the timed
 * steps, and the process's peak resident memory (VmHWM: Java heap, native tensors and libraries).
 *
 * <pre>
 * RecoveryBenchmark --model DIR [--batch 4] [--micro-batch 2] [--seqlen 256] [--rank 8] [--alpha 16]
 *                   [--lr 2e-4] [--warmup 5] [--iterations 10] [--lockstep MINE,NEXT]
 * RecoveryBenchmark --model DIR --profile FILE [same settings]
 *     W untimed steps, then one step under PyTorch's profiler, as a Chrome trace in FILE
 *     (environment/bench/profile_summary.py compares it with peft_recover.py run --profile's)
 * </pre>
 */
public final class RecoveryBenchmark {

    /** The global gradient norm clipped to, as recover does (Recovery.Config.DEFAULT.maxGradNorm()). */
    private static final double CLIP = Recovery.Config.DEFAULT.maxGradNorm();

    private RecoveryBenchmark() {}

    public static void main(String[] args) {
        MainOptions opts = MainOptions.parse("RecoveryBenchmark", args);
        Recovery.Config rec = Recovery.Config.DEFAULT;                             // recover's defaults
        int batch = opts.positive("--batch", rec.batch());                            // windows per optimizer step
        int micro = opts.positive("--micro-batch", rec.microBatch());                 // windows per forward/backward
        int seqLen = opts.positive("--seqlen", rec.seqLen());                         // tokens per window
        int rank = opts.positive("--rank", LoraConfig.DEFAULT.rank());                // LoRA rank
        double alpha = Double.parseDouble(opts.get("--alpha", Double.toString(LoraConfig.DEFAULT.alpha())));
        double lr = Double.parseDouble(opts.get("--lr", Double.toString(rec.lr())));  // constant learning rate
        int warmup = opts.nonNegative("--warmup", 5);                                 // untimed steps first
        int iterations = opts.positive("--iterations", 10);                           // timed steps
        if (batch % micro != 0) throw new IllegalArgumentException("--micro-batch " + micro + " must divide --batch " + batch);
        Turns turns = opts.turns();
        LoraConfig lora = new LoraConfig(rank, alpha, 0, List.of(LayerWeights.LINEARS), 0);          // no dropout, all seven
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, got " + lr);
        try (LlamaModel model = Models.load(opts.required("--model"));
             LoraAdapters adapters = LoraAdapters.init(model, lora)) {
            System.out.println("model=" + model.config().name());
            System.out.println("layers=" + model.config().layers());
            System.out.println("device=" + model.device());
            System.out.println("djl=" + Engine.getDjlVersion());
            System.out.println("engine=" + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
            System.out.println("threads=" + ModelBenchmark.intraOpThreads());
            System.out.println("interop_threads=" + ModelBenchmark.interOpThreads());
            System.out.println("batch=" + batch);
            System.out.println("micro_batch=" + micro);
            System.out.println("seqlen=" + seqLen);
            System.out.println("rank=" + rank);
            System.out.println("alpha=" + alpha);
            System.out.println("modules=" + String.join(",", lora.modules()));
            System.out.println("trainable_parameters=" + adapters.parameterCount());
            System.out.println("lr=" + lr);
            System.out.println("optimizer=adamw(" + AdamW.DEFAULT + ");clip=" + CLIP);
            System.out.println("warmup=" + warmup);
            System.out.println("iterations=" + iterations);
            System.out.println("lockstep=" + (turns != Turns.ALONE));
            System.out.println("load_peak_rss_mb=" + ModelBenchmark.peakRssMb());
            int[][] tokens = ModelBenchmark.randomTokens(model, batch, seqLen);
            if (opts.has("--profile")) {
                profile(model, adapters, tokens, micro, lr, warmup, Path.of(opts.required("--profile")));
                return;
            }
            run(model, adapters, tokens, micro, lr, warmup, iterations, turns);
            System.out.println("peak_rss_mb=" + ModelBenchmark.peakRssMb());
        }
    }

    /** W untimed steps, then one under PyTorch's profiler, written to {@code trace}. */
    private static void profile(LlamaModel model, LoraAdapters adapters, int[][] tokens, int micro, double lr, int warmup,
                                Path trace) {
        AdamW.State state = new AdamW.State();
        adapters.setTraining(true);
        for (int i = 0; i < warmup; i++) TrainingStep.run(model, adapters, tokens, micro, CLIP, AdamW.DEFAULT, state, lr);
        JniUtils.startProfile(false, true, false);
        try {
            TrainingStep.run(model, adapters, tokens, micro, CLIP, AdamW.DEFAULT, state, lr);
        } finally {
            JniUtils.stopProfile(trace.toAbsolutePath().toString());
        }
        System.out.println("profile=" + trace.toAbsolutePath());
    }

    /** W + K optimizer steps on the same batch, one per turn; prints the timed ones' median, best and each. */
    private static void run(LlamaModel model, LoraAdapters adapters, int[][] tokens, int micro, double lr, int warmup,
                            int iterations, Turns turns) {
        AdamW.State state = new AdamW.State();
        double[] seconds = new double[iterations];
        double total = 0;
        double[] losses = new double[warmup + iterations];
        adapters.setTraining(true);
        for (int i = 0; i < warmup + iterations; i++) {
            turns.await();
            long start = System.nanoTime();
            TrainingStep.Outcome o = TrainingStep.run(model, adapters, tokens, micro, CLIP, AdamW.DEFAULT, state, lr);
            double s = (System.nanoTime() - start) / 1e9;
            turns.pass();
            if (!o.applied()) throw new IllegalStateException("step " + (i + 1) + ": loss " + o.loss() + ", gradient norm " + o.gradientNorm());
            losses[i] = o.loss();
            total += s;
            if (i >= warmup) seconds[i - warmup] = s;
        }
        turns.await();                                    // a closing turn: no side exits while another still times
        turns.pass();
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];       // the upper of two middles, as peft_recover.py
        long tokensPerStep = (long) tokens.length * tokens[0].length;
        System.out.printf(Locale.ROOT, "recover_tok_s=%.2f%n", tokensPerStep / median);
        System.out.printf(Locale.ROOT, "recover_median_s=%.4f%n", median);
        System.out.printf(Locale.ROOT, "recover_best_s=%.4f%n", sorted[0]);
        System.out.printf(Locale.ROOT, "recover_total_s=%.3f%n", total);
        System.out.println("recover_runs_s=" + Arrays.stream(seconds).mapToObj(s -> String.format(Locale.ROOT, "%.4f", s))
                .collect(Collectors.joining(",")));
        System.out.printf(Locale.ROOT, "first_loss=%.6f%n", losses[0]);
        System.out.printf(Locale.ROOT, "last_loss=%.6f%n", losses[losses.length - 1]);
    }
}
