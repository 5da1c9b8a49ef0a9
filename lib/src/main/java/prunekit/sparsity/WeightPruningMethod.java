package prunekit.sparsity;

/**
 * Prunes one linear weight of a decoder layer to a {@link SparsityPattern}: the extension point of
 * {@link WeightPruner}, whose layer-by-layer loop collects what a method asks for
 * ({@link #needsInputs}, {@link #needsGradients}, {@link #needsHessian}) and hands it over in
 * {@link ModuleStats}. Two kinds of method implement it:
 * <ul>
 *   <li>a {@link WeightImportance} metric (magnitude, Wanda, GBLM-Pruner) scores every weight and
 *       the pattern zeroes the lowest scores of each row (of the whole matrix for {@link Magnitude});
 *       the weights kept are unchanged;</li>
 *   <li>{@link SparseGpt} chooses the mask as it goes and updates the weights it keeps, so that the
 *       layer's output on the calibration inputs changes little (OBS reconstruction from the
 *       Hessian of the module's inputs).</li>
 * </ul>
 * {@link WeightMethods#byName} gives the built-in methods by the names the CLI, the grids and the
 * notebooks use. Pruning a model with either kind is the same call:
 * <pre>{@code
 * var half = WeightPruner.Config.of(SparsityPattern.unstructured(0.5));
 * var wanda = WeightPruner.prune(model, new Wanda(), null, calibration, half);
 * var sparseGpt = WeightPruner.prune(model, SparseGpt.DEFAULT, null, calibration, half);
 * }</pre>
 */
@FunctionalInterface
public interface WeightPruningMethod {

    /**
     * The pruned weight of one module.
     *
     * @return a new row-major array shaped like {@link ModuleStats#weight()} (which is not modified),
     *         with the zeros {@code pattern} asks for
     */
    float[] prune(ModuleStats stats, SparsityPattern pattern);

    /** Short name for tables and result records. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** Whether the method reads {@link ModuleStats#scalerRow()} (the loop then runs calibration data). */
    default boolean needsInputs() {
        return true;
    }

    /** Whether the method reads {@link ModuleStats#gradients()}. */
    default boolean needsGradients() {
        return false;
    }

    /** Whether the method reads {@link ModuleStats#hessian()} (the loop then accumulates XᵀX per input). */
    default boolean needsHessian() {
        return false;
    }
}
