package prunekit.cli;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import picocli.CommandLine.Option;
import prunekit.eval.Protocol;
import prunekit.eval.ResultRecord;
import prunekit.eval.Results;
import prunekit.experiment.Evaluation;
import prunekit.model.LlamaModel;

/**
 * What a result grid evaluates each model on, shared by both experiments: perplexity on a corpus's
 * test split and multiple-choice tasks; and the record every result is appended to. Each grid passes
 * its own defaults (its config's {@code DEFAULT}) to the constructor.
 */
final class GridOptions {

    @Option(names = "--eval-corpora", paramLabel = "NAME", split = ",", converter = Choices.Corpus.class,
            completionCandidates = Choices.Corpus.class,
            description = "corpora whose test splits give perplexity (the calibration corpus among them is the"
                    + " in-domain number): ${COMPLETION-CANDIDATES}")
    List<String> evalCorpora;

    @Option(names = "--eval-seqlens", paramLabel = "N", split = ",", description = "perplexity windows")
    List<Integer> evalSeqLens;

    @Option(names = "--eval-tokens", paramLabel = "K", description = "perplexity tokens per corpus and window length")
    long evalTokens;

    @Option(names = "--tasks", paramLabel = "NAME", split = ",", converter = Choices.Task.class,
            completionCandidates = Choices.Task.class, preprocessor = ExperimentCommand.NoneIsEmpty.class,
            description = "multiple-choice tasks, or none: ${COMPLETION-CANDIDATES}")
    List<String> tasks;

    @Option(names = "--task-limit", paramLabel = "N", description = "items per task (0: all)")
    int taskLimit;

    @Option(names = "--record", required = true, paramLabel = "NAME",
            description = "append every result to data/results/NAME.csv")
    String record;

    GridOptions() {}

    /** The options with a grid's defaults. */
    GridOptions(Evaluation defaults) {
        this.evalCorpora = defaults.protocol().evalCorpora();
        this.evalSeqLens = defaults.protocol().seqLens();
        this.evalTokens = defaults.protocol().evalTokens();
        this.tasks = defaults.tasks();
        this.taskLimit = defaults.taskLimit();
    }

    /** The grid's evaluation from these options and the calibration options, progress shown. */
    Evaluation evaluation(CalibrationOptions calibration) {
        return new Evaluation(Protocol.of(calibration.corpus, evalCorpora, evalSeqLens, evalTokens), calibration.samples,
                calibration.seqLen, calibration.seed, tasks, taskLimit, true);
    }

    /**
     * Loads the model, prints its name and device, runs {@code grid} on it with every record appended
     * to {@code --record}'s file as it comes (its units to the units file beside it), and prints that file.
     */
    void run(ModelOption model, BiConsumer<LlamaModel, Consumer<ResultRecord>> grid) {
        var file = Results.file(record);
        try (LlamaModel m = model.load()) {
            System.out.println("model=" + m.config().name());
            System.out.println("device=" + m.device());
            grid.accept(m, r -> Results.append(file, r));
        }
        System.out.println("record=" + file);
    }
}
