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
 *
 * <p>The same trap hides in DJL's scalar operands: {@code x.mul(0.125)}, {@code x.pow(-0.5)} wrap
 * the number in a one-element blob, run the op and close the blob, but autograd saves that blob
 * for the backward pass of mul and pow. A garbage collection between forward and backward then
 * frees it and the backward reads freed memory (seen as zero q/k gradients in a unit test). Inside
 * anything a gradient flows through, take the scalar from {@link #scalar} instead.
 */
public final class OwnedArrays {

    private OwnedArrays() {}

    /**
     * A 0-d tensor holding {@code value}, with the data type and device of {@code like}, in
     * {@code like}'s manager: a scalar operand autograd may safely keep.
     */
    public static NDArray scalar(NDArray like, double value) {
        NDArray blob = like.getManager().create(value);
        NDArray moved = blob.toType(like.getDataType(), false).toDevice(like.getDevice(), false); // may be blob
        NDArray owned = moved.duplicate();                                   // clone: storage of its own
        if (moved != blob) {
            moved.close();
        }
        blob.close();
        return owned;
    }

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
