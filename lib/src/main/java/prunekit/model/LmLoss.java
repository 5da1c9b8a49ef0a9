package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The language-modelling objective: log p(x_{t+1} | x_{≤t}) for every position, and its negative
 * mean (the cross-entropy loss whose gradient GradMAP and GBLM-Pruner read).
 */
public final class LmLoss {

    private LmLoss() {}

    /**
     * Log-probability of each next token.
     *
     * @param logits (B, T-1, V) next-token logits ({@link LlamaModel#nextTokenLogits}, the fast way), or
     *               (B, T, V) logits of every position (the last one, which predicts nothing, is dropped)
     * @param tokens the B sequences of T ids the logits were computed from
     * @return (B, T-1): entry [b, t] = log p(tokens[b][t+1] | tokens[b][0..t])
     */
    public static NDArray nextTokenLogProbs(NDArray logits, int[][] tokens) {
        int b = tokens.length;
        int t = tokens[0].length;
        Shape shape = logits.getShape();
        if (shape.dimension() != 3 || shape.get(0) != b || (shape.get(1) != t && shape.get(1) != t - 1)) {
            throw new IllegalArgumentException("logits of shape " + shape + " do not fit " + b + " sequences of "
                    + t + " tokens: expected (" + b + ", " + (t - 1) + ", V) or (" + b + ", " + t + ", V)");
        }
        NDManager m = logits.getManager();
        int[] targets = new int[b * (t - 1)];
        for (int i = 0; i < b; i++) {
            System.arraycopy(tokens[i], 1, targets, i * (t - 1), t - 1);
        }
        NDArray idx = OwnedArrays.of(m, targets, new Shape(b, t - 1, 1)).toType(DataType.INT64, false);
        NDArray predictions = shape.get(1) == t ? logits.get(new NDIndex(":, :-1, :")) : logits;
        NDArray logp = predictions.logSoftmax(-1);                             // (B, T-1, V)
        return logp.gather(idx, -1).squeeze(-1);                               // (B, T-1)
    }

    /** Mean negative log-likelihood over all predicted positions: a scalar to call backward on. */
    public static NDArray meanNll(NDArray logits, int[][] tokens) {
        return nextTokenLogProbs(logits, tokens).mean().neg();
    }
}
