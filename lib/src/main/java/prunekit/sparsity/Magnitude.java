package prunekit.sparsity;

/**
 * Magnitude pruning, the data-free baseline: {@code S_ij = |W_ij|} (Han et al., 2015; compared
 * per output row as in Wanda's and GBLM-Pruner's tables).
 */
public final class Magnitude implements WeightImportance {

    @Override
    public float[] scores(ModuleStats s) {
        float[] out = new float[s.weight().length];
        for (int i = 0; i < out.length; i++) out[i] = Math.abs(s.weight()[i]);
        return out;
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
