package prunekit.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import prunekit.data.CalibrationSampler;
import prunekit.eval.ResultRecord;
import prunekit.eval.Results;
import prunekit.importance.GradientMagnitude;
import prunekit.importance.PerplexityCriterion;
import prunekit.model.LlamaModel;
import prunekit.model.Models;
import prunekit.prune.LayerPruner;
import prunekit.stats.LayerGradients;

/**
 * GradMAP's layer selection against the PPL criterion as published, timed in lockstep so that the
 * machine's drift (10–30 % over minutes on a small shared machine) cancels out of the ratio.
 *
 * <p>The published criterion is L forward passes, one per candidate layer ({@link
 * PerplexityCriterion#meanNllWithout}). They are run one at a time, and after every {@code every}
 * candidates one GradMAP gradient pass ({@link LayerGradients#compute}, all it does before ranking)
 * is timed: both sides sample the same minutes. The ratio is the criterion's total (the sum of its L
 * candidates) over the median GradMAP pass; the first GradMAP pass of the process (allocations made for
 * the first time) is reported apart. Both rankings are printed: the criterion's scores are those of
 * {@link PerplexityCriterion#AS_PUBLISHED}.
 *
 * <p>Arguments: model (default smollm2), windows (8), seqLen (128), corpus (brown), rounds (2),
 * candidates between GradMAP passes (3), layers to remove for the printed rankings (6), and a CSV to
 * append result records to (none; e.g. {@code data/results/bench-layer-selection.csv}): per round
 * {@code select_seconds} of each side and {@code published_over_gradmap}.
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
            throw new IllegalArgumentException("rounds, candidates between GradMAP passes and layers to remove must be >= 1");
        }
        int micro = 4;                      // both sides: GradientMagnitude.DEFAULT's and the criterion's micro-batch
        try (LlamaModel model = Models.load(spec)) {
            int layers = model.config().layers();
            int[][] cal = CalibrationSampler.sample(corpus, model.tokenizer(),
                    new CalibrationSampler.Config(windows, seqLen, 0)).toArray(new int[0][]);
            System.out.printf("%s, %d windows x %d tokens of %s; a GradMAP pass after every %d of the %d candidates%n",
                    model, windows, seqLen, corpus, every, layers);
            long t0 = System.nanoTime();
            LayerGradients first = LayerGradients.compute(model, cal, micro);
            double firstPass = seconds(t0);
            PerplexityCriterion.meanNllWithout(model, cal, 0, micro);           // warm-up of the forward path
            System.out.printf("first GradMAP pass of the process: %.2f s%n", firstPass);
            double[] gradmap = GradientMagnitude.DEFAULT.scores(first);
            double[] ppl = new double[layers];
            List<Double> ratios = new ArrayList<>();
            List<ResultRecord> records = new ArrayList<>();
            String data = corpus + " calibration, " + windows + " x " + seqLen + " tokens, seed 0";
            for (int round = 1; round <= rounds; round++) {
                List<Double> passes = new ArrayList<>();
                double published = 0;
                for (int l = 0; l < layers; l++) {
                    if (l % every == 0) {
                        t0 = System.nanoTime();
                        LayerGradients.compute(model, cal, micro);
                        passes.add(seconds(t0));
                    }
                    t0 = System.nanoTime();
                    ppl[l] = Math.exp(PerplexityCriterion.meanNllWithout(model, cal, l, micro));
                    published += seconds(t0);
                    System.out.printf("\r  round %d: candidate %d/%d", round, l + 1, layers);
                }
                double[] sorted = passes.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                double median = (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2;
                ratios.add(published / median);
                String settings = "mode=lockstep;gradmap_every=" + every + ";round=" + round + "/" + rounds
                        + ";micro_batch=" + micro + ";first_gradmap_pass_s=" + String.format("%.3f", firstPass);
                records.add(record(model, "gradmap", settings, data, seqLen, median, "select_seconds", median, passes.size()));
                records.add(record(model, "ppl-published", settings, data, seqLen, published, "select_seconds", published, layers));
                double gradmapTotal = Arrays.stream(sorted).sum();
                records.add(record(model, "gradmap", settings, data, seqLen, published + gradmapTotal,
                        "published_over_gradmap", published / median, passes.size()));
                System.out.printf("%n  round %d: PPL criterion as published %.2f s (%d candidates); GradMAP pass median %.2f s"
                        + " (%d passes, %.2f-%.2f s): %.2fx%n", round, published, layers, median, passes.size(),
                        sorted[0], sorted[sorted.length - 1], published / median);
            }
            System.out.printf("published / GradMAP per round: %s (the first pass of the process was %.2f s)%n",
                    ratios.stream().map(r -> String.format("%.2fx", r)).toList(), firstPass);
            System.out.println("GradMAP removes " + lowest(gradmap, k) + "; the PPL criterion removes " + lowest(ppl, k));
            if (csv != null) {
                Results.append(csv, records);
                System.out.println(records.size() + " records appended to " + csv);
            }
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
