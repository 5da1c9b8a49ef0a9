package prunekit.width;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * LLM-Pruner's element-wise first-order importance (Ma, Fang, Wang, arXiv 2305.11627, §3.2,
 * "element-wise importance", first-order term): each parameter's own loss change
 * {@code |w_k · g_k|}, summed over every weight of the unit (the group reduction "sum"). This is
 * what the official pruning script runs ({@code --taylor param_first}); unlike {@link TaylorVector}
 * the signs of a vector's terms cannot cancel.
 */
final class TaylorElement implements UnitImportance {

    @Override
    public double[] scores(List<UnitSlice> slices, int units) {
        double[] s = new double[units];
        for (UnitSlice x : slices) {
            NDArray taylor = x.weight().mul(x.gradient()).abs();            // |w ⊙ g|, (out, in)
            UnitSlice.add(s, x.perUnit(x.perVector(taylor), units));
        }
        return s;
    }

    @Override
    public String name() {
        return "taylor-element";
    }
}
