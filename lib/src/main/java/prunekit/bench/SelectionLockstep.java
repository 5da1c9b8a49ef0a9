package prunekit.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import prunekit.data.CalibrationSampler;
import prunekit.eval.ResultRecord;
import prunekit.eval.Results;
import prunekit.importance.GradientMagnitude;
import prunekit.importance.PerplexityCriterion;
import prunekit.model.LlamaModel;
import prunekit.model.Models;
import prunekit.prune.LayerMethods;
import prunekit.prune.LayerPruner;
import prunekit.stats.LayerGradients;

/**
 * GradMAP's layer selection, in both forms, against the PPL criterion as published, timed in
 * lockstep so that the machine's drift (10–30 % over minutes on a small shared machine) cancels out
 * of the ratios.
 *
 * <p>The published criterion is L forward passes, one per candidate layer ({@link
 * PerplexityCriterion#meanNllWithout}), one scoring for all k decisions. They are run one at a time,
 * and after every {@code every} candidates GradMAP is timed in both of its forms
 * ({@link LayerMethods}): one gradient pass on the full model ({@link LayerGradients#compute}, all
 * that {@code gradmap-oneshot} does before ranking, its whole selection), and the next step(s) of an
 * iterative selection ({@code gradmap}: a gradient pass on the model without the layers removed so
 * far, then the lowest removed), its k steps spread evenly over the round. Both sides sample the same
 * minutes. Per round: {@code gradmap-oneshot} = the median of its passes, {@code gradmap} = the sum
 * of its k steps (the whole iterative selection), and the ratio of the criterion's total to each. The
 * first gradient pass of the process (allocations made for the first time) is reported apart. The
 * rankings are printed: the criterion's scores are those of {@link PerplexityCriterion#AS_PUBLISHED}.
 *
 * <p>Arguments: model (default smollm2), windows (8), seqLen (128), corpus (brown), rounds (2),
 * candidates between GradMAP slots (3), layers to remove (6), and a CSV to append result records to
 * (none; e.g. {@code data/results/bench-layer-selection.csv}): per round {@code select_seconds} of
 * {@code ppl-published}, {@code gradmap-oneshot} and {@code gradmap}, and {@code published_over_gradmap}
 * for each form (the record's method names the form).
 */
public final class SelectionLockstep {

    private SelectionLockstep() {}

