package prunekit.importance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import prunekit.model.LlamaModel;

/**
 * Weight magnitude: the mean |w| over the seven linear weights of a layer (the RMSNorm gains, all
 * near 1, are left out). The data-free baseline of the layer-pruning comparisons (e.g. Shortened
 * LLaMA's "magnitude" criterion); the calibration batch is ignored.
 */
public final class WeightMagnitude implements LayerImportance {

    @Override
    public double[] scores(LlamaModel model, int[][] calibration) {
        double[] s = new double[model.config().layers()];
        for (int l = 0; l < s.length; l++) {
            double sum = 0;
            long count = 0;
            for (NDArray w : model.layer(l).linears().values()) {
                try (NDArray abs = w.abs(); NDArray total = abs.sum().toType(DataType.FLOAT64, false)) {
                    sum += total.getDouble();
                }
                count += w.size();
            }
            s[l] = sum / count;
        }
        return s;
    }

    @Override
    public String name() {
        return "magnitude";
    }
}
