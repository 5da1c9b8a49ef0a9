package prunekit.sparsity;

/**
 * Magnitude pruning, the data-free baseline (Han et al., 2015): {@code S_ij = |W_ij|}, with the
 * <b>whole matrix</b> as the comparison group: the {@code floor(rows · cols · s)} smallest weights
 * of each linear layer are zeroed, wherever they lie ({@link SparsityPattern#maskWholeMatrix}).
 *
 * <p>This is the magnitude baseline of Wanda's and GBLM-Pruner's tables: both official
 * {@code prune_magnitude} functions sort the flattened {@code |W|} and prune against the value at
 * index {@code int(numel · s)}. They prune {@code |W| <= threshold}, which zeroes that weight too and
 * every weight tied with it; here exactly {@code floor(numel · s)} go, ties broken by index, so the
 * sparsity is exact (it matters on SmolLM2's 4-bit weights, where a matrix holds few distinct
 * magnitudes). N:M patterns are per row in both codes and here. {@link RowMagnitude} compares
 * within each output row instead.
 */
public final class Magnitude implements WeightImportance {

    @Override
    public float[] scores(ModuleStats s) {
        return absolute(s.weight());
    }

    /** {@code |w|} elementwise: the magnitude score, whatever the comparison group ({@link RowMagnitude} too). */
    static float[] absolute(float[] w) {
        float[] out = new float[w.length];
        for (int i = 0; i < out.length; i++) out[i] = Math.abs(w[i]);
        return out;
    }

    /** Scores, masks the whole matrix as one group, zeroes. */
    @Override
    public float[] prune(ModuleStats stats, SparsityPattern pattern) {
        float[] mask = pattern.maskWholeMatrix(scores(stats), stats.rows(), stats.cols());
        float[] w = stats.weight().clone();
        for (int i = 0; i < w.length; i++) w[i] *= mask[i];
        return w;
    }

    @Override
    public String name() {
        return "magnitude";
    }

    @Override
    public boolean needsInputs() {
        return false;
    }
}