    public static void main(String[] args) {
        String spec = args.length > 0 ? args[0] : "smollm2";
        int windows = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int seqLen = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        String corpus = args.length > 3 ? args[3] : "brown";
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        int every = args.length > 5 ? Integer.parseInt(args[5]) : 3;
        int k = args.length > 6 ? Integer.parseInt(args[6]) : 6;
        Path csv = args.length > 7 ? Path.of(args[7]) : null;
        if (rounds < 1 || every < 1 || k < 1) {
            throw new IllegalArgumentException("rounds, candidates between GradMAP slots and layers to remove must be >= 1");
        }
        int micro = 4;                      // both sides: GradientMagnitude.DEFAULT's and the criterion's micro-batch
        try (LlamaModel model = Models.load(spec)) {
            int layers = model.config().layers();
            if (k >= layers) throw new IllegalArgumentException("cannot remove " + k + " of " + layers + " layers");
            int slots = (layers + every - 1) / every;
            int[][] cal = CalibrationSampler.sample(corpus, model.tokenizer(),
                    new CalibrationSampler.Config(windows, seqLen, 0)).toArray(new int[0][]);
            System.out.printf("%s, %d windows x %d tokens of %s; after every %d of the %d candidates a gradmap-oneshot pass"
                    + " and the next of the %d steps of an iterative gradmap selection%n", model, windows, seqLen, corpus,
                    every, layers, k);
            long t0 = System.nanoTime();
            LayerGradients first = LayerGradients.compute(model, cal, micro);
            double firstPass = seconds(t0);
            PerplexityCriterion.meanNllWithout(model, cal, 0, micro);           // warm-up of the forward path
            System.out.printf("first GradMAP pass of the process: %.2f s%n", firstPass);
            double[] oneShotScores = GradientMagnitude.DEFAULT.scores(first);
            double[] ppl = new double[layers];
            List<ResultRecord> records = new ArrayList<>();
            List<String> summary = new ArrayList<>();
            List<Integer> iterativeRemoved = List.of();
            String data = corpus + " calibration, " + windows + " x " + seqLen + " tokens, seed 0";
            for (int round = 1; round <= rounds; round++) {
                List<Double> passes = new ArrayList<>();
                Iterative iterative = new Iterative(model);
                double published = 0;
                try {
                    for (int l = 0; l < layers; l++) {
                        if (l % every == 0) {
                            int slot = l / every;
                            t0 = System.nanoTime();
                            LayerGradients.compute(model, cal, micro);
                            passes.add(seconds(t0));
                            for (int s = slot * k / slots; s < (slot + 1) * k / slots; s++) iterative.step(cal);
                        }
                        t0 = System.nanoTime();
                        ppl[l] = Math.exp(PerplexityCriterion.meanNllWithout(model, cal, l, micro));
                        published += seconds(t0);
                        System.out.printf("\r  round %d: candidate %d/%d", round, l + 1, layers);
                    }
                } finally {
                    iterative.close();
                }
                iterativeRemoved = iterative.removed;
                double[] sorted = passes.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                double median = (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2;
                double steps = iterative.seconds.stream().mapToDouble(Double::doubleValue).sum();
                String settings = "mode=lockstep;gradmap_every=" + every + ";round=" + round + "/" + rounds
                        + ";micro_batch=" + micro + ";remove=" + k + ";first_gradmap_pass_s=" + String.format("%.3f", firstPass);
                double oneShotTotal = Arrays.stream(sorted).sum();
                records.add(record(model, "gradmap-oneshot", settings, data, seqLen, median, "select_seconds", median, passes.size()));
                records.add(record(model, "gradmap", settings, data, seqLen, steps, "select_seconds", steps, k));
                records.add(record(model, "ppl-published", settings, data, seqLen, published, "select_seconds", published, layers));
                records.add(record(model, "gradmap-oneshot", settings, data, seqLen, published + oneShotTotal,
                        "published_over_gradmap", published / median, passes.size()));
                records.add(record(model, "gradmap", settings, data, seqLen, published + steps,
                        "published_over_gradmap", published / steps, k));
                summary.add(String.format("%.2fx / %.2fx", published / median, published / steps));
                System.out.printf("%n  round %d: PPL criterion as published %.2f s (%d candidates); gradmap-oneshot pass"
                        + " median %.2f s (%d passes, %.2f-%.2f s): %.2fx; gradmap (iterative, %d steps) %.2f s: %.2fx%n",
                        round, published, layers, median, passes.size(), sorted[0], sorted[sorted.length - 1],
                        published / median, k, steps, published / steps);
            }
            System.out.printf("published / gradmap-oneshot and published / gradmap per round: %s (the first pass of the"
                    + " process was %.2f s)%n", summary, firstPass);
            System.out.println("gradmap-oneshot removes " + lowest(oneShotScores, k) + "; gradmap removes "
                    + iterativeRemoved + "; the PPL criterion removes " + lowest(ppl, k));
            if (csv != null) {
                Results.append(csv, records);
                System.out.println(records.size() + " records appended to " + csv);
            }
        }
    }

    /** An iterative GradMAP selection taken one step at a time on a copy of the model. */
    private static final class Iterative implements AutoCloseable {
        private final LlamaModel work;
        private final List<Integer> alive = new ArrayList<>();
        final List<Integer> removed = new ArrayList<>();
        final List<Double> seconds = new ArrayList<>();

        Iterative(LlamaModel model) {
            this.work = model.copy();
            for (int l = 0; l < model.config().layers(); l++) alive.add(l);
        }

        /** One decision, as {@link LayerPruner}'s iterative mode: score the current model, remove the lowest. */
        void step(int[][] cal) {
            long t0 = System.nanoTime();
            int lowest = LayerPruner.ascending(GradientMagnitude.DEFAULT.scores(work, cal))[0];
            seconds.add(seconds(t0));
            removed.add(alive.remove(lowest));
            work.removeLayers(Set.of(lowest));
        }

        @Override
        public void close() {
            work.close();
        }
    }

    private static ResultRecord record(LlamaModel model, String method, String settings, String data, int seqLen,
            double wall, String metric, double value, long n) {
        return new ResultRecord(Instant.now(), model.config().name(), method, settings, data, seqLen, 0, model.device().toString(),
                wall, metric, value, Double.NaN, n);
    }

    /** The k layers a one-shot selection on these scores removes, in removal order. */
    private static List<Integer> lowest(double[] scores, int k) {
        return Arrays.stream(LayerPruner.ascending(scores), 0, Math.min(k, scores.length)).boxed().toList();
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
