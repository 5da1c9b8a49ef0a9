package prunekit.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import prunekit.model.LayerWeights;

/**
 * The plain average of the window's layers, every tensor (the seven linears and the two norm
 * gains): θ* = (1/n) Σ_{i=low}^{high} θ_i with n = high − low + 1. A baseline for the paper's
 * sum of differences: with θ̄ the mean of the n − 1 layers above the base, the average is
 * θ_base + ((n−1)/n)(θ̄ − θ_base) and the paper's rule θ_base + (n−1)(θ̄ − θ_base), a step n times
 * as long in the same direction.
 */
final class AverageMerge implements MergeRule {

    @Override
    public LayerWeights merge(List<LayerWeights> window, NDManager m) {
        Map<String, NDArray> merged = window.get(0).all();
        for (String name : LayerWeights.ALL) {
            NDArray first = window.get(0).all().get(name);
            NDArray acc = m.zeros(first.getShape(), first.getDataType());
            for (LayerWeights layer : window) {
                acc = acc.add(layer.all().get(name));
            }
            merged.put(name, acc.div(window.size()));
        }
        return LayerWeights.of(merged);
    }

    @Override
    public String name() {
        return "average";
    }
}
