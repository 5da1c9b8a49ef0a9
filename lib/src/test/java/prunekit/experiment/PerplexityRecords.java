package prunekit.experiment;

import java.time.Instant;
import java.util.Arrays;
import java.util.function.IntToDoubleFunction;
import java.util.stream.IntStream;
import prunekit.eval.Bootstrap;
import prunekit.eval.ResultRecord;

/** Hand-made perplexity records for the table tests: every window's NLL given, so every paired verdict is known. */
final class PerplexityRecords {

    /** Windows per record. */
    static final int WINDOWS = 64;

    private PerplexityRecords() {}

    /** sotu/test at 128 tokens for {@code method} with {@code settings}: window i has NLL {@code nll(i)}. */
    static ResultRecord ppl(String method, String settings, IntToDoubleFunction nll) {
        double[] u = IntStream.range(0, WINDOWS).mapToDouble(nll).toArray();
        double ppl = Math.exp(Arrays.stream(u).average().orElseThrow());
        return new ResultRecord(Instant.now(), "tiny", method, settings, "sotu/test", 128, 0, "cpu()", 1, "ppl", ppl,
                Double.NaN, WINDOWS * 127L, new Bootstrap.Interval(ppl * 0.9, ppl * 1.1), u);
    }
}
