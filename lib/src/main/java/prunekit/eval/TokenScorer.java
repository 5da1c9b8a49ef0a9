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

    /**
     * Summed log-probability of each continuation after one shared prefix:
     * {@code out[j] = Σ_k log p(continuations[j][k] | prefix, continuations[j][0..k))}. A scorer with
     * a key/value cache runs the prefix once; this default runs every whole sequence.
     *
     * @param prefix tokens every continuation follows (at least one)
     * @param continuations one or more token sequences, each at least one token
     */
    default double[] continuationLogLikelihoods(int[] prefix, int[][] continuations) {
        int longest = 0;
        for (int[] c : continuations) longest = Math.max(longest, c.length);
        int[][] seqs = new int[continuations.length][prefix.length + longest];   // right-padded with 0
        for (int j = 0; j < seqs.length; j++) {
            System.arraycopy(prefix, 0, seqs[j], 0, prefix.length);
            System.arraycopy(continuations[j], 0, seqs[j], prefix.length, continuations[j].length);
        }
        float[][] logp = nextTokenLogProbs(seqs);                                // (n, T-1)
        double[] out = new double[continuations.length];
        for (int j = 0; j < out.length; j++) {
            for (int k = 0; k < continuations[j].length; k++) out[j] += logp[j][prefix.length + k - 1];
        }
        return out;
    }

    /** Longest sequence the model accepts. */
    int maxSequenceLength();

    /** A short name for result records, e.g. "SmolLM2-135M-Instruct (Q4_1 GGUF)". */
    String name();
}
