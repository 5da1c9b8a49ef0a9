package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding (Su et al., "RoFormer", arXiv 2104.09864, eq. 34) over adjacent pairs:
 * for position p and pair i of a head, (x_{2i}, x_{2i+1}) is rotated by the angle
 * p·θ^{-2i/d}. This is the layout of GGUF and llama2.c checkpoints; Hugging Face q/k rows are
 * permuted into it on load.
 */
final class Rope implements AutoCloseable {

    private final NDArray cos; // (T, 1, D): cos(p·θ_i) at 2i and 2i+1
    private final NDArray sin; // (T, 1, D): -sin(p·θ_i) at 2i, +sin(p·θ_i) at 2i+1
    private final NDArray cosScaled; // the same times 1/√D, the attention's scale (see applyToQueries)
    private final NDArray sinScaled;

    Rope(NDManager m, int t, int headDim, double theta) {
        this(m, 0, t, headDim, theta);
    }

    /**
     * The tables of positions {@code from .. to-1} only: what a pass over tokens that follow
     * {@code from} cached ones needs ({@link KvCache}).
     */
    Rope(NDManager m, int from, int to, int headDim, double theta) {
        int half = headDim / 2;
        int t = to - from;
        float[] c = new float[t * headDim];
        float[] s = new float[t * headDim];
        for (int p = 0; p < t; p++) {
            for (int i = 0; i < half; i++) {
                double angle = (from + p) * Math.pow(theta, -2.0 * i / headDim);
                float cf = (float) Math.cos(angle);
                float sf = (float) Math.sin(angle);
                c[p * headDim + 2 * i] = cf;
                c[p * headDim + 2 * i + 1] = cf;
                s[p * headDim + 2 * i] = -sf;
                s[p * headDim + 2 * i + 1] = sf;
            }
        }
        cos = OwnedArrays.of(m, c, new Shape(t, 1, headDim));
        sin = OwnedArrays.of(m, s, new Shape(t, 1, headDim));
        float scale = (float) (1.0 / Math.sqrt(headDim));
        for (int i = 0; i < c.length; i++) {
            c[i] *= scale;
            s[i] *= scale;
        }
        cosScaled = OwnedArrays.of(m, c, new Shape(t, 1, headDim));
        sinScaled = OwnedArrays.of(m, s, new Shape(t, 1, headDim));
    }

    /**
     * Rotates x of shape (B, T, heads, D): {@code x·cos + swap(x)·sin}, where swap exchanges the two
     * entries of each pair, i.e. (x_{2i}, x_{2i+1}) becomes (x_{2i}·c − x_{2i+1}·s, x_{2i+1}·c + x_{2i}·s).
     * Six tensor operations; the same values, bit for bit, as rotating the even and odd halves
     * separately and interleaving them (eleven). Closes x's handle and its own intermediates.
     */
    NDArray apply(NDArray x) {
        return rotate(x, cos, sin);
    }

    @Override
    public void close() {
        for (NDArray table : new NDArray[] {cos, sin, cosScaled, sinScaled}) {
            table.close();
        }
    }

    /**
     * {@link #apply} times 1/√D: the attention's score scale, q·kᵀ/√D, applied to the queries as they
     * are rotated instead of to the (T × T) scores afterwards, one elementwise pass over the scores
     * fewer per layer. For a power-of-two D (SmolLM2: 64) the products are bit-identical.
     */
    NDArray applyToQueries(NDArray x) {
        return rotate(x, cosScaled, sinScaled);
    }

    private static NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        Shape shape = x.getShape();
        NDArray pairs = x.reshape(shape.get(0), shape.get(1), shape.get(2), shape.get(3) / 2, 2);
        NDArray flipped = pairs.flip(4);
        NDArray swapped = flipped.reshape(shape);
        NDArray a = x.mul(cos);
        NDArray b = swapped.mul(sin);
        NDArray out = a.add(b);
        for (NDArray intermediate : new NDArray[] {pairs, flipped, swapped, a, b, x}) {
            intermediate.close();                          // see LlamaForward: freed while still in cache
        }
        return out;
    }
}
