package prunekit.stats;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.model.LlamaModel;
import prunekit.model.Trace;

/**
 * Wanda's activation statistic (Sun et al., arXiv 2306.11695, Eq. 1), which GBLM-Pruner reuses:
 * for each linear module and each input channel j,
 * <pre>
 *   scaler_row[j] = (1/N) Σ_s Σ_t X_s[t, j]²        so that ||X_j||₂ = sqrt(scaler_row[j])
 * </pre>
 * the squared norm of channel j over the tokens of a sample, averaged over the N samples (the
 * official {@code WrappedGPT.add_batch}'s running mean, counting one sample per calibration
 * window). Keyed {@code layers.{i}.{module}}; fed by {@link #add} with a module's input
 * {@code (B, T, in)}, sums kept in float64.
 */
public final class InputNorms {

    private final Map<String, double[]> sums = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();

    /** Adds B samples' input {@code x} (B, T, in) of module {@code key}. */
    public void add(String key, NDArray x) {
        long in = x.getShape().get(x.getShape().dimension() - 1);
        long b = x.getShape().dimension() == 3 ? x.getShape().get(0) : 1;
        double[] s;
        try (NDManager tmp = x.getManager().newSubManager()) {
            NDArray x64 = x.toType(DataType.FLOAT64, true);
            x64.attach(tmp);
            NDArray sq = x64.square().reshape(-1, in).sum(new int[] {0});       // (in)
            s = sq.toDoubleArray();
        }
        double[] sum = sums.computeIfAbsent(key, k -> new double[(int) in]);
        if (sum.length != in) {
            throw new IllegalArgumentException(key + ": input has " + in + " channels, earlier ones had " + sum.length);
        }
        for (int j = 0; j < in; j++) sum[j] += s[j];
        counts.merge(key, (int) b, Integer::sum);
    }

    /** scaler_row of module {@code key}: (1/N) Σ_s ||X_s[:, j]||² per input channel. */
    public double[] scalerRow(String key) {
        double[] sum = sums.get(key);
        if (sum == null) {
            throw new IllegalArgumentException("no input statistics for " + key + "; have " + sums.keySet());
        }
        int n = counts.get(key);
        double[] out = new double[sum.length];
        for (int j = 0; j < sum.length; j++) out[j] = sum[j] / n;
        return out;
    }

    /** Forgets module {@code key} (the pruning loop drops a layer's statistics once it is pruned). */
    public void remove(String key) {
        sums.remove(key);
        counts.remove(key);
    }

    /** The statistics of every linear module of the (dense) model, one forward pass per window. */
    public static InputNorms of(LlamaModel model, int[][] calibration) {
        InputNorms norms = new InputNorms();
        for (int[] window : calibration) {
            try (NDManager step = model.manager().newSubManager()) {
                var inputs = model.forward(step, new int[][] {window},
                        Trace.of(Trace.Output.LINEAR_INPUTS)).linearInputs();
                inputs.forEach(norms::add);
            }
        }
        return norms;
    }
}
