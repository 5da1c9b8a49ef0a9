package prunekit.model;

import ai.djl.ndarray.NDArray;

/** Clearing accumulated gradients between backward passes. */
public final class Gradients {

    private Gradients() {}

    /**
     * Drops {@code w}'s gradient, as PyTorch's {@code zero_grad()} does by default ({@code set_to_none}): the
     * next backward pass hands its gradient to {@code w} as it is, where zeroing in place ({@code grad.zero_()})
     * costs a kernel writing zeros now and one adding into them then, per tensor. Until then reading
     * {@code w}'s gradient gives float32 zeros of its shape (DJL's reading of an undefined one).
     *
     * <p>DJL 0.36 cannot unset a gradient, so {@code w}'s handle moves to a new tensor over the same storage,
     * without a gradient and requiring one ({@code detach()}, {@code requires_grad_()}); the old tensor, with
     * its gradient, is freed. The Java object stays the same, so every holder of {@code w} sees the change. A
     * tensor that requires no gradient is left alone. On an H100, PyTorch's forward + backward of SmolLM2 at
     * 2,048 tokens is 1.5 % slower with gradients zeroed than set to None (docs/performance.md).
     */
    public static void clear(NDArray w) {
        if (!w.hasGradient()) return;
        NDArray fresh = w.stopGradient();
        fresh.setRequiresGradient(true);
        w.intern(fresh);                                        // w takes fresh's handle; the old one is freed
    }
}
