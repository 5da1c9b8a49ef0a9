package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
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
     * @param logits (B, T-1, V) next-token logits, or (B, T, V) logits of every position (the last one,
     *               which predicts nothing, is dropped); {@link #nextTokenLogProbs(LlamaModel, NDManager, int[][])}
     *               is the faster way from a model
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
        NDArray idx = targets(logits.getManager(), tokens, new Shape(b, t - 1, 1));
        NDArray predictions = shape.get(1) == t ? logits.get(new NDIndex(":, :-1, :")) : logits;
        NDArray logp = predictions.logSoftmax(-1);                             // (B, T-1, V)
        return logp.gather(idx, -1).squeeze(-1);                               // (B, T-1)
    }

    /** Mean negative log-likelihood over all predicted positions: a scalar to call backward on. */
    public static NDArray meanNll(NDArray logits, int[][] tokens) {
        return nextTokenLogProbs(logits, tokens).mean().neg();
    }

    /** Bytes of logits the head produces at a time in {@link #nextTokenLogProbs(LlamaModel, NDArray, int[][])}. */
    static final long CHUNK_BYTES = 12L << 20;

    /**
     * Log-probability of each next token from the final-normed stream (B, T, C) of a forward pass
     * ({@link ForwardResult#finalHidden()}), computed a chunk of positions at a time: the output head,
     * log-softmax and pick run on about 12 MB of logits at once (64 positions for SmolLM2's 49,152-token
     * vocabulary) instead of all (B, T-1, V) of them (100 MB for 4 × 128 tokens), and the last position,
     * which predicts nothing, never reaches the head. Same values and gradients as the logits path. Why:
     * blocks of logits that size were freshly mapped memory on every pass, each page faulting on first
     * touch, as were log-softmax's output and, in a backward pass, the gradient blocks of the same size
     * (and slicing the last position off full logits filled a zero block of their size in the backward);
     * small blocks are reused from malloc's heap. Measured in docs/performance.md. On a GPU all positions go
     * through at once: its caching allocator hands the same blocks back pass after pass, there are no page
     * faults to avoid, and every chunk would cost the host a dozen kernel launches (256 chunks at 8 × 2,048
     * tokens) while the GPU is fastest on one large product.
     *
     * @return (B, T-1), in the stream's manager: entry [b, t] = log p(tokens[b][t+1] | tokens[b][0..t])
     */
    public static NDArray nextTokenLogProbs(LlamaModel model, NDArray normed, int[][] tokens) {
        return nextTokenLogProbs(model, normed, tokens, chunkRows(model, normed, tokens), null);
    }

    /** Positions per chunk: all of them on a GPU, about {@link #CHUNK_BYTES} of logits on the CPU. */
    private static int chunkRows(LlamaModel model, NDArray normed, int[][] tokens) {
        if (normed.getDevice().isGpu()) {
            return tokens.length * Math.max(1, tokens[0].length - 1);
        }
        long rows = CHUNK_BYTES / ((long) model.config().vocabSize() * Float.BYTES);
        return (int) Math.max(1, rows);
    }

    /** As {@link #nextTokenLogProbs(LlamaModel, NDArray, int[][])}, {@code chunk} positions at a time. */
    static NDArray nextTokenLogProbs(LlamaModel model, NDArray normed, int[][] tokens, int chunk) {
        return nextTokenLogProbs(model, normed, tokens, chunk, null);
    }

    /** As above, with the ids to pick already on the device ({@link #targets}; null: made here). */
    private static NDArray nextTokenLogProbs(LlamaModel model, NDArray normed, int[][] tokens, int chunk, NDArray ids) {
        int b = tokens.length;
        int t = tokens[0].length;
        Shape shape = normed.getShape();
        long c = model.config().hidden();
        if (shape.dimension() != 3 || shape.get(0) != b || shape.get(1) != t || shape.get(2) != c || t < 2) {
            throw new IllegalArgumentException("final hidden states of shape " + shape + " do not fit " + b
                    + " sequences of " + t + " tokens: expected (" + b + ", " + t + ", " + c + ") and at least 2 tokens");
        }
        int n = b * (t - 1);
        NDArray idx = ids != null ? ids : targets(normed.getManager(), tokens, new Shape(n, 1));
        // (B·(T-1), C) rows, copied contiguous by the reshape (on a strided view matmul would broadcast
        // the head over a batched product instead of one matrix product)
        NDArray rows = normed.get(new NDIndex(":, :-1")).reshape(n, c);
        NDList picked = new NDList();
        for (int r0 = 0; r0 < n; r0 += chunk) {
            NDIndex span = new NDIndex(r0 + ":" + Math.min(n, r0 + chunk));
            NDArray logp = model.logits(rows.get(span)).logSoftmax(-1);               // (rows, V)
            picked.add(logp.gather(idx.get(span), -1));                               // (rows, 1)
        }
        // NDArrays.concat of a single array returns a copy detached from the autograd graph
        NDArray all = picked.size() == 1 ? picked.head() : NDArrays.concat(picked);
        return all.reshape(b, t - 1);
    }

    /** A forward pass that stops at {@link #nextTokenLogProbs(LlamaModel, NDArray, int[][])}: (B, T-1) in {@code step}. */
    public static NDArray nextTokenLogProbs(LlamaModel model, NDManager step, int[][] tokens) {
        // the ids to pick before the pass: copied to a GPU after it, they would make the host wait for the
        // whole forward pass (a copy from Java memory synchronises) before it could issue the loss and backward
        NDArray ids = tokens.length > 0 && tokens[0].length > 1
                ? targets(step, tokens, new Shape((long) tokens.length * (tokens[0].length - 1), 1)) : null;
        NDArray normed = model.forward(step, tokens, Trace.FINAL_HIDDEN_ONLY).finalHidden();
        return nextTokenLogProbs(model, normed, tokens, chunkRows(model, normed, tokens), ids);
    }

    /** The mean negative log-likelihood from a final-normed stream, the chunked way: a scalar to call backward on. */
    public static NDArray meanNll(LlamaModel model, NDArray normed, int[][] tokens) {
        return nextTokenLogProbs(model, normed, tokens).mean().neg();
    }

    /** The mean negative log-likelihood of {@code tokens} under {@code model}, the fast way: a scalar in {@code step}. */
    public static NDArray meanNll(LlamaModel model, NDManager step, int[][] tokens) {
        return nextTokenLogProbs(model, step, tokens).mean().neg();
    }

    /** The ids each position predicts, tokens[b][1..T-1], as INT64 indices of {@code shape} in {@code m}. */
    private static NDArray targets(NDManager m, int[][] tokens, Shape shape) {
        int b = tokens.length;
        int t = tokens[0].length;
        int[] targets = new int[b * (t - 1)];
        for (int i = 0; i < b; i++) {
            System.arraycopy(tokens[i], 1, targets, i * (t - 1), t - 1);
        }
        return OwnedArrays.of(m, targets, shape).toType(DataType.INT64, false);
    }
}
