package prunekit.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import prunekit.model.KvCache;
import prunekit.model.LlamaModel;
import prunekit.model.LmLoss;
import prunekit.model.Trace;

/**
 * Scores tokens with a {@link LlamaModel}: one forward pass per batch, in its own step manager;
 * continuations of a shared prefix through the key/value cache, the prefix run once.
 */
public final class ModelScorer implements TokenScorer {

    private final LlamaModel model;

    public ModelScorer(LlamaModel model) {
        this.model = model;
    }

    @Override
    public float[][] nextTokenLogProbs(int[][] sequences) {
        int t = sequences[0].length;
        float[][] out = new float[sequences.length][t - 1];
        if (t < 2) {
            return out;
        }
        try (NDManager step = model.manager().newSubManager()) {
            float[] flat = LmLoss.nextTokenLogProbs(model, step, sequences)
                    .toFloatArray();
            for (int b = 0; b < sequences.length; b++) {
                System.arraycopy(flat, b * (t - 1), out[b], 0, t - 1);
            }
        }
        return out;
    }

    /**
     * The prefix runs once into a key/value cache; the cache is repeated for the n continuations,
     * which run as one right-padded batch after it. The prefix's last position predicts each
     * continuation's first token, continuation position k its token k+1; the output head runs on
     * those positions only.
     */
    @Override
    public double[] continuationLogLikelihoods(int[] prefix, int[][] continuations) {
        int n = continuations.length;
        int longest = 0;
        for (int[] c : continuations) longest = Math.max(longest, c.length);
        int[][] padded = new int[n][longest];                                      // right-padded with 0
        int[][] targets = new int[n][longest + 1];                                 // prefix's last token, then the continuation
        for (int j = 0; j < n; j++) {
            System.arraycopy(continuations[j], 0, padded[j], 0, continuations[j].length);
            targets[j][0] = prefix[prefix.length - 1];
            System.arraycopy(continuations[j], 0, targets[j], 1, continuations[j].length);
        }
        try (NDManager step = model.manager().newSubManager(); KvCache context = model.newCache()) {
            // 1. the prefix once: its last position's final hidden state                     (1, 1, C)
            NDArray prefixOut = model.forward(step, new int[][] {prefix}, context, Trace.FINAL_HIDDEN_ONLY).finalHidden();
            NDArray last = prefixOut.get(new NDIndex(":, -1:, :"));
            // 2. the continuations as one batch after n copies of the prefix                 (n, longest, C)
            NDArray contOut;
            try (KvCache shared = context.repeat(n)) {
                contOut = model.forward(step, padded, shared, Trace.FINAL_HIDDEN_ONLY).finalHidden();
            }
            // 3. log p of each continuation token from the position before it             (n, longest)
            NDArray states = last.broadcast(new Shape(n, 1, last.getShape().get(2))).concat(contOut, 1);
            float[] logp = LmLoss.nextTokenLogProbs(model, states, targets).toFloatArray();
            double[] out = new double[n];
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < continuations[j].length; k++) out[j] += logp[j * longest + k];
            }
            return out;
        }
    }

    @Override
    public int maxSequenceLength() {
        return model.config().maxSequenceLength();
    }

    @Override
    public String name() {
        return model.config().name();
    }
}
