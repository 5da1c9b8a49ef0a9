package prunekit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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
 * Hugging Face directory that {@code --model DIR} loads.
 */
final class PruneCommand {

    static final Set<String> OPTIONS = Set.of("model", "method", "remove-layers", "out", "calib-corpus",
            "calib-samples", "seqlen", "seed", "threshold", "merge", "protect", "sparsity", "nm", "gblm-norm",
            "alpha");
    static final Set<String> FLAGS = Set.of("compensate", "iterative");
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
        try (LlamaModel model = Models.load(a.required("model"))) {
            List<int[]> windows = CalibrationSampler.sample(a.get("calib-corpus", "brown"), model.tokenizer(),
                    new CalibrationSampler.Config(a.integer("calib-samples", 16), a.integer("seqlen", 128), seed));
            int[][] calibration = windows.toArray(new int[0][]);
            LayerPruner.Config cfg = a.has("iterative") ? LayerPruner.Config.iterative(k) : LayerPruner.Config.oneShot(k);
            LayerPruner.Result r = LayerPruner.prune(model, metric, calibration, cfg);
            Map<String, String> provenance = new LinkedHashMap<>();
            provenance.put("method", r.metric());
            provenance.put("mode", r.mode().toString());
            provenance.put("removed_layers", r.removed().toString());
            provenance.put("calibration", calibration.length + " x " + calibration[0].length + " tokens of "
                    + a.get("calib-corpus", "brown") + ", seed " + seed);
            System.out.println("method=" + r.metric());
            System.out.println("removed=" + r.removed());
            System.out.printf("selection_seconds=%.2f%n", r.selectionSeconds());
            try (LlamaModel pruned = r.model()) {
                if (a.has("compensate")) {
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
                }
                HfSaver.save(pruned, out, provenance);
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
