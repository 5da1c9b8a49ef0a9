package prunekit.importance;

import prunekit.model.LlamaModel;

/**
 * Scores the decoder layers of a model: the extension point of layer pruning. Higher means more
 * important; {@link prunekit.prune.LayerPruner} removes the lowest-scoring layers.
 *
 * <p>A new metric is one method, e.g. the norm of each layer's down projection:
 * <pre>{@code
 * LayerImportance downNorm = (model, calibration) -> {
 *     double[] s = new double[model.config().layers()];
 *     for (int l = 0; l < s.length; l++) s[l] = model.layer(l).down().norm().getDouble();
 *     return s;
 * };
 * }</pre>
 * Implementations must not change the model (they may run forward and backward passes on it) and
 * should free what they allocate (use a sub-manager of {@code model.manager()}).
 */
@FunctionalInterface
public interface LayerImportance {

    /**
     * One score per current decoder layer of {@code model}.
     *
     * @param calibration B calibration windows of equal length (token ids)
     * @return array of length {@code model.config().layers()}; higher = more important
     */
    double[] scores(LlamaModel model, int[][] calibration);

    /** Short name for tables and result records; lambdas report their class name unless wrapped by {@link #named}. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** A metric with a display name, e.g. {@code LayerImportance.named("down-norm", downNorm)}. */
    static LayerImportance named(String name, LayerImportance metric) {
        return new LayerImportance() {
            @Override
            public double[] scores(LlamaModel model, int[][] calibration) {
                return metric.scores(model, calibration);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
