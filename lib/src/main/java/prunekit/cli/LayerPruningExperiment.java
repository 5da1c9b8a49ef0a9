package prunekit.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import prunekit.experiment.LayerPruningGrid;
import prunekit.experiment.LayerPruningGrid.Compensation;
import prunekit.importance.LayerMetrics;
import prunekit.prune.LayerMethods;
import prunekit.recover.Recovery;

/** {@code prunekit experiment layer-pruning}: the GradMAP results grid ({@link LayerPruningGrid}). */
@Command(name = "layer-pruning", description = "The GradMAP results grid: every method x layers removed x"
        + " compensation, each model evaluated by perplexity and the tasks. A list may be 'none'.")
final class LayerPruningExperiment implements Callable<Integer> {

    /** Grid methods by default: the layer metrics, plus GradMAP selected one-shot. */
    static final List<String> METHODS = concat(List.of("gradmap-oneshot"), LayerMetrics.NAMES);

    /** Every accepted method: {@link #METHODS}, then GradMAP's other variants in both forms ({@link LayerMethods#VARIANTS}). */
    static final List<String> ACCEPTED = concat(METHODS, LayerMethods.VARIANTS);

    private static final LayerPruningGrid.Config DEFAULT = LayerPruningGrid.Config.DEFAULT;

    @Mixin
    ModelOption model;

    @Option(names = "--methods", paramLabel = "NAME", split = ",", converter = Methods.class,
            completionCandidates = Methods.class, preprocessor = ExperimentCommand.NoneIsEmpty.class,
            description = "${COMPLETION-CANDIDATES}")
    List<String> methods = METHODS;

    @Option(names = "--remove", paramLabel = "K", split = ",", preprocessor = ExperimentCommand.NoneIsEmpty.class,
            description = "depths: layers removed")
    List<Integer> remove = DEFAULT.layersToRemove();

    @Mixin
    CalibrationOptions calibration = new CalibrationOptions(DEFAULT.evaluation().calibSamples(),
            DEFAULT.evaluation().calibSeqLen());

    @Mixin
    GridOptions grid = new GridOptions(DEFAULT.evaluation());

    @Option(names = "--compensations", paramLabel = "NAME", split = ",",
            description = "keep only these compensations (none, projection, mean-only) of each method's set")
    List<String> compensations = List.of("none", "projection", "mean-only");

    @Option(names = "--task-depths", paramLabel = "K", split = ",", preprocessor = ExperimentCommand.NoneIsEmpty.class,
            description = "depths at which the tasks run (none: every depth)")
    List<Integer> taskDepths = List.of();

    /** The grid's method names. */
    static final class Methods extends Choices {
        Methods() {
            super("method", () -> ACCEPTED);
        }
    }

    @Option(names = "--recover-steps", paramLabel = "N",
            description = "after each uncompensated model, LoRA recovery of N steps (recover's defaults otherwise),"
                    + " measured again as <method>+lora; 0: none")
    int recoverSteps = 0;

    @Override
    public Integer call() {
        if (recoverSteps < 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--recover-steps must be >= 0 (0: no recovery), got " + recoverSteps);
        }
        LayerPruningGrid.Config config = new LayerPruningGrid.Config(remove, new LinkedHashSet<>(taskDepths),
                grid.evaluation(calibration), recoverSteps == 0 ? null : Recovery.Config.DEFAULT.withSteps(recoverSteps));
        List<LayerPruningGrid.Method> runs = new ArrayList<>();
        for (String name : methods) {
            LayerPruningGrid.Method m = LayerPruningGrid.Method.of(name, config.evaluation().seed());
            List<Compensation> kept = m.compensations().stream().filter(c -> compensations.contains(c.label())).toList();
            if (kept.isEmpty()) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--compensations "
                        + compensations + " leaves " + name + " with none of its " + m.compensations().stream()
                        .map(Compensation::label).toList() + " (accepted: none, projection, mean-only)");
            }
            runs.add(new LayerPruningGrid.Method(m.name(), m.metric(), m.mode(), kept));
        }
        grid.run(model, (m, sink) -> LayerPruningGrid.run(m, runs, config, sink));
        return 0;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
