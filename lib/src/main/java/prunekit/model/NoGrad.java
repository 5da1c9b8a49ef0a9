package prunekit.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's {@code torch.no_grad()} for the calling thread: inside, autograd records nothing, and
 * tensors that require a gradient may be changed in place (an optimizer's update, parameters set
 * from a checkpoint). On close the thread's previous mode comes back.
 *
 * <p>libtorch keeps this mode per thread, on by default. DJL switches it off only on the thread that
 * started its engine, and a {@code GradientCollector} restores whatever mode it found. Code that
 * updates parameters in place therefore cannot rely on the thread it runs on: a Jupyter kernel whose
 * engine was started on its main thread before the cells' thread existed (the GPU route,
 * {@code environment/gpu/PkGpuShim.java}) runs every cell with the mode on, and there an in-place update
 * of a parameter fails ("a leaf Variable that requires grad is being used in an in-place operation").
 */
public final class NoGrad implements AutoCloseable {

    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        if (previous) JniUtils.setGradMode(false);
    }

    /** Switches autograd off on this thread until {@link #close}. */
    public static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        if (previous) JniUtils.setGradMode(true);
    }
}
