package prunekit.cli;

import picocli.CommandLine.Option;
import prunekit.eval.ResultRecord;
import prunekit.eval.Results;

/** {@code --record NAME}: append each result, with its provenance, to {@code data/results/NAME.csv}. */
final class RecordOption {

    @Option(names = "--record", paramLabel = "NAME", description = "append the result to data/results/NAME.csv")
    String name;

    void append(ResultRecord r) {
        if (name != null) {
            Results.append(Results.file(name), r);
        }
    }
}
