package prunekit.cli;

import picocli.CommandLine.Option;
import prunekit.data.CalibrationSampler;
import prunekit.model.Tokenizer;

/**
 * The calibration windows' options, shared by {@code prune}, {@code cka} and the experiments:
 * {@code --calib-corpus}, {@code --calib-samples}, {@code --seqlen}, {@code --seed}. A command
 * passes its defaults to the constructor (so its help shows them); {@code prune}, whose defaults
 * depend on the method, leaves samples and length unset and gives them to {@link #config(int, int)}.
 */
final class CalibrationOptions {

    @Option(names = "--calib-corpus", paramLabel = "NAME", converter = Choices.Corpus.class,
            completionCandidates = Choices.Corpus.class,
            description = "corpus whose calibration split gives the windows: ${COMPLETION-CANDIDATES}")
    String corpus = "brown";

    @Option(names = "--calib-samples", paramLabel = "N", description = "calibration windows")
    Integer samples;

    @Option(names = "--seqlen", paramLabel = "T", description = "tokens per calibration window")
    Integer seqLen;

    @Option(names = "--seed", paramLabel = "N", description = "seed of the window sampling (and of the random metric)")
    long seed = 0;

    CalibrationOptions() {}

    CalibrationOptions(int samples, int seqLen) {
        this.samples = samples;
        this.seqLen = seqLen;
    }

    CalibrationSampler.Config config(int defaultSamples, int defaultSeqLen) {
        return new CalibrationSampler.Config(samples == null ? defaultSamples : samples,
                seqLen == null ? defaultSeqLen : seqLen, seed);
    }

    /** The windows, with the defaults given at construction. */
    int[][] sample(Tokenizer tokenizer) {
        return sample(tokenizer, samples, seqLen);
    }

    int[][] sample(Tokenizer tokenizer, int defaultSamples, int defaultSeqLen) {
        return CalibrationSampler.sample(corpus, tokenizer, config(defaultSamples, defaultSeqLen)).toArray(new int[0][]);
    }

    /** How the windows were drawn, for a saved model's provenance: "16 x 128 tokens of brown, seed 0". */
    String describe(int[][] windows) {
        return windows.length + " x " + windows[0].length + " tokens of " + corpus + ", seed " + seed;
    }
}
