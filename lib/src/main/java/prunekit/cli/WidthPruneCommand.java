package prunekit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.model.io.HfSaver;
import prunekit.width.UnitImportance;
import prunekit.width.WidthPlan;
import prunekit.width.WidthPruner;

/**
 * {@code prunekit prune --method width-taylor|width-taylor-element|width-magnitude --width-ratio R}:
 * structured width pruning ({@link WidthPruner}): every layer loses the same number of attention
 * key/value groups (with their query heads) and MLP channels, the lowest-scoring ones, so that the
 * fraction R of the model's parameters goes ({@link WidthPlan#forRatio}); {@code --kv-groups-removed G}
 * fixes the groups and leaves the rest to the channels. The matrices are cut smaller and the model is
 * saved as a Hugging Face directory that {@code --model DIR} and transformers load. Prints the wall
 * time of each phase: {@code load_seconds}, {@code calibration_seconds}, {@code selection_seconds}
 * (the backward pass and the scores), {@code edit_seconds} (copying and cutting), {@code save_seconds}.
 */
final class WidthPruneCommand {

    /** The width-pruning methods: {@code width-} and the name of a {@link UnitImportance}. */
    static final List<String> METHODS = UnitImportance.NAMES.stream().map(n -> "width-" + n).toList();

    private WidthPruneCommand() {}

    /** Width pruning is chosen by its method or by {@code --width-ratio}. */
    static boolean applies(PruneCommand p) {
        return METHODS.contains(p.method) || p.widthRatio != null || p.kvGroupsRemoved != null;
    }

    static int run(PruneCommand p) {
        if (!METHODS.contains(p.method)) {
            throw p.usage("--width-ratio and --kv-groups-removed go with --method " + String.join(", ", METHODS)
                    + "; got --method " + p.method);
        }
        if (p.widthRatio == null) {
            throw p.usage("--method " + p.method + " needs --width-ratio R, the fraction of the parameters to remove,"
                    + " 0 < R < 1");
        }
        double ratio = p.widthRatio;
        if (!(ratio > 0 && ratio < 1)) {
            throw p.usage("--width-ratio " + p.widthRatio + " is outside (0, 1): the fraction of the model's parameters"
                    + " to remove, e.g. 0.2");
        }
        if (p.kvGroupsRemoved != null && p.kvGroupsRemoved < 0) {
            throw p.usage("--kv-groups-removed " + p.kvGroupsRemoved + " must be >= 0");
        }
        UnitImportance importance = UnitImportance.of(p.method.substring("width-".length()));
        long t0 = System.nanoTime();
        try (LlamaModel model = p.model.load()) {
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            LlamaConfig c = model.config();
            WidthPlan plan = p.kvGroupsRemoved == null ? WidthPlan.forRatio(c, ratio)
                    : WidthPlan.forRatio(c, ratio, p.kvGroupsRemoved);
            System.out.println("model=" + c.name());
            long t1 = System.nanoTime();
            int[][] windows = p.calibration.sample(model.tokenizer(), PruneCommand.CALIB_SAMPLES, PruneCommand.CALIB_SEQLEN);
            double calibrationSeconds = (System.nanoTime() - t1) / 1e9;
            WidthPruner.Result r = WidthPruner.prune(model, windows, importance, plan);
            try (LlamaModel pruned = r.model()) {
                long before = c.parameterCount();
                long after = pruned.parameterCount();
                Map<String, String> provenance = new LinkedHashMap<>();
                provenance.put("method", p.method);
                provenance.put("width_ratio", Double.toString(ratio));
                provenance.put("kv_groups_removed", Integer.toString(plan.kvGroupsRemoved()));
                provenance.put("channels_removed", Integer.toString(plan.channelsRemoved()));
                provenance.put("parameters", Long.toString(after));
                provenance.put("kept_kv_groups", Arrays.stream(r.keptKvGroups()).map(Arrays::toString)
                        .collect(Collectors.joining(" ")));
                if (importance.needsGradient()) {
                    provenance.put("calibration", p.calibration.describe(windows));
                }
                long t2 = System.nanoTime();
                HfSaver.save(pruned, p.out, provenance);
                double saveSeconds = (System.nanoTime() - t2) / 1e9;
                System.out.println("method=" + p.method);
                System.out.println("plan=" + plan.describe(c));
                System.out.println("heads=" + pruned.config().heads() + " kv_heads=" + pruned.config().kvHeads()
                        + " intermediate=" + pruned.config().intermediate());
                System.out.println("kept_kv_groups=" + provenance.get("kept_kv_groups"));
                if (importance.needsGradient()) {
                    System.out.println("calibration=" + p.calibration.describe(windows));
                    System.out.printf(Locale.ROOT, "calibration_loss=%.4f%n", r.scores().loss());
                }
                System.out.printf(Locale.ROOT, "load_seconds=%.2f%n", loadSeconds);
                System.out.printf(Locale.ROOT, "calibration_seconds=%.2f%n", calibrationSeconds);
                System.out.printf(Locale.ROOT, "selection_seconds=%.2f%n", r.selectionSeconds());
                System.out.printf(Locale.ROOT, "edit_seconds=%.2f%n", r.editSeconds());
                System.out.printf(Locale.ROOT, "save_seconds=%.2f%n", saveSeconds);
                System.out.println("parameters_before=" + before);
                System.out.println("out=" + p.out.toAbsolutePath());
                System.out.printf(Locale.ROOT, "removed_fraction=%.4f%n", 1 - (double) after / before);
                System.out.println("parameters=" + after);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(p.out + ": " + e.getMessage(), e);
        }
        return 0;
    }
}
