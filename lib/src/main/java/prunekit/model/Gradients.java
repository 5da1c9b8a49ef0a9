package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** Clearing accumulated gradients between backward passes. */
public final class Gradients {

    private Gradients() {}

    /**
     * Sets {@code w}'s gradient to zero in place, if it has one: one call into libtorch (autograd off,
     * {@code grad.zero_()}), where reading the gradient into a Java handle, subtracting it from itself
     * and releasing the handle is three, and the subtraction reads the gradient twice. Clearing every
     * decoder weight after a backward pass is 270 such calls for SmolLM2.
     */
    public static void zero(NDArray w) {
        JniUtils.zeroGrad((PtNDArray) w);
    }
}
