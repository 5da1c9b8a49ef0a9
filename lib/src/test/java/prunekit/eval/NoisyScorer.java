package prunekit.eval;

import java.util.SplittableRandom;

/**
 * Test scorer whose windows have a known expected NLL: every token of row b gets the log-prob
 * {@code -(mean + shift + noise_b)}, where noise_b is uniform in [-spread, spread] and drawn from the
 * row's first token (the window's id), so two scorers with the same seed see the same noise on the
 * same window and differ only by their shifts. The expected NLL per token is {@code mean + shift}.
 */
final class NoisyScorer implements TokenScorer {

    private final double mean;
    private final double spread;
    private final long seed;

    NoisyScorer(double mean, double spread, long seed) {
        this.mean = mean;
        this.spread = spread;
        this.seed = seed;
    }

    @Override
    public float[][] nextTokenLogProbs(int[][] sequences) {
        int t = sequences[0].length;
        float[][] out = new float[sequences.length][t - 1];
        for (int b = 0; b < sequences.length; b++) {
            SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + sequences[b][0]);
            double nll = mean + spread * (2 * rng.nextDouble() - 1);
            java.util.Arrays.fill(out[b], (float) -nll);
        }
        return out;
    }

    @Override public int maxSequenceLength() { return 1 << 16; }

    @Override public String name() { return "noisy-test"; }

    /** A stream whose window w (seqLen tokens, no BOS) starts with token id w, so windows are told apart. */
    static int[] stream(int windows, int seqLen) {
        int[] s = new int[windows * seqLen];
        for (int w = 0; w < windows; w++) s[w * seqLen] = w;
        return s;
    }
}
