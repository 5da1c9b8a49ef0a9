package prunekit.sparsity;

/**
 * Wanda, "pruning by weights and activations" (Sun, Liu, Bair, Kolter, arXiv 2306.11695, Eq. 1):
 * <pre>
 *   S_ij = |W_ij| · ||X_j||₂ ,      ||X_j||₂ = sqrt(scaler_row_j)
 * </pre>
 * with {@code scaler_row} from {@link prunekit.stats.InputNorms}.
 */
public final class Wanda implements WeightImportance {

    @Override
    public float[] scores(ModuleStats s) {
        double[] x = s.requireScalerRow(name());
        float[] w = s.weight();
        float[] out = new float[w.length];
        for (int r = 0; r < s.rows(); r++) {
            for (int c = 0; c < s.cols(); c++) {
                int i = r * s.cols() + c;
                out[i] = (float) (Math.abs(w[i]) * Math.sqrt(x[c]));
            }
        }
        return out;
    }

    @Override
    public String name() {
        return "wanda";
    }
}
