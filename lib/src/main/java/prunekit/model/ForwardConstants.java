package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * What the forward pass of one model reuses from pass to pass, in the model's manager: the RoPE
 * tables and the causal mask of one sequence length, and RMSNorm's scalar operands.
 *
 * <p>The tables of the last length are kept for the next pass of the same length: a layer-by-layer
 * loop (Wanda, SparseGPT, the PPL criterion) runs one length many times. One length is kept, so a
 * caller of many lengths (generation, scoring) holds no more than one. Replacing them is safe under
 * autograd: a graph keeps the tables it saved. The scalars are owned 0-d tensors (see
 * {@link OwnedArrays}), made once per model rather than in every layer of every pass.
 */
final class ForwardConstants {

    /**
     * The RoPE tables and the causal mask for t query positions, repeated for the G = H/K query heads
     * that share a key/value head (the attention scores one block of G·T rows per key/value head):
     * (G·T, T) for a whole sequence, (G·T, P + T) after P cached tokens, null where nothing is masked
     * (one new token).
     */
    record Positions(int t, Rope rope, NDArray mask) {}

    private final NDManager manager;
    private final LlamaConfig config;            // read for head dim, RoPE θ and ε, which edits never change
    private final NDArray like;                  // a weight: the scalars take its data type and device
    private Positions positions;
    private NDArray eps;
    private NDArray minusHalf;

    ForwardConstants(NDManager manager, LlamaConfig config, NDArray like) {
        this.manager = manager;
        this.config = config;
        this.like = like;
    }

    Positions positions(int t) {
        if (positions == null || positions.t() != t) {
            if (positions != null) {
                positions.rope().close();
                positions.mask().close();
            }
            Rope rope = new Rope(manager, t, config.headDim(), config.ropeTheta(), like.getDataType());
            positions = new Positions(t, rope, causalMask(manager, t, 0, config.groupSize()));
        }
        return positions;
    }

    /** RMSNorm's ε, the config's {@code rmsEps}. */
    NDArray eps() {
        if (eps == null) {
            eps = OwnedArrays.scalar(like, config.rmsEps());
        }
        return eps;
    }

    /** The exponent −½ of RMSNorm's reciprocal square root. */
    NDArray minusHalf() {
        if (minusHalf == null) {
            minusHalf = OwnedArrays.scalar(like, -0.5);
        }
        return minusHalf;
    }

    /**
     * The mask of t queries after {@code past} cached tokens, (t, past + t): 0 where query i may attend
     * (keys 0..past+i), −∞ after; with past = 0 the usual lower-triangular causal mask. Stacked
     * {@code groups} times: (groups·t, past + t), row g·t + i that of query i.
     */
    static NDArray causalMask(NDManager m, int t, int past, int groups) {
        int keys = past + t;
        float[] mask = new float[groups * t * keys];
        for (int g = 0; g < groups; g++) {
            for (int i = 0; i < t; i++) {
                int row = (g * t + i) * keys;
                Arrays.fill(mask, row + past + i + 1, row + keys, Float.NEGATIVE_INFINITY);
            }
        }
        return OwnedArrays.of(m, mask, new Shape((long) groups * t, keys));
    }
}
