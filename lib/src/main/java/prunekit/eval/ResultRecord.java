package prunekit.eval;

import java.time.Instant;
import java.util.List;

/**
 * One measured number with its provenance, one row of {@code data/results/*.csv}
 * (written by {@link Results#append}). A table of these says what every number measured.
 *
 * @param timestamp when the measurement finished (UTC, ISO-8601)
 * @param model model name, e.g. {@link TokenScorer#name()}
 * @param method pruning method, e.g. {@code "dense"}, {@code "wanda"}, {@code "slm"}
 * @param settings method settings in {@code key=value;key=value} form, e.g. {@code "sparsity=0.5"}
 * @param data what was evaluated: {@code "brown/test"}, a task name, or a file
 * @param seqLen tokens per window (perplexity) or the model's maximum length (multiple choice)
 * @param seed seed of the pruning run (calibration sampling), -1 if none
 * @param device where it ran, e.g. {@code "cpu"}
 * @param wallSeconds wall time of the evaluation
 * @param metric metric name: {@code ppl}, {@code acc}, {@code acc_norm}, ...
 * @param value the metric's value
 * @param stderr its standard error, NaN if none
 * @param n evaluated tokens (perplexity) or items (multiple choice)
 * @param ci95 the value's 95 % bootstrap interval ({@link Bootstrap}), {@link Bootstrap.Interval#NONE} if none
 * @param units the per-unit values behind {@code value}, null if none: each perplexity window's mean NLL,
 *              or each task item's 1/0 under {@code metric}. They are not a CSV column: {@link Results#append}
 *              writes them to the record's units file, where a {@link RecordSet} pairs two models'
 *              units ({@link PairedComparison}) long after the models are gone.
 */
public record ResultRecord(Instant timestamp, String model, String method, String settings, String data, int seqLen,
                           long seed, String device, double wallSeconds, String metric, double value, double stderr,
                           long n, Bootstrap.Interval ci95, double[] units) {

    /** CSV header, in component order (the interval as two columns). */
    public static final List<String> COLUMNS = List.of("timestamp", "model", "method", "settings", "data", "seqlen",
            "seed", "device", "wall_s", "metric", "value", "stderr", "n", "ci_low", "ci_high");

    /** The header before intervals were recorded; {@link Results} reads such files and upgrades them on append. */
    static final List<String> COLUMNS_WITHOUT_CI = COLUMNS.subList(0, COLUMNS.size() - 2);

    /** A record without an interval. */
    public ResultRecord(Instant timestamp, String model, String method, String settings, String data, int seqLen,
                        long seed, String device, double wallSeconds, String metric, double value, double stderr, long n) {
        this(timestamp, model, method, settings, data, seqLen, seed, device, wallSeconds, metric, value, stderr, n,
                Bootstrap.Interval.NONE, null);
    }

    /** A record with an interval and no units. */
    public ResultRecord(Instant timestamp, String model, String method, String settings, String data, int seqLen,
                        long seed, String device, double wallSeconds, String metric, double value, double stderr, long n,
                        Bootstrap.Interval ci95) {
        this(timestamp, model, method, settings, data, seqLen, seed, device, wallSeconds, metric, value, stderr, n,
                ci95, null);
    }

    /**
     * What produced a measurement, apart from the measurement itself.
     *
     * @param method pruning method ({@code "dense"} for the unpruned model)
     * @param settings method settings, {@code key=value;...}
     * @param seed seed of the run, -1 if none
     * @param device e.g. {@code "cpu"}
     */
    public record Run(String method, String settings, long seed, String device) {}

    /** This record carrying {@code units} (e.g. a loss curve) as its per-unit values. */
    public ResultRecord withUnits(double[] units) {
        return new ResultRecord(timestamp, model, method, settings, data, seqLen, seed, device, wallSeconds, metric, value,
                stderr, n, ci95, units);
    }

    /** One {@code ppl} row for a perplexity result. */
    public static ResultRecord of(Run run, Perplexity.Result r) {
        return new ResultRecord(Instant.now(), r.model(), run.method(), run.settings(), r.data(), r.seqLen(), run.seed(),
                run.device(), r.seconds(), "ppl", r.ppl(), Double.NaN, r.tokens(), r.ci95(), r.windowNll());
    }

    /**
     * {@code acc} and {@code acc_norm} rows for a multiple-choice result, each with its interval;
     * seqLen is the scorer's maximum.
     */
    public static List<ResultRecord> of(Run run, MultipleChoice.Result r, int seqLen) {
        Instant now = Instant.now();
        double[] acc = MultipleChoice.correct(r.scores(), ChoiceTask.Metric.ACC);
        double[] accNorm = MultipleChoice.correct(r.scores(), ChoiceTask.Metric.ACC_NORM);
        return List.of(
                new ResultRecord(now, r.model(), run.method(), run.settings(), r.task(), seqLen, run.seed(), run.device(),
                        r.seconds(), "acc", r.acc(), r.accStderr(), r.items(), Bootstrap.DEFAULT.mean(acc), acc),
                new ResultRecord(now, r.model(), run.method(), run.settings(), r.task(), seqLen, run.seed(), run.device(),
                        r.seconds(), "acc_norm", r.accNorm(), r.accNormStderr(), r.items(), Bootstrap.DEFAULT.mean(accNorm),
                        accNorm));
    }

    /** This record as one CSV line (RFC 4180 quoting, no line terminator). */
    public String toCsvLine() {
        return String.join(",", Csv.quote(timestamp.toString()), Csv.quote(model), Csv.quote(method),
                Csv.quote(settings), Csv.quote(data), Integer.toString(seqLen), Long.toString(seed), Csv.quote(device),
                Double.toString(wallSeconds), Csv.quote(metric), Double.toString(value), Double.toString(stderr),
                Long.toString(n), Double.toString(ci95.low()), Double.toString(ci95.high()));
    }
}
