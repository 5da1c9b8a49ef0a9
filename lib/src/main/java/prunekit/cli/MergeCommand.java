package prunekit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import prunekit.merge.MergeRule;
import prunekit.merge.SlidingMerge;
import prunekit.model.LlamaModel;
import prunekit.model.io.HfSaver;

/**
 * {@code prunekit prune --method slm}: Sliding Layer Merging with threshold T ({@code --threshold T}),
 * or with the T that removes K layers ({@code --remove-layers K}, {@link SlidingMerge#toDepth}: the
 * thresholds tried, and whether it had to stop merging once K layers were gone, are printed), a merge
 * rule and a merge range, saved as a Hugging Face directory that {@code --model DIR} loads; T, the
 * merges and every decision go into the provenance. Prints the wall time of each phase:
 * {@code load_seconds} (model), {@code calibration_seconds} (sampling the windows),
 * {@code selection_seconds} (the search: the dense model's reference outputs, each candidate merge
 * and its similarity, the merges kept) and {@code save_seconds}.
 */
final class MergeCommand {

    /** The {@code --method} name of Sliding Layer Merging. */
    static final String METHOD = "slm";

    private MergeCommand() {}

    static int run(PruneCommand p) {
        Path out = p.out;
        if (p.removeLayers != null && p.threshold != null) {
            throw p.usage("--method slm takes --threshold T or --remove-layers K, not both: T decides how many layers"
                    + " go, K asks for a T that removes K");
        }
        if (p.compensation.any() || p.iterative) {
            throw p.usage("--method slm: --compensate and --iterative apply to layer removal methods only");
        }
        if (p.threshold == null && p.removeLayers == null) {
            throw p.usage("--method slm needs --threshold T (a similarity in [-1, 1]) or --remove-layers K"
                    + " (the T that removes K layers is searched)");
        }
        if (p.removeLayers != null && p.removeLayers < 1) {
            throw p.usage("--remove-layers must be >= 1, got " + p.removeLayers);
        }
        if (p.protect != null && p.protect.length != 2) {
            throw p.usage("--protect must be two layer indices L,H (the range SLM may merge, e.g. 1,28), got "
                    + Arrays.toString(p.protect));
        }
        MergeRule rule = MergeRule.of(p.merge);
        long t0 = System.nanoTime();
        try (LlamaModel model = p.model.load()) {
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.println("model=" + model.config().name());
            SlidingMerge.Config cfg = SlidingMerge.Config.forModel(model.config().layers());
            if (p.threshold != null) {
                cfg = cfg.withThreshold(p.threshold);
            }
            if (p.protect != null) {
                cfg = cfg.withProtect(p.protect[0], p.protect[1]);
            }
            long t1 = System.nanoTime();
            int[][] calibration = p.calibration.sample(model.tokenizer(), SlidingMerge.PAPER_SAMPLES,
                    SlidingMerge.PAPER_SEQLEN);
            double calibrationSeconds = (System.nanoTime() - t1) / 1e9;
            SlidingMerge.Result r = p.removeLayers == null ? SlidingMerge.merge(model, rule, calibration, cfg)
                    : SlidingMerge.toDepth(model, rule, calibration, cfg, p.removeLayers);
            double threshold = r.config().threshold();
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
                if (p.removeLayers != null) {
                    provenance.put("layers_to_remove", Integer.toString(p.removeLayers));
                    provenance.put("threshold_search", r.probesText());
                    provenance.put("stopped_at_target", Boolean.toString(r.stopped()));
                }
                provenance.put("merge_range", cfg.protectLow() + ".." + cfg.protectHigh());
                provenance.put("merged_windows", r.mergesText());
                provenance.put("decisions", log.toString());
                provenance.put("calibration", p.calibration.describe(calibration));
                long t2 = System.nanoTime();
                HfSaver.save(merged, out, provenance);
                double saveSeconds = (System.nanoTime() - t2) / 1e9;
                System.out.println("merge_rule=" + r.rule());
                System.out.println("threshold=" + threshold);
                if (p.removeLayers != null) {
                    System.out.println("threshold_search=" + r.probesText());        // T:layers removed, per try
                    System.out.println("stopped_at_target=" + r.stopped());
                }
                System.out.println("merged_windows=" + r.mergesText());
                System.out.println("layers_removed=" + r.layersRemoved());
                System.out.println("similarities_computed=" + r.similarities());     // each a pass over the layers above
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
}
