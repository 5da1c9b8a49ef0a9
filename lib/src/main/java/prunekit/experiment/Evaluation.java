package prunekit.experiment;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import prunekit.data.CalibrationSampler;
import prunekit.eval.ChoiceTask;
import prunekit.eval.ModelScorer;
import prunekit.eval.MultipleChoice;
import prunekit.eval.Perplexity;
import prunekit.eval.Protocol;
import prunekit.eval.ResultRecord;
import prunekit.eval.TaskLoader;
import prunekit.model.LlamaModel;

/**
 * What the results grids share: the calibration windows every method sees, how every pruned model
 * is measured (perplexity on a test split, multiple-choice tasks), and the records that come out.
 * Each grid has its own defaults ({@link LayerPruningGrid#EVALUATION}, {@link WeightPruningGrid#EVALUATION}).
 *
 * @param protocol     calibration corpus (its calibration split) and the corpora, window lengths and token
 *                     budget of perplexity ({@link Protocol}): every model is measured on each test split
 *                     at each length, its per-window NLLs kept for paired comparisons
 * @param calibSamples calibration windows
 * @param calibSeqLen  tokens per calibration window
 * @param seed         calibration sampling seed
 * @param tasks        multiple-choice tasks (names for {@link TaskLoader#load(String)})
 * @param taskLimit    items per task, 0 = all
 * @param progress     print a line per measured model and progress bars
 */
public record Evaluation(Protocol protocol, int calibSamples, int calibSeqLen, long seed, List<String> tasks,
                         int taskLimit, boolean progress) {

    public Evaluation {
        tasks = List.copyOf(tasks);
        if (calibSamples < 1) throw new IllegalArgumentException("calibSamples must be >= 1, got " + calibSamples);
    }

    /** The calibration corpus, {@link Protocol#calibration()}. */
    public String calibCorpus() {
        return protocol.calibration();
    }

    /** The calibration windows, drawn from {@code model}'s tokenisation of the corpus. */
    int[][] calibration(LlamaModel model) {
        return CalibrationSampler.sample(calibCorpus(), model.tokenizer(),
                new CalibrationSampler.Config(calibSamples, calibSeqLen, seed)).toArray(new int[0][]);
    }

    /** The tasks, each cut to {@link #taskLimit} items. */
    List<ChoiceTask> loadTasks() {
        return tasks.stream().map(t -> taskLimit > 0 ? TaskLoader.load(t).limit(taskLimit) : TaskLoader.load(t)).toList();
    }

    /** {@code brown:16x128}: the calibration setting of a record, for {@code windows} windows. */
    String calibrationLabel(int windows) {
        return calibCorpus() + ":" + windows + "x" + calibSeqLen;
    }

    /**
     * Measures model {@code m} as {@code run}: perplexity, its parameter count, and each of
     * {@code tasks}, handed to {@code sink} as records.
     *
     * @param parameters the parameters the model keeps (its count, less any zeroed weights)
     */
    void evaluate(LlamaModel m, ResultRecord.Run run, long parameters, List<ChoiceTask> tasks,
            Consumer<ResultRecord> sink) {
        ModelScorer scorer = new ModelScorer(m);
        StringBuilder line = new StringBuilder(String.format("  %-16s %-60s", run.method(),
                run.settings().replaceAll(";calib=.*", "")));
        for (String corpus : protocol.evalCorpora()) {
            for (int seqLen : protocol.seqLens()) {
                Perplexity.Result ppl = Perplexity.ofSplit(scorer, m.tokenizer(), corpus, "test",
                        Perplexity.Config.forDevice(m.device(), seqLen, protocol.evalTokens()).withProgress(progress));
                sink.accept(ResultRecord.of(run, ppl));
                line.append(String.format("  %s@%d %.2f", corpus, seqLen, ppl.ppl()));
            }
        }
        sink.accept(new ResultRecord(Instant.now(), m.config().name(), run.method(), run.settings(), "model", 0,
                run.seed(), run.device(), 0, "params", parameters, Double.NaN, m.config().layers()));
        for (ChoiceTask task : tasks) {
            MultipleChoice.Result r = MultipleChoice.evaluate(scorer, m.tokenizer(), task,
                    MultipleChoice.Config.forDevice(m.device(), false));
            ResultRecord.of(run, r, m.config().maxSequenceLength()).forEach(sink);
            line.append(String.format("  %s %.3f/%.3f", task.name(), r.acc(), r.accNorm()));
        }
        if (progress) System.out.println(line);
    }

    /** One number measured on the calibration windows (a time, a choice), as a record of {@code model}. */
    static ResultRecord number(String model, ResultRecord.Run run, String metric, double value, int[][] calibration) {
        return new ResultRecord(Instant.now(), model, run.method(), run.settings(), "calibration",
                calibration[0].length, run.seed(), run.device(), value, metric, value, Double.NaN, calibration.length);
    }
}
