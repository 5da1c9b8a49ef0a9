package prunekit.sparsity;

/**
 * SparseGPT's layer-wise Hessian of one linear input (Frantar &amp; Alistarh, arXiv 2301.00774, §3),
 * <pre>
 *   H = (2/N) Σ_s X_sᵀ X_s          (in × in, float64, row-major)
 * </pre>
 * over the N calibration windows. The modules that read the same input (q/k/v; gate/up) share one,
 * and with it the factor SparseGPT derives from it ({@link #factor}), computed once per input.
 */
public final class InputHessian {

    private final int cols;
    private double[] values;
    private SparseGpt factoredBy;
    private SparseGpt.Factor factor;

    InputHessian(int cols) {
        this.cols = cols;
    }

    /** H, row-major (cols × cols); shared: do not modify. */
    public double[] values() {
        return values;
    }

    /** Input features. */
    public int cols() {
        return cols;
    }

    /** Adds one batch's XᵀX (taken over as the sum when it is the first). */
    void add(double[] xtx) {
        if (xtx.length != (long) cols * cols) {
            throw new IllegalArgumentException("XᵀX has " + xtx.length + " values for a " + cols + "-wide input");
        }
        if (values == null) {
            values = xtx;
            return;
        }
        for (int i = 0; i < values.length; i++) values[i] += xtx[i];
    }

    /** Σ XᵀX becomes (2/N) Σ XᵀX. */
    void average(int windows) {
        double k = 2.0 / windows;
        for (int i = 0; i < values.length; i++) values[i] *= k;
    }

    /** {@code method}'s factor of H, computed on the first call and shared by the modules reading this input. */
    SparseGpt.Factor factor(SparseGpt method) {
        if (!method.equals(factoredBy)) {
            factor = method.factor(values, cols);
            factoredBy = method;
        }
        return factor;
    }
}
