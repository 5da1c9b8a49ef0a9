package prunekit.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import prunekit.experiment.WeightPruningGrid;

/** {@code prunekit experiment weight-pruning}: the GBLM-Pruner results grid ({@link WeightPruningGrid}). */
@Command(name = "weight-pruning", description = "The GBLM-Pruner results grid: every method x sparsity pattern,"
        + " a sparsity sweep, calibration counts and gradient scales, each model evaluated by perplexity and the"
        + " tasks. A list may be 'none'.")
final class WeightPruningExperiment implements Callable<Integer> {

    private static final WeightPruningGrid.Config DEFAULT = WeightPruningGrid.Config.DEFAULT;

    @Mixin
    ModelOption model;

    @Option(names = "--methods", paramLabel = "NAME", split = ",", converter = Methods.class,
            completionCandidates = Methods.class, preprocessor = ExperimentCommand.NoneIsEmpty.class,
            description = "${COMPLETION-CANDIDATES}")
    List<String> methods = prunekit.sparsity.WeightMethods.NAMES;

    @Option(names = "--patterns", paramLabel = "S|N:M", split = ",", converter = Patterns.Either.class,
            preprocessor = ExperimentCommand.NoneIsEmpty.class, description = "sparsity patterns: 0.5, 2:4, ...")
    List<String> patterns = DEFAULT.patterns().stream().map(Patterns::text).toList();

    @Option(names = "--sweep", paramLabel = "S", split = ",", preprocessor = ExperimentCommand.NoneIsEmpty.class,
            description = "unstructured sparsities of the sweep")
    List<Double> sweep = DEFAULT.sweep();

    @Option(names = "--calib-counts", paramLabel = "N", split = ",", preprocessor = ExperimentCommand.NoneIsEmpty.class,
            description = "calibration windows of the calibration-count study")
    List<Integer> calibCounts = DEFAULT.calibCounts();

    @Option(names = "--alphas", paramLabel = "A", split = ",", preprocessor = ExperimentCommand.NoneIsEmpty.class,
            description = "GBLM gradient scales of the alpha study")
    List<Double> alphas = DEFAULT.alphas();

    @Mixin
    CalibrationOptions calibration = new CalibrationOptions(DEFAULT.evaluation().calibSamples(),
            DEFAULT.evaluation().calibSeqLen());

    @Mixin
    GridOptions grid = new GridOptions(DEFAULT.evaluation());

    /** The grid's method names. */
    static final class Methods extends Choices {
        Methods() {
            super("method", () -> prunekit.sparsity.WeightMethods.NAMES);
        }
    }

    @Override
    public Integer call() {
        WeightPruningGrid.Config config = new WeightPruningGrid.Config(
                patterns.stream().map(Patterns::parse).toList(), sweep, calibCounts, alphas, grid.evaluation(calibration));
        grid.run(model, (m, sink) -> WeightPruningGrid.run(m, methods, config, sink));
        return 0;
    }
}
