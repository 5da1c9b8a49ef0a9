package prunekit.model;

import java.util.Arrays;

/**
 * A float32 tensor in Java memory, row-major, as the loaders produce it before it moves to the
 * compute device (and as the savers receive it back).
 *
 * @param data  values, row-major (last dimension fastest)
 * @param shape dimensions, outermost first (a linear weight is {@code (out, in)})
 */
public record HostTensor(float[] data, long[] shape) {

    public HostTensor {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape)
                    + " needs " + n + " values, got " + data.length);
        }
    }

    /** Dimensions as text, e.g. {@code [576, 49152]}. */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    /**
     * Converts between the two rotary-embedding layouts of q/k projection rows. Hugging Face
     * checkpoints rotate pairs (x_i, x_{i+d/2}) ("rotate half"); GGUF, llama2.c and prunekit's
     * model rotate adjacent pairs (x_{2i}, x_{2i+1}). Within each head the d rows are viewed as
     * (2, d/2) and the two axes swapped ({@code toAdjacent = true}), or the inverse.
     */
    public HostTensor permuteRope(int nHeads, boolean toAdjacent) {
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        int headDim = rows / nHeads;
        int half = headDim / 2;
        float[] out = new float[data.length];
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < half; i++) {
                for (int part = 0; part < 2; part++) {
                    int rotateHalfRow = h * headDim + part * half + i;
                    int adjacentRow = h * headDim + 2 * i + part;
                    int from = toAdjacent ? rotateHalfRow : adjacentRow;
                    int to = toAdjacent ? adjacentRow : rotateHalfRow;
                    System.arraycopy(data, from * cols, out, to * cols, cols);
                }
            }
        }
        return new HostTensor(out, shape.clone());
    }
}
