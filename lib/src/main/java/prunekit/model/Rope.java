package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding (Su et al., "RoFormer", arXiv 2104.09864, eq. 34) over adjacent pairs:
 * for position p and pair i of a head, (x_{2i}, x_{2i+1}) is rotated by the angle
 * p·θ^{-2i/d}. This is the layout of GGUF and llama2.c checkpoints; Hugging Face q/k rows are
 * permuted into it on load.
 */
final class Rope {

    private final NDArray cos; // (T, 1, D/2)
    private final NDArray sin; // (T, 1, D/2)

    Rope(NDManager m, int t, int headDim, double theta) {
        int half = headDim / 2;
        float[] c = new float[t * half];
        float[] s = new float[t * half];
        for (int p = 0; p < t; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * Math.pow(theta, -2.0 * i / headDim);
                c[p * half + i] = (float) Math.cos(angle);
                s[p * half + i] = (float) Math.sin(angle);
            }
        }
        cos = OwnedArrays.of(m, c, new Shape(t, 1, half));
        sin = OwnedArrays.of(m, s, new Shape(t, 1, half));
    }

    /** Rotates x of shape (B, T, heads, D). */
    NDArray apply(NDArray x) {
        Shape shape = x.getShape();
        long half = shape.get(3) / 2;
        NDArray pairs = x.reshape(shape.get(0), shape.get(1), shape.get(2), half, 2);
        NDArray x0 = pairs.get(new NDIndex("..., 0"));                    // (B, T, H, D/2)
        NDArray x1 = pairs.get(new NDIndex("..., 1"));
        NDArray r0 = x0.mul(cos).sub(x1.mul(sin));
        NDArray r1 = x0.mul(sin).add(x1.mul(cos));
        return NDArrays.stack(new NDList(r0, r1), -1).reshape(shape);
    }
}
