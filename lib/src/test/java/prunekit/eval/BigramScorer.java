package prunekit.eval;

/**
 * Test scorer with a fixed bigram table over a vocabulary of V ids: p(b | a) = 1/2 if b == a,
 * else 1/(2(V-1)). Log-probabilities are easy to compute by hand.
 */
final class BigramScorer implements TokenScorer {

    private final int vocab;
    private final int maxLen;
    int calls;

    BigramScorer(int vocab, int maxLen) {
        this.vocab = vocab;
        this.maxLen = maxLen;
    }

    /** log p(b | a). */
    double logProb(int a, int b) {
        return a == b ? Math.log(0.5) : Math.log(0.5 / (vocab - 1));
    }

    @Override
    public float[][] nextTokenLogProbs(int[][] sequences) {
        calls++;
        int t = sequences[0].length;
        float[][] out = new float[sequences.length][t - 1];
        for (int b = 0; b < sequences.length; b++) {
            if (sequences[b].length != t) throw new IllegalArgumentException("ragged batch");
            if (t > maxLen) throw new IllegalArgumentException("too long");
            for (int i = 0; i + 1 < t; i++) out[b][i] = (float) logProb(sequences[b][i], sequences[b][i + 1]);
        }
        return out;
    }

    @Override public int maxSequenceLength() { return maxLen; }

    @Override public String name() { return "bigram-test"; }
}
