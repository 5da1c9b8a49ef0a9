package prunekit.sparsity;

/**
 * Magnitude pruning compared <b>per output row</b>: {@code S_ij = |W_ij|}, and in every row of every
 * linear layer the {@code floor(cols · s)} smallest weights are zeroed, as {@link SparsityPattern}
 * does for every {@link WeightImportance} (Wanda's comparison group, applied to the weight alone).
 *
 * <p>No table of Wanda or GBLM-Pruner uses it: their magnitude rows threshold the whole matrix
 * ({@link Magnitude}). It isolates what the grouping does: {@code magnitude-row} against
 * {@code magnitude} is the comparison-group change alone, and against {@code wanda} the activation
 * norm alone. Before issue #22 this was the project's {@code "magnitude"}: result records of method
 * {@code magnitude} written before then used this grouping.
 */
public final class RowMagnitude implements WeightImportance {

    @Override
    public float[] scores(ModuleStats s) {
        return Magnitude.absolute(s.weight());
    }

    @Override
    public String name() {
        return "magnitude-row";
    }

    @Override
    public boolean needsInputs() {
        return false;
    }
}
