package prunekit.data;

import java.nio.file.Path;

/**
 * Writes {@code data/splits/<corpus>.json} for every corpus (or those named on the command line)
 * from the cached corpora, with {@link Splits#DEFAULT_SEED}. Run once after fetch.sh; the outputs
 * are committed so that every user evaluates on the same held-out documents.
 */
public final class SplitGenerator {

    private SplitGenerator() {}

    /** Usage: {@code SplitGenerator [corpus...]}. */
    public static void main(String[] args) {
        var names = args.length == 0 ? Corpora.NAMES : java.util.List.of(args);
        for (String name : names) {
            Splits s = Splits.assign(Corpora.open(name), Splits.DEFAULT_SEED);
            Path out = DataPaths.splits().resolve(name + ".json");
            s.write(out);
            System.out.printf("%s: calibration %d, validation %d, test %d -> %s%n", name,
                    s.of(Split.CALIBRATION).size(), s.of(Split.VALIDATION).size(), s.of(Split.TEST).size(), out);
        }
    }
}
