package prunekit.sparsity;

/**
 * Scores every weight of a linear layer: the extension point of unstructured and N:M pruning
 * (the weight-level twin of {@link prunekit.importance.LayerImportance}). Higher means more
 * important; as a {@link WeightPruningMethod} it zeroes the lowest scores of each output row, as
 * {@link SparsityPattern} says (a metric may choose another comparison group by overriding
 * {@link #prune}: {@link Magnitude} compares the whole matrix), and leaves the other weights as they are.
 *
 * <p>A new metric is one method, e.g. the squared weight times the input norm:
 * <pre>{@code
 * WeightImportance squared = WeightImportance.named("w²·||X||", s -> {
 *     float[] out = new float[s.weight().length];
 *     double[] x = s.requireScalerRow("w²·||X||");
 *     for (int i = 0; i < out.length; i++) out[i] = (float) (s.weight()[i] * s.weight()[i] * Math.sqrt(x[i % s.cols()]));
 *     return out;
 * }, true, false);
 * }</pre>
 */
@FunctionalInterface
public interface WeightImportance extends WeightPruningMethod {

    /**
     * @return one score per weight, row-major like {@link ModuleStats#weight()}; higher = keep
     */
    float[] scores(ModuleStats stats);

    /** Scores, masks by {@code pattern} (the lowest scores of each row), zeroes. */
    @Override
    default float[] prune(ModuleStats stats, SparsityPattern pattern) {
        float[] mask = pattern.mask(scores(stats), stats.rows(), stats.cols());
        float[] w = stats.weight().clone();
        for (int i = 0; i < w.length; i++) w[i] *= mask[i];
        return w;
    }

    /** A metric with a display name and its needs. */
    static WeightImportance named(String name, WeightImportance metric, boolean needsInputs, boolean needsGradients) {
        return new WeightImportance() {
            @Override
            public float[] scores(ModuleStats stats) {
                return metric.scores(stats);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean needsInputs() {
                return needsInputs;
            }

            @Override
            public boolean needsGradients() {
                return needsGradients;
            }
        };
    }
}
