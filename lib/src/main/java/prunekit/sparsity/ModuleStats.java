package prunekit.sparsity;

import prunekit.stats.WeightGradients;

/**
 * What a {@link WeightImportance} metric may read about one linear weight during the pruning loop.
 *
 * @param layer     decoder layer index
 * @param module    one of {@link prunekit.model.LayerWeights#LINEARS}, e.g. {@code "q_proj"}
 * @param weight    the current weight, row-major {@code (rows = out, cols = in)}
 * @param rows      output features
 * @param cols      input features
 * @param scalerRow Wanda's {@code (1/N) Σ_s ||X_s[:, j]||²} per input column, from the calibration
 *                  activations that reach this layer through the already-pruned ones
 *                  ({@link prunekit.stats.InputNorms}); null when the metric needs no inputs
 * @param gradients the dense model's per-sample gradient statistics; null unless the metric needs them
 */
public record ModuleStats(int layer, String module, float[] weight, int rows, int cols, double[] scalerRow,
                          WeightGradients gradients) {

    /** The metric's input statistic, or a clear error naming what is missing. */
    public double[] requireScalerRow(String metric) {
        if (scalerRow == null) {
            throw new IllegalStateException(metric + " needs the input norms of layers." + layer + "." + module
                    + ": run it through WeightPruner (which collects them) or pass them in");
        }
        return scalerRow;
    }

    /** The gradient statistics, or a clear error. */
    public WeightGradients requireGradients(String metric) {
        if (gradients == null) {
            throw new IllegalStateException(metric + " needs gradient statistics: compute them with "
                    + "WeightGradients.cached(model, calibration, 100) and pass them to WeightPruner");
        }
        return gradients;
    }
}
