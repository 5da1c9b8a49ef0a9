package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * NDArrays from Java arrays whose memory libtorch owns. DJL's PyTorch engine wraps a Java direct
 * buffer with {@code from_blob} and keeps it alive only through the Java NDArray object; a view
 * or a tensor saved by autograd can outlive that object, and then reads freed memory once the
 * buffer is collected (seen here as garbage gradients and NaN losses that came and went with GC).
 * Cloning right away gives the tensor storage of its own.
 */
public final class OwnedArrays {

    private OwnedArrays() {}

    public static NDArray of(NDManager m, float[] data, Shape shape) {
        try (NDArray blob = m.create(data, shape)) {
            return blob.duplicate();
        }
    }

    public static NDArray of(NDManager m, int[] data, Shape shape) {
        try (NDArray blob = m.create(data, shape)) {
            return blob.duplicate();
        }
    }

    public static NDArray of(NDManager m, double[] data, Shape shape) {
        try (NDArray blob = m.create(data, shape)) {
            return blob.duplicate();
        }
    }
}
