package prunekit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import prunekit.data.CalibrationSampler;
import prunekit.merge.MergeRule;
import prunekit.merge.SlidingMerge;
import prunekit.model.LlamaModel;
import prunekit.model.Models;
import prunekit.model.io.HfSaver;

/**
 * {@code prunekit prune --method slm}: Sliding Layer Merging with threshold T, a merge rule and a
 * merge range, saved as a Hugging Face directory that {@code --model DIR} loads; the merges and
 * every decision go into the provenance. Prints the wall time of each phase: {@code load_seconds}
 * (model), {@code calibration_seconds} (sampling the windows), {@code selection_seconds} (the search:
 * the dense model's reference outputs, each candidate merge and its similarity, the merges kept) and
 * {@code save_seconds}.
 */
final class MergeCommand {

    private MergeCommand() {}

    static int run(Args a) {
        Path out = Path.of(a.required("out"));
        if (a.has("remove-layers")) {
            throw new Args.UsageException("prune --method slm: the threshold decides how many layers go;"
                    + " use --threshold T instead of --remove-layers");
        }
        if (a.has("compensate") || a.has("iterative")) {
            throw new Args.UsageException("prune --method slm: --compensate and --iterative apply to layer removal"
                    + " methods only");
        }
        double threshold = number(a.required("threshold"));
        MergeRule rule;
        try {
            rule = MergeRule.of(a.get("merge", "paper"));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("prune: --merge: " + e.getMessage());
        }
        long seed = a.integer("seed", 0);
        String corpus = a.get("calib-corpus", "brown");
        long t0 = System.nanoTime();
        try (LlamaModel model = Models.load(a.required("model"))) {
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.println("model=" + model.config().name());
            SlidingMerge.Config cfg = SlidingMerge.Config.forModel(model.config().layers()).withThreshold(threshold);
            if (a.has("protect")) {
                int[] range = range(a.required("protect"));
                cfg = cfg.withProtect(range[0], range[1]);
            }
            long t1 = System.nanoTime();
            List<int[]> windows = CalibrationSampler.sample(corpus, model.tokenizer(), new CalibrationSampler.Config(
                    a.integer("calib-samples", SlidingMerge.PAPER_SAMPLES), a.integer("seqlen", SlidingMerge.PAPER_SEQLEN),
                    seed));
            int[][] calibration = windows.toArray(new int[0][]);
            double calibrationSeconds = (System.nanoTime() - t1) / 1e9;
            SlidingMerge.Result r = SlidingMerge.merge(model, rule, calibration, cfg);
            try (LlamaModel merged = r.model()) {
                StringBuilder log = new StringBuilder();
                for (SlidingMerge.Decision d : r.decisions()) {
                    String line = String.format(Locale.ROOT, "window %s sim %.4f %s", d.window(), d.similarity(),
                            d.accepted() ? "pass" : "fail");
                    System.out.println("decision=" + line);
                    log.append(log.length() == 0 ? "" : "; ").append(line);
                }
                Map<String, String> provenance = new LinkedHashMap<>();
                provenance.put("method", "slm");
                provenance.put("merge_rule", r.rule());
                provenance.put("threshold", Double.toString(threshold));
                provenance.put("merge_range", cfg.protectLow() + ".." + cfg.protectHigh());
                provenance.put("merged_windows", r.mergesText());
                provenance.put("decisions", log.toString());
                provenance.put("calibration", calibration.length + " x " + calibration[0].length + " tokens of "
                        + corpus + ", seed " + seed);
                long t2 = System.nanoTime();
                HfSaver.save(merged, out, provenance);
                double saveSeconds = (System.nanoTime() - t2) / 1e9;
                System.out.println("merge_rule=" + r.rule());
                System.out.println("merged_windows=" + r.mergesText());
                System.out.printf(Locale.ROOT, "load_seconds=%.2f%n", loadSeconds);
                System.out.printf(Locale.ROOT, "calibration_seconds=%.2f%n", calibrationSeconds);
                System.out.printf(Locale.ROOT, "selection_seconds=%.2f%n", r.seconds());
                System.out.printf(Locale.ROOT, "save_seconds=%.2f%n", saveSeconds);
                System.out.println("layers=" + merged.config().layers());
            }
            System.out.println("out=" + out.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": " + e.getMessage(), e);
        }
        return 0;
    }

    private static double number(String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new Args.UsageException("prune: --threshold must be a number in [-1, 1], got '" + v + "'");
        }
    }

    /** "L,H" as two layer indices. */
    static int[] range(String v) {
        String[] parts = v.split(",");
        try {
            if (parts.length == 2) {
                return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Args.UsageException("prune: --protect must be two layer indices L,H (the range SLM may merge,"
                + " e.g. 1,28), got '" + v + "'");
    }
}
