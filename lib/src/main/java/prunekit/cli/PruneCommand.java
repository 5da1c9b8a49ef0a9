package prunekit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import prunekit.data.CalibrationSampler;
import prunekit.importance.LayerImportance;
import prunekit.importance.LayerMetrics;
import prunekit.model.LlamaModel;
import prunekit.model.Models;
import prunekit.model.io.HfSaver;
import prunekit.prune.LayerPruner;
import prunekit.prune.ProjectionCompensation;

/**
 * {@code prunekit prune}: remove layers chosen by a layer-importance metric, optionally compensate
 * the drift with GradMAP's projection at the layer whose mean shifts most, and save the result as a
 * Hugging Face directory that {@code --model DIR} loads. Prints the wall time of each phase:
 * {@code load_seconds} (model), {@code calibration_seconds} (sampling the windows),
 * {@code selection_seconds} (the metric's statistics and scores, and the choice), {@code edit_seconds}
 * (copying the model and removing the layers), {@code compensation_seconds} (with --compensate) and
 * {@code save_seconds}.
 */
final class PruneCommand {

    static final Set<String> OPTIONS = Set.of("model", "method", "remove-layers", "out", "calib-corpus",
            "calib-samples", "seqlen", "seed", "threshold", "merge", "protect", "sparsity", "nm", "gblm-norm",
            "alpha");
    static final Set<String> FLAGS = Set.of("compensate", "iterative", "no-stats-cache", "stream");
    static final String METHODS = "gradmap, block-influence, ppl, taylor, magnitude, random, last";

    private PruneCommand() {}

    static int run(Args a) {
        String method = a.required("method");
        if (method.equals("slm")) {
            return MergeCommand.run(a);                       // Sliding Layer Merging
        }
        if (WeightPruneCommand.applies(a, method)) {
            return WeightPruneCommand.run(a);                 // unstructured / N:M weight pruning
        }
        int k = a.integer("remove-layers", -1);
        if (k < 1) {
            throw new Args.UsageException("prune: --remove-layers K (K >= 1) is required");
        }
        Path out = Path.of(a.required("out"));
        long seed = a.integer("seed", 0);
        LayerImportance metric = metric(method, seed);
        long t0 = System.nanoTime();
        try (LlamaModel model = Models.load(a.required("model"))) {
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.println("model=" + model.config().name());
            long t1 = System.nanoTime();
            List<int[]> windows = CalibrationSampler.sample(a.get("calib-corpus", "brown"), model.tokenizer(),
                    new CalibrationSampler.Config(a.integer("calib-samples", 16), a.integer("seqlen", 128), seed));
            int[][] calibration = windows.toArray(new int[0][]);
            double calibrationSeconds = (System.nanoTime() - t1) / 1e9;
            LayerPruner.Config cfg = a.has("iterative") ? LayerPruner.Config.iterative(k) : LayerPruner.Config.oneShot(k);
            long t2 = System.nanoTime();
            LayerPruner.Result r = LayerPruner.prune(model, metric, calibration, cfg);
            double editSeconds = (System.nanoTime() - t2) / 1e9 - r.selectionSeconds();   // the copy and the removal
            Map<String, String> provenance = new LinkedHashMap<>();
            provenance.put("method", r.metric());
            provenance.put("mode", r.mode().toString());
            provenance.put("removed_layers", r.removed().toString());
            provenance.put("calibration", calibration.length + " x " + calibration[0].length + " tokens of "
                    + a.get("calib-corpus", "brown") + ", seed " + seed);
            System.out.println("method=" + r.metric());
            System.out.println("removed=" + r.removed());
            System.out.printf(Locale.ROOT, "load_seconds=%.2f%n", loadSeconds);
            System.out.printf(Locale.ROOT, "calibration_seconds=%.2f%n", calibrationSeconds);
            System.out.printf(Locale.ROOT, "selection_seconds=%.2f%n", r.selectionSeconds());
            System.out.printf(Locale.ROOT, "edit_seconds=%.2f%n", editSeconds);
            try (LlamaModel pruned = r.model()) {
                if (a.has("compensate")) {
                    long t3 = System.nanoTime();
                    int j = ProjectionCompensation.largestShiftLayer(model, pruned, r.survivors(), calibration,
                            ProjectionCompensation.Config.DEFAULT);
                    ProjectionCompensation.Result c = ProjectionCompensation.apply(model, pruned, j, r.survivors()[j],
                            calibration, ProjectionCompensation.Config.DEFAULT);
                    provenance.put("compensation", "projection at pruned layer " + j + " (original " + r.survivors()[j]
                            + "), ridge " + c.ridge() + " chosen on held-out windows (Infinity: no map)");
                    System.out.println("compensated_layer=" + j);
                    System.out.printf("compensation_error_before=%.4g after=%.4g%n", c.errorBefore(), c.errorAfter());
                    System.out.printf("held_out_error_before=%.4g after=%.4g ridge=%s%n", c.heldOutBefore(),
                            c.heldOutAfter(), c.ridge());
                    System.out.printf(Locale.ROOT, "compensation_seconds=%.2f%n", (System.nanoTime() - t3) / 1e9);
                }
                long t4 = System.nanoTime();
                HfSaver.save(pruned, out, provenance);
                System.out.printf(Locale.ROOT, "save_seconds=%.2f%n", (System.nanoTime() - t4) / 1e9);
                System.out.println("layers=" + pruned.config().layers());
                System.out.println("survivors=" + Arrays.toString(r.survivors()));
            }
            System.out.println("out=" + out.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": " + e.getMessage(), e);
        }
        return 0;
    }

    static LayerImportance metric(String method, long seed) {
        try {
            return LayerMetrics.byName(method, seed);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("prune: unknown --method " + method + " (accepted: " + METHODS + ")");
        }
    }
}
