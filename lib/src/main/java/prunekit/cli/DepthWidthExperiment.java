package prunekit.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.experiment.DepthWidthGrid;
import prunekit.width.UnitImportance;

/** {@code prunekit experiment depth-width}: depth, width and both at matched parameter counts ({@link DepthWidthGrid}). */
@Command(name = "depth-width", description = "For each target share of the parameters: Sliding Layer Merging (and Block"
        + " Influence) to the nearest layer count, width pruning to the nearest MLP channel, and SLM on part of the"
        + " layers followed by width pruning of the merged model to the same count, each evaluated on the same windows."
        + " --calib-samples and --seqlen are SLM's (the paper's 10 x 128); width scores use --width-samples windows of"
        + " the same length.")
final class DepthWidthExperiment implements Callable<Integer> {

    private static final DepthWidthGrid.Config DEFAULT = DepthWidthGrid.Config.DEFAULT;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--targets", paramLabel = "T", split = ",",
            description = "shares of the model's parameters (embedding included) to remove, each in (0, 1)")
    List<Double> targets = DEFAULT.targets();

    @Option(names = "--split", paramLabel = "S",
            description = "slm+width merges round(S x K) layers, K the depth-only layer count, in (0, 1)")
    double split = DEFAULT.split();

    @Option(names = "--width-importance", paramLabel = "NAME", converter = WidthImportance.class,
            completionCandidates = WidthImportance.class, description = "width unit score: ${COMPLETION-CANDIDATES}")
    String importance = DEFAULT.importance().name();

    @Option(names = "--kv-groups-removed", paramLabel = "G",
            description = "key/value groups (each with its query heads) removed from every layer by width; the MLP"
                    + " channels make up the rest")
    int kvGroupsRemoved = DEFAULT.kvGroupsRemoved();

    @Option(names = "--width-samples", paramLabel = "N", description = "calibration windows of the width scores")
    int widthSamples = DEFAULT.widthSamples();

    @Mixin
    CalibrationOptions calibration = new CalibrationOptions(DEFAULT.evaluation().calibSamples(),
            DEFAULT.evaluation().calibSeqLen());

    @Mixin
    GridOptions grid = new GridOptions(DEFAULT.evaluation());

    /** The width scores of {@link UnitImportance#NAMES}. */
    static final class WidthImportance extends Choices {
        WidthImportance() {
            super("width importance", () -> UnitImportance.NAMES);
        }
    }

    @Override
    public Integer call() {
        for (double t : targets) {
            if (!(t > 0 && t < 1)) {
                throw new ParameterException(spec.commandLine(), "--targets " + t + " is outside (0, 1): the share of the"
                        + " model's parameters to remove, e.g. 0.2,0.35");
            }
        }
        if (!(split > 0 && split < 1)) {
            throw new ParameterException(spec.commandLine(), "--split " + split + " is outside (0, 1): the share of the"
                    + " depth-only layer count that slm+width merges, e.g. 0.5");
        }
        if (kvGroupsRemoved < 0 || widthSamples < 1) {
            throw new ParameterException(spec.commandLine(), "--kv-groups-removed must be >= 0 and --width-samples >= 1,"
                    + " got " + kvGroupsRemoved + " and " + widthSamples);
        }
        DepthWidthGrid.Config config = new DepthWidthGrid.Config(targets, split, UnitImportance.of(importance),
                kvGroupsRemoved, widthSamples, grid.evaluation(calibration), true);
        grid.run(model, (m, sink) -> DepthWidthGrid.run(m, config, sink));
        return 0;
    }
}
