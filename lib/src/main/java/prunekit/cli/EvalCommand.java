package prunekit.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import prunekit.eval.ChoiceTask;
import prunekit.eval.ModelScorer;
import prunekit.eval.MultipleChoice;
import prunekit.eval.ResultRecord;
import prunekit.eval.TaskLoader;
import prunekit.model.LlamaModel;

/** {@code prunekit eval}: zero-shot multiple choice; the last line is {@code acc=<v> acc_norm=<v>}. */
@Command(name = "eval", description = "Zero-shot multiple-choice accuracy (lm-eval semantics);"
        + " the last line is acc=<value> acc_norm=<value>.")
final class EvalCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--task", required = true, paramLabel = "NAME|FILE", converter = Choices.Task.class,
            completionCandidates = Choices.Task.class,
            description = "a task in data/tasks (${COMPLETION-CANDIDATES}) or a .jsonl file")
    String task;

    @Option(names = "--limit", paramLabel = "N", description = "the first N items only")
    Integer limit;

    @Mixin
    RecordOption record;

    @Override
    public Integer call() {
        ChoiceTask items = task.endsWith(".jsonl") ? TaskLoader.load(Path.of(task)) : TaskLoader.load(task);
        if (limit != null) {
            items = items.limit(limit);
        }
        try (LlamaModel m = model.load()) {
            MultipleChoice.Result r = MultipleChoice.evaluate(new ModelScorer(m), m.tokenizer(), items,
                    MultipleChoice.Config.forDevice(m.device(), true));
            System.out.println("model=" + r.model());
            System.out.println("task=" + r.task());
            System.out.println("items=" + r.items());
            System.out.println("chance=" + r.chance());
            System.out.println("metric=" + r.metric().label());
            System.out.println("ci95=" + r.ci95());
            System.out.println("acc_stderr=" + r.accStderr());
            System.out.println("acc_norm_stderr=" + r.accNormStderr());
            System.out.printf("seconds=%.1f%n", r.seconds());
            for (ResultRecord rec : ResultRecord.of(model.run(m), r, 0)) { // seqlen 0: each item is scored whole
                record.append(rec);
            }
            System.out.println("acc=" + r.acc() + " acc_norm=" + r.accNorm() + " stderr=" + r.stderr());  // stderr of the task's metric
        }
        return 0;
    }
}
