package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding (Su et al., "RoFormer", arXiv 2104.09864, eq. 34) over adjacent pairs:
 * for position p and pair i of a head, (x_{2i}, x_{2i+1}) is rotated by the angle
 * p·θ^{-2i/d}. This is the layout of GGUF and llama2.c checkpoints; Hugging Face q/k rows are
 * permuted into it on load.
 *
 * <p>Two forms of the same rotation ({@link Form}): on the CPU element-wise with cos/sin tables (the
 * least arithmetic), on a GPU as one product with a block-diagonal D × D rotation per position (one
 * kernel launch where the element-wise form needs six: at a few hundred tokens a GPU pass is bound by
 * the host's time per launched operation, docs/performance.md "On a GPU").
 */
final class Rope implements AutoCloseable {

    /** The system property that picks a form: {@code pairs} or {@code matrix} (unset: by device). */
    static final String PROPERTY = "prunekit.rope";

    /** How the rotation is computed; both give the same values up to float32 rounding. */
    enum Form {
        /** {@code x·cos + swap(x)·sin}: six element-wise operations. The default on the CPU. */
        PAIRS,
        /** {@code x · R_p}, R_p the (D, D) rotation of position p: one batched product. The default on a GPU. */
        MATRIX;

        /**
         * The form of {@code requested} ({@code pairs} or {@code matrix}), or by device when it is null or
         * blank: matrix on a GPU, pairs elsewhere.
         *
         * @throws IllegalArgumentException for any other value, naming the property and what it accepts
         */
        static Form of(String requested, boolean gpu) {
            if (requested == null || requested.isBlank()) return gpu ? MATRIX : PAIRS;
            switch (requested.trim()) {
                case "pairs": return PAIRS;
                case "matrix": return MATRIX;
                default:
                    throw new IllegalArgumentException("-D" + PROPERTY + "=" + requested + ": accepted values are pairs,"
                            + " matrix (unset: matrix on a GPU, pairs on the CPU)");
            }
        }
    }

    private final Form form;
    // PAIRS: (T, 1, D) tables; cos(p·θ_i) at 2i and 2i+1, -sin(p·θ_i) at 2i, +sin(p·θ_i) at 2i+1. MATRIX: null
    private final NDArray cos;
    private final NDArray sin;
    private final NDArray cosScaled; // the same times 1/√D, the attention's scale (see applyToQueries)
    private final NDArray sinScaled;
    // MATRIX: (T, D, D), R_p[2i][2i] = R_p[2i+1][2i+1] = cos, R_p[2i][2i+1] = sin, R_p[2i+1][2i] = -sin. PAIRS: null
    private final NDArray rotation;
    private final NDArray rotationScaled;

    /** The tables of positions 0 .. t-1 for queries and keys of type {@code dtype}. */
    Rope(NDManager m, int t, int headDim, double theta, DataType dtype) {
        this(m, 0, t, headDim, theta, dtype);
    }

    /**
     * The tables of positions {@code from .. to-1} only: what a pass over tokens that follow
     * {@code from} cached ones needs ({@link KvCache}). The form: {@link #PROPERTY}, else by m's device.
     */
    Rope(NDManager m, int from, int to, int headDim, double theta, DataType dtype) {
        this(m, from, to, headDim, theta, dtype, Form.of(System.getProperty(PROPERTY), m.getDevice().isGpu()));
    }

    /**
     * As above in the given form. {@code dtype}, the type of the queries and keys, is that of the matrix
     * form's rotations (a product does not promote its operands); the pairs form's float32 tables are
     * promoted by the element-wise products.
     */
    Rope(NDManager m, int from, int to, int headDim, double theta, DataType dtype, Form form) {
        this.form = form;
        int half = headDim / 2;
        int t = to - from;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] cosines = new float[t * half];
        float[] sines = new float[t * half];
        for (int p = 0; p < t; p++) {
            for (int i = 0; i < half; i++) {
                double angle = (from + p) * Math.pow(theta, -2.0 * i / headDim);      // p·θ^{-2i/d}
                cosines[p * half + i] = (float) Math.cos(angle);
                sines[p * half + i] = (float) Math.sin(angle);
            }
        }
        if (form == Form.MATRIX) {
            rotation = rotations(m, cosines, sines, t, headDim, 1f, dtype);
            rotationScaled = rotations(m, cosines, sines, t, headDim, scale, dtype);
            cos = sin = cosScaled = sinScaled = null;
            return;
        }
        rotation = rotationScaled = null;
        float[] c = new float[t * headDim];
        float[] s = new float[t * headDim];
        for (int p = 0; p < t; p++) {
            for (int i = 0; i < half; i++) {
                c[p * headDim + 2 * i] = cosines[p * half + i];
                c[p * headDim + 2 * i + 1] = cosines[p * half + i];
                s[p * headDim + 2 * i] = -sines[p * half + i];
                s[p * headDim + 2 * i + 1] = sines[p * half + i];
            }
        }
        cos = OwnedArrays.of(m, c, new Shape(t, 1, headDim));
        sin = OwnedArrays.of(m, s, new Shape(t, 1, headDim));
        for (int i = 0; i < c.length; i++) {
            c[i] *= scale;
            s[i] *= scale;
        }
        cosScaled = OwnedArrays.of(m, c, new Shape(t, 1, headDim));
        sinScaled = OwnedArrays.of(m, s, new Shape(t, 1, headDim));
    }

    /** The (T, D, D) rotations times {@code scale}, in {@code dtype}: (x·R_p)_{2i} = x_{2i}c − x_{2i+1}s, (x·R_p)_{2i+1} = x_{2i}s + x_{2i+1}c. */
    private static NDArray rotations(NDManager m, float[] cosines, float[] sines, int t, int headDim, float scale,
            DataType dtype) {
        int half = headDim / 2;
        float[] r = new float[t * headDim * headDim];
        for (int p = 0; p < t; p++) {
            for (int i = 0; i < half; i++) {
                float c = cosines[p * half + i] * scale, s = sines[p * half + i] * scale;
                int even = p * headDim * headDim + 2 * i * headDim + 2 * i;      // R_p[2i][2i]
                r[even] = c;
                r[even + 1] = s;                                                 // R_p[2i][2i+1]
                r[even + headDim] = -s;                                          // R_p[2i+1][2i]
                r[even + headDim + 1] = c;                                       // R_p[2i+1][2i+1]
            }
        }
        NDArray table = OwnedArrays.of(m, r, new Shape(t, headDim, headDim));
        if (table.getDataType() == dtype) return table;
        NDArray cast = table.toType(dtype, false);
        table.close();
        return cast;
    }

    /**
     * Rotates x of shape (B, T, heads, D): (x_{2i}, x_{2i+1}) becomes (x_{2i}·c − x_{2i+1}·s,
     * x_{2i+1}·c + x_{2i}·s). In the pairs form {@code x·cos + swap(x)·sin}, where swap exchanges the two
     * entries of each pair: six tensor operations, the same values, bit for bit, as rotating the even and
     * odd halves separately and interleaving them (eleven). In the matrix form x · R_p: x's (heads, D)
     * rows of position p times R_p ({@link #rotateByMatrix}). Closes x's handle and its own intermediates.
     */
    NDArray apply(NDArray x) {
        return form == Form.MATRIX ? rotateByMatrix(x, rotation) : rotate(x, cos, sin);
    }

    @Override
    public void close() {
        for (NDArray table : new NDArray[] {cos, sin, cosScaled, sinScaled, rotation, rotationScaled}) {
            if (table != null) table.close();
        }
    }

    /**
     * {@link #apply} times 1/√D: the attention's score scale, q·kᵀ/√D, applied to the queries as they
     * are rotated instead of to the (T × T) scores afterwards, one elementwise pass over the scores
     * fewer per layer. For a power-of-two D (SmolLM2: 64) the products are bit-identical.
     */
    NDArray applyToQueries(NDArray x) {
        return form == Form.MATRIX ? rotateByMatrix(x, rotationScaled) : rotate(x, cosScaled, sinScaled);
    }

    /**
     * x · R_p for x of shape (B, T, n, D). One sequence: a product that broadcasts R over the batch
     * axis, (1, T, n, D) · (T, D, D), one operation. Several: libtorch would expand R to (B·T, D, D),
     * copying it B times and keeping the copy for the backward pass (16 GB over 30 layers at 8 × 2,048
     * tokens), so the positions go first instead: (T, B·n, D) · (T, D, D), a batched product over the
     * positions with one copy of x, and the result viewed back as (B, T, n, D).
     */
    private static NDArray rotateByMatrix(NDArray x, NDArray rotations) {
        Shape shape = x.getShape();
        long b = shape.get(0), t = shape.get(1), n = shape.get(2), d = shape.get(3);
        if (b == 1) {
            NDArray out = x.matMul(rotations);                              // (1, T, n, D)
            x.close();
            return out;
        }
        NDArray byPosition = x.transpose(1, 0, 2, 3);                       // (T, B, n, D), a view
        NDArray rows = byPosition.reshape(t, b * n, d);                     // (T, B·n, D), a copy
        NDArray rotated = rows.matMul(rotations);                           // (T, B·n, D)
        NDArray split = rotated.reshape(t, b, n, d);
        NDArray out = split.transpose(1, 0, 2, 3);                          // (B, T, n, D), a view
        for (NDArray intermediate : new NDArray[] {byPosition, rows, rotated, split, x}) intermediate.close();
        return out;
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
