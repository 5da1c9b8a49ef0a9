package prunekit.cli;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.experiment.MergeDepthGrid;
import prunekit.merge.MergeRule;
import prunekit.recover.Recovery;

/** {@code prunekit experiment layer-merging}: Sliding Layer Merging at target depths ({@link MergeDepthGrid}). */
@Command(name = "layer-merging", description = "Sliding Layer Merging at target depths: for each K the threshold that"
        + " merges K layers away is searched, and the merged model evaluated as the layer-pruning grid evaluates its"
        + " removals. A list may be 'none'.")
final class LayerMergingExperiment implements Callable<Integer> {

    private static final MergeDepthGrid.Config DEFAULT = MergeDepthGrid.Config.DEFAULT;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--remove", paramLabel = "K", split = ",", description = "depths: layers merged away")
    List<Integer> remove = DEFAULT.layersToRemove();

    @Option(names = "--merge", paramLabel = "RULE", converter = Choices.MergeRuleName.class,
            completionCandidates = Choices.MergeRuleName.class, description = "${COMPLETION-CANDIDATES}")
    String merge = DEFAULT.rule().name();

    @Option(names = "--protect", paramLabel = "L,H", split = ",",
            description = "the layer range SLM may merge (default: 1 to layers - 2)")
    int[] protect;

    @Mixin
    CalibrationOptions calibration = new CalibrationOptions(DEFAULT.evaluation().calibSamples(),
            DEFAULT.evaluation().calibSeqLen());

    @Mixin
    GridOptions grid = new GridOptions(DEFAULT.evaluation());

    @Option(names = "--task-depths", paramLabel = "K", split = ",", preprocessor = ExperimentCommand.NoneIsEmpty.class,
            description = "depths at which the tasks run (none: every depth)")
    List<Integer> taskDepths = List.of();

    @Option(names = "--recover-steps", paramLabel = "N",
            description = "after each merged model, LoRA recovery of N steps (recover's defaults otherwise),"
                    + " measured again as slm+lora; 0: none")
    int recoverSteps = 0;

    @Override
    public Integer call() {
        if (recoverSteps < 0) {
            throw new ParameterException(spec.commandLine(), "--recover-steps must be >= 0 (0: no recovery), got "
                    + recoverSteps);
        }
        if (protect != null && protect.length != 2) {
            throw new ParameterException(spec.commandLine(), "--protect must be two layer indices L,H (e.g. 2,28), got "
                    + protect.length + " values");
        }
        MergeDepthGrid.Config config = new MergeDepthGrid.Config(remove, new LinkedHashSet<>(taskDepths),
                MergeRule.of(merge), -1, -1, grid.evaluation(calibration), true,
                recoverSteps == 0 ? null : Recovery.Config.DEFAULT.withSteps(recoverSteps));
        MergeDepthGrid.Config run = protect == null ? config : config.withProtect(protect[0], protect[1]);
        grid.run(model, (m, sink) -> MergeDepthGrid.run(m, run, sink));
        return 0;
    }
}
