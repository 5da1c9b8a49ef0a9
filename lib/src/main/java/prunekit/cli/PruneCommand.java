package prunekit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import prunekit.merge.SlidingMerge;
import prunekit.model.LlamaModel;
import prunekit.model.io.HfSaver;
import prunekit.prune.LayerMethods;
import prunekit.prune.LayerPruner;
import prunekit.sparsity.SparsityPattern;
import prunekit.stats.WeightGradients;

/**
 * {@code prunekit prune}: the options of the four pruning families, and the first of them: remove
 * layers chosen by a layer-removal method ({@link LayerMethods}: {@code gradmap} iterative, one
 * backward pass per removed layer; {@code gradmap-oneshot} and the other metrics one-shot unless
 * {@code --iterative}), optionally compensate the drift with GradMAP's
 * projection at the layer whose mean shifts most ({@link CompensationOptions}: closed form or trained), and save the result as a Hugging Face directory
 * that {@code --model DIR} loads. {@code --method slm} goes to {@link MergeCommand}, weight pruning
 * to {@link WeightPruneCommand}, structured width pruning ({@code width-*}) to {@link WidthPruneCommand}.
 * Prints the wall time of each phase: {@code load_seconds} (model),
 * {@code calibration_seconds} (sampling the windows), {@code selection_seconds} (the metric's
 * statistics and scores, and the choice), {@code edit_seconds} (copying the model and removing the
 * layers), {@code compensation_seconds} (with --compensate) and {@code save_seconds}.
 */
@Command(name = "prune", description = "Prune a model and save it as a Hugging Face directory that --model DIR loads:"
        + " remove layers (a layer metric), merge them (slm), zero weights (--sparsity S or --nm N:M), or narrow"
        + " every layer (width-*: --width-ratio R).",
        footer = {"", "gradmap removes layers iteratively, one backward pass per removed layer (the paper's"
                + " \"single backward propagation per pruning decision\"); gradmap-oneshot scores once and removes"
                + " the K lowest (one backward pass); the other layer metrics are one-shot unless --iterative.",
            "slm takes --threshold T, or --remove-layers K: T is then searched on the similarities already"
                + " computed (no forward pass repeated) until its merges remove exactly K layers; where none found"
                + " does (the count is not monotone in T and can jump over K), the closest T that removes more is"
                + " used and merging stops once K layers are gone (stopped_at_target=true). The chosen T, the"
                + " thresholds tried and the merged windows are printed and saved.",
            "magnitude removes layers, or with --sparsity/--nm zeros weights, the smallest of each matrix (as the"
                + " magnitude baselines of Wanda and GBLM-Pruner); magnitude-row, wanda, sparsegpt and gblm zero"
                + " weights, compared within each output row.",
            "Calibration defaults: " + PruneCommand.CALIB_SAMPLES + " windows of " + PruneCommand.CALIB_SEQLEN
                + " tokens to remove layers, " + SlidingMerge.PAPER_SAMPLES + " of " + SlidingMerge.PAPER_SEQLEN
                + " for slm (the paper's), " + WeightPruneCommand.CALIB_SAMPLES + " of "
                + WeightPruneCommand.CALIB_SEQLEN + " for weight pruning, " + PruneCommand.CALIB_SAMPLES + " of "
                + PruneCommand.CALIB_SEQLEN + " for width pruning's one backward pass.",
            "width-taylor scores each attention key/value group (with its query heads) and MLP channel by LLM-Pruner's"
                + " vector-wise first-order Taylor importance, width-taylor-element by the element-wise one (LLM-Pruner's"
                + " script default), width-magnitude by the squared L2 norm of its weights; every layer loses the same"
                + " count so that config.json (and transformers) can describe the result."})
final class PruneCommand implements Callable<Integer> {

