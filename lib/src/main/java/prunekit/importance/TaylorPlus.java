package prunekit.importance;

import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.stats.LayerGradients;

/**
 * Shortened-LLaMA's Taylor+ block criterion (Kim et al., "Shortened LLaMA: Depth Pruning for Large
 * Language Models with Comparison of Retraining Methods", arXiv 2402.02834, Sec. 3): the
 * first-order Taylor estimate of the loss change on removing block n,
 * <pre>  I_n = Σ_k Σ_{i,j} |∂L/∂W^{k,n}_{ij} · W^{k,n}_{ij}|</pre>
 * summed over the block's linear weights k (q, k, v, o, gate, up, down). The "+" is the paper's
 * heuristic that keeps the first and last few blocks out of the candidates (first four and last two
 * for LLaMA-7B); protected layers score {@code +Infinity} so they are never removed.
 */
public final class TaylorPlus implements LayerImportance {

    /** Protects the first 4 and last 2 layers, as in the paper; micro-batches of 4 windows. */
    public static final TaylorPlus DEFAULT = new TaylorPlus(4, 2, 4);

    private final int protectFirst;
    private final int protectLast;
    private final int microBatch;

    /**
     * @param protectFirst number of leading layers never removed (0 = plain Taylor)
     * @param protectLast  number of trailing layers never removed
     * @param microBatch   windows per forward/backward pass
     */
    public TaylorPlus(int protectFirst, int protectLast, int microBatch) {
        if (protectFirst < 0 || protectLast < 0) {
            throw new IllegalArgumentException("protected layer counts must be >= 0, got " + protectFirst
                    + " and " + protectLast);
        }
        this.protectFirst = protectFirst;
        this.protectLast = protectLast;
        this.microBatch = microBatch;
    }

    @Override
    public double[] scores(LlamaModel model, int[][] calibration) {
        return scores(LayerGradients.compute(model, calibration, microBatch));
    }

    /** Scores from already computed gradient statistics. */
    public double[] scores(LayerGradients grads) {
        int n = grads.layers();
        double[] s = new double[n];
        for (int l = 0; l < n; l++) {
            if (l < protectFirst || l >= n - protectLast) {
                s[l] = Double.POSITIVE_INFINITY;
                continue;
            }
            for (String m : LayerWeights.LINEARS) {
                s[l] += grads.get(l, m).sumAbsTaylor();
            }
        }
        return s;
    }

    @Override
    public String name() {
        return "taylor+[" + protectFirst + "," + protectLast + "]";
    }
}
