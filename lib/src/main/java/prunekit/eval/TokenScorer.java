package prunekit.eval;

/**
 * What evaluation needs of a language model: the log-probability it gives each token of a
 * sequence given the tokens before it. Perplexity and multiple-choice scoring are written against
 * this interface only, so they run unchanged on a dense, pruned, merged or user-supplied model.
 */
public interface TokenScorer {

    /**
     * Log-probabilities of the next token along each sequence.
     *
     * @param sequences B sequences of equal length T (token ids)
     * @return B rows of T-1 values: {@code out[b][t] = log p(sequences[b][t+1] | sequences[b][0..t])}
     */
    float[][] nextTokenLogProbs(int[][] sequences);

    /** Longest sequence the model accepts. */
    int maxSequenceLength();

    /** A short name for result records, e.g. "SmolLM2-135M-Instruct (Q4_1 GGUF)". */
    String name();
}
