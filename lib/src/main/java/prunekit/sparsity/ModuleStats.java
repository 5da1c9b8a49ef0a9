package prunekit.sparsity;

import prunekit.stats.WeightGradients;

/**
 * What a {@link WeightPruningMethod} may read about one linear weight during the pruning loop.
 *
 * @param layer     decoder layer index
 * @param module    one of {@link prunekit.model.LayerWeights#LINEARS}, e.g. {@code "q_proj"}
 * @param weight    the current weight, row-major {@code (rows = out, cols = in)}
 * @param rows      output features
 * @param cols      input features
 * @param scalerRow Wanda's {@code (1/N) Σ_s ||X_s[:, j]||²} per input column, from the calibration
 *                  activations that reach this layer through the already-pruned ones
 *                  ({@link prunekit.stats.InputNorms}); null when the method needs no inputs
 * @param gradients the dense model's per-sample gradient statistics; null unless the method needs them
 * @param hessian   SparseGPT's {@code H = (2/N) Σ_s X_sᵀ X_s} of this module's input, from the same
 *                  activations as {@code scalerRow}; null unless the method needs it
 */
public record ModuleStats(int layer, String module, float[] weight, int rows, int cols, double[] scalerRow,
                          WeightGradients gradients, InputHessian hessian) {

    /** The statistics of a score-then-mask metric: no Hessian. */
    public ModuleStats(int layer, String module, float[] weight, int rows, int cols, double[] scalerRow,
            WeightGradients gradients) {
        this(layer, module, weight, rows, cols, scalerRow, gradients, null);
    }

    /** The method's input statistic, or a clear error naming what is missing. */
    public double[] requireScalerRow(String method) {
        if (scalerRow == null) {
            throw new IllegalStateException(method + " needs the input norms of layers." + layer + "." + module
                    + ": run it through WeightPruner (which collects them) or pass them in");
        }
        return scalerRow;
    }

    /** The gradient statistics, or a clear error. */
    public WeightGradients requireGradients(String method) {
        if (gradients == null) {
            throw new IllegalStateException(method + " needs gradient statistics: compute them with "
                    + "WeightGradients.cached(model, calibration, 100) and pass them to WeightPruner");
        }
        return gradients;
    }

    /** The input Hessian, or a clear error. */
    public InputHessian requireHessian(String method) {
        if (hessian == null) {
            throw new IllegalStateException(method + " needs the Hessian of the inputs of layers." + layer + "."
                    + module + ": run it through WeightPruner (which collects it when needsHessian() says so)");
        }
        return hessian;
    }
}