    /** Layer removal's calibration: 16 windows of 128 tokens. */
    static final int CALIB_SAMPLES = 16;
    static final int CALIB_SEQLEN = 128;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--method", required = true, paramLabel = "NAME", converter = Choices.PruneMethod.class,
            completionCandidates = Choices.PruneMethod.class, description = "${COMPLETION-CANDIDATES}")
    String method;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the directory to write")
    Path out;

    @Mixin
    CalibrationOptions calibration;

    @Option(names = "--remove-layers", paramLabel = "K",
            description = "layer removal: how many layers go; slm: the T that removes K layers is searched")
    Integer removeLayers;

    @Option(names = "--iterative", description = "layer removal: one layer at a time, re-scoring after each"
            + " (gradmap always is; not with gradmap-oneshot)")
    boolean iterative;

    @Mixin
    CompensationOptions compensation;

    @Option(names = "--threshold", paramLabel = "T",
            description = "slm: a window grows while the similarity stays > T (not with --remove-layers)")
    Double threshold;

    @Option(names = "--merge", paramLabel = "RULE", converter = Choices.MergeRuleName.class,
            completionCandidates = Choices.MergeRuleName.class, description = "slm: ${COMPLETION-CANDIDATES}")
    String merge = "paper";

    @Option(names = "--protect", paramLabel = "L,H", split = ",", hideParamSyntax = true,
            description = "slm: the layer range it may merge (e.g. 1,28)")
    int[] protect;

    @Option(names = "--sparsity", paramLabel = "S", converter = Patterns.Unstructured.class,
            description = "weight pruning: the fraction zeroed of every row (magnitude: of every matrix), in [0, 1)")
    SparsityPattern sparsity;

    @Option(names = "--nm", paramLabel = "N:M", converter = Patterns.Nm.class,
            description = "weight pruning: N of every M consecutive weights zeroed (2:4, 4:8)")
    SparsityPattern nm;

    @Option(names = "--gblm-norm", paramLabel = "NORM",
            description = "gblm: the gradient norm, ${COMPLETION-CANDIDATES} (either case)")
    WeightGradients.Norm gblmNorm = WeightGradients.Norm.L2;

    @Option(names = "--alpha", paramLabel = "A", description = "gblm: the gradient scale")
    double alpha = WeightGradients.DEFAULT_SCALE;

    @Option(names = "--no-stats-cache",
            description = "gblm: compute the gradient statistics in memory, bypassing data/cache/stats/")
    boolean noStatsCache;

    @Option(names = "--width-ratio", paramLabel = "R",
            description = "width-*: the fraction of the model's parameters to remove, 0 < R < 1, the same heads and"
                    + " channels count from every layer")
    Double widthRatio;

    @Option(names = "--kv-groups-removed", paramLabel = "G",
            description = "width-*: key/value groups (each with its query heads) removed from every layer; the MLP"
                    + " channels make up the rest of R (default: about R's share of the groups)")
    Integer kvGroupsRemoved;

    @Option(names = "--stream", description = "magnitude(-row), wanda, sparsegpt on a Hugging Face directory: one layer in"
            + " memory at a time, read from M and written to DIR, for models larger than this machine's memory")
    boolean stream;

    @Override
    public Integer call() {
        if (method.equals(MergeCommand.METHOD)) {
            return MergeCommand.run(this);                       // Sliding Layer Merging
        }
        if (WidthPruneCommand.applies(this)) {
            return WidthPruneCommand.run(this);                  // structured width pruning
        }
        if (WeightPruneCommand.applies(this)) {
            return WeightPruneCommand.run(this);                 // unstructured / N:M weight pruning
        }
        if (removeLayers == null || removeLayers < 1) {
            throw usage("--remove-layers K (K >= 1) is required with --method " + method);
        }
        int k = removeLayers;
        String problem = compensation.problem();
        if (problem != null) throw usage(problem);
        if (iterative && method.equals(LayerMethods.GRADMAP_ONESHOT)) {
            throw usage("--iterative contradicts --method " + method + " (one backward pass for all decisions):"
                    + " use --method " + LayerMethods.GRADMAP + " for the iterative form");
        }
        LayerMethods.Method chosen = LayerMethods.byName(method, calibration.seed);
        LayerPruner.Config cfg = iterative ? LayerPruner.Config.iterative(k) : chosen.config(k);
        long t0 = System.nanoTime();
        try (LlamaModel loaded = model.load()) {
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.println("model=" + loaded.config().name());
            long t1 = System.nanoTime();
            int[][] windows = calibration.sample(loaded.tokenizer(), CALIB_SAMPLES, CALIB_SEQLEN);
            double calibrationSeconds = (System.nanoTime() - t1) / 1e9;
            long t2 = System.nanoTime();
            LayerPruner.Result r = LayerPruner.prune(loaded, chosen.metric(), windows, cfg);
            double editSeconds = (System.nanoTime() - t2) / 1e9 - r.selectionSeconds();   // the copy and the removal
            Map<String, String> provenance = new LinkedHashMap<>();
            provenance.put("method", method);
            provenance.put("metric", r.metric());
            provenance.put("mode", r.mode().toString());
            provenance.put("removed_layers", r.removed().toString());
            provenance.put("calibration", calibration.describe(windows));
            System.out.println("method=" + method);
            System.out.println("metric=" + r.metric());
            System.out.println("mode=" + r.mode());
            System.out.println("scoring_passes=" + r.passSeconds().length);
            System.out.println("removed=" + r.removed());
            System.out.printf(Locale.ROOT, "load_seconds=%.2f%n", loadSeconds);
            System.out.printf(Locale.ROOT, "calibration_seconds=%.2f%n", calibrationSeconds);
            System.out.printf(Locale.ROOT, "selection_seconds=%.2f%n", r.selectionSeconds());
            System.out.printf(Locale.ROOT, "edit_seconds=%.2f%n", editSeconds);
            try (LlamaModel pruned = r.model()) {
                if (compensation.any()) compensation.apply(loaded, pruned, r.survivors(), windows, provenance);
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

    /** A usage error of this command: exit 2, with the hint to run --help. */
    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
