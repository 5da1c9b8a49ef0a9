package prunekit.width;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * LLM-Pruner's vector-wise importance (Ma, Fang, Wang, arXiv 2305.11627, §3.2, "vector-wise
 * importance"): the loss change of removing a structure W_i, to first order,
 * <pre>
 *   I(W_i) = |ΔL| ≈ |(∂L/∂W_i)ᵀ W_i| = |Σ_k w_k · g_k|
 * </pre>
 * taken, as the official code's {@code --taylor vectorize} does, per vector (a row of a matrix whose
 * outputs the unit owns, a column of one whose inputs it owns), and summed over the unit's vectors
 * in every matrix of the group (the group reduction "sum"). The gradient is that of the calibration
 * batch's mean loss.
 */
final class TaylorVector implements UnitImportance {

    @Override
    public double[] scores(List<UnitSlice> slices, int units) {
        double[] s = new double[units];
        for (UnitSlice x : slices) {
            NDArray taylor = x.weight().mul(x.gradient());                  // w ⊙ g, (out, in)
            UnitSlice.add(s, x.perUnit(x.perVector(taylor).abs(), units));  // Σ_vectors |Σ_k w_k g_k|
        }
        return s;
    }

    @Override
    public String name() {
        return "taylor";
    }
}
