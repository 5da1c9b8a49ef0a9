package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** Clearing accumulated gradients between backward passes: released on a GPU, zeroed in place on the CPU. */
public final class Gradients {

    private Gradients() {}

    /**
     * Clears {@code w}'s gradient for the next backward pass: on a GPU {@link #release}, on the CPU {@link #zero}
     * (docs/performance.md, "Third measurement"). On an H100, PyTorch's forward + backward of SmolLM2 at 2,048
     * tokens is 1.5 % slower with gradients zeroed than set to None (prunekit's, with them released and its
     * projections joined, is at least eager's); on this project's CPU no difference between the two could be
     * measured, and zeroing is what the CPU's parity with PyTorch was measured with.
     */
    public static void clear(NDArray w) {
        if (w.getDevice().isGpu()) {
            release(w);
        } else {
            zero(w);
        }
    }

    /**
     * Sets {@code w}'s gradient to zero in place, if it has one: one call into libtorch (autograd off,
     * {@code grad.zero_()}), where reading the gradient into a Java handle, subtracting it from itself
     * and releasing the handle is three, and the subtraction reads the gradient twice. The next backward
     * pass adds into the zeros.
     */
    public static void zero(NDArray w) {
        JniUtils.zeroGrad((PtNDArray) w);
    }

    /**
     * Drops {@code w}'s gradient, as PyTorch's {@code zero_grad()} does by default ({@code set_to_none}): the
     * next backward pass hands its gradient to {@code w} as it is, where after {@link #zero} it writes zeros now
     * and adds into them then, a kernel each per tensor. Until then reading {@code w}'s gradient gives float32
     * zeros of its shape (DJL's reading of an undefined one).
     *
     * <p>DJL 0.36 cannot unset a gradient, so {@code w}'s handle moves to a new tensor over the same storage,
     * without a gradient and requiring one ({@code detach()}, {@code requires_grad_()}); the old tensor, with
     * its gradient, is freed. The Java object stays the same, so every holder of {@code w} sees the change. A
     * tensor that requires no gradient is left alone.
     */
    public static void release(NDArray w) {
        if (!w.hasGradient()) return;
        NDArray fresh = w.stopGradient();
        fresh.setRequiresGradient(true);
        w.intern(fresh);                                        // w takes fresh's handle; the old one is freed
    }
}
