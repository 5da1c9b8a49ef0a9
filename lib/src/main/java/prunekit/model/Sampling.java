package prunekit.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How the next token is chosen from the logits, in Hugging Face transformers' order: temperature,
 * then top-k, then top-p (nucleus, Holtzman et al. 2020, arXiv:1904.09751), then a draw. Temperature
 * 0 is greedy decoding (argmax, lowest id on ties), and then top-k, top-p and the seed do nothing.
 *
 * @param temperature logits are divided by it (0 = greedy; 1 = the model's distribution)
 * @param topK keep the k most probable tokens (0 = all)
 * @param topP keep the smallest set of most probable tokens whose probability reaches p (1 = all)
 * @param seed seed of the draws (0)
 */
public record Sampling(double temperature, int topK, double topP, long seed) {

    /** Greedy decoding. */
    public static final Sampling GREEDY = new Sampling(0, 0, 1, 0);

    public Sampling {
        if (!(temperature >= 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0 (0 = off), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1] (1 = off), got " + topP);
    }

    /** Whether this is greedy decoding. */
    public boolean greedy() {
        return temperature == 0;
    }

    /** A chooser of next tokens with its own random stream. */
    public Chooser chooser() {
        return new Chooser(this, new SplittableRandom(seed));
    }

    /** Picks next tokens for one generation; stateful (the random stream). */
    public static final class Chooser {
        private final Sampling s;
        private final SplittableRandom rng;

        private Chooser(Sampling s, SplittableRandom rng) {
            this.s = s;
            this.rng = rng;
        }

        /** The next token id from one position's logits (V). */
        public int next(float[] logits) {
            if (s.greedy()) return argmax(logits);
            int v = logits.length;
            // 1. temperature, softmax (max-shifted)
            double[] p = new double[v];
            double max = Double.NEGATIVE_INFINITY;
            for (float x : logits) max = Math.max(max, x);
            for (int i = 0; i < v; i++) p[i] = Math.exp((logits[i] - max) / s.temperature);
            // 2. top-k then top-p over tokens sorted by probability (ties by id)
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
            int keep = s.topK > 0 ? Math.min(s.topK, v) : v;
            double total = 0;
            for (int r = 0; r < keep; r++) total += p[order[r]];
            if (s.topP < 1) {
                double cumulative = 0;
                for (int r = 0; r < keep; r++) {
                    cumulative += p[order[r]] / total;
                    if (cumulative >= s.topP) {
                        keep = r + 1;                                   // the token that crosses p stays
                        break;
                    }
                }
                total = 0;
                for (int r = 0; r < keep; r++) total += p[order[r]];
            }
            // 3. one draw from what is kept
            double u = rng.nextDouble() * total;
            for (int r = 0; r < keep; r++) {
                u -= p[order[r]];
                if (u < 0) return order[r];
            }
            return order[keep - 1];
        }

        private static int argmax(float[] x) {
            int best = 0;
            for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
            return best;
        }
    }
}
