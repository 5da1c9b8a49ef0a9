package prunekit.width;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The magnitude baseline of structured pruning (LLM-Pruner's "L2" baseline, Ma, Fang, Wang,
 * arXiv 2305.11627, Table 1): the squared L2 norm of every weight the unit owns, {@code Σ w²}.
 * Needs no calibration data.
 */
final class GroupMagnitude implements UnitImportance {

    @Override
    public double[] scores(List<UnitSlice> slices, int units) {
        double[] s = new double[units];
        for (UnitSlice x : slices) {
            NDArray squares = x.weight().square();                          // (out, in)
            UnitSlice.add(s, x.perUnit(x.perVector(squares), units));
        }
        return s;
    }

    @Override
    public boolean needsGradient() {
        return false;
    }

    @Override
    public String name() {
        return "magnitude";
    }
}
