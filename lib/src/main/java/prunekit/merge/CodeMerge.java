package prunekit.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import java.util.Set;
import prunekit.model.LayerWeights;

/**
 * What the official SLM code computes. Its loop adds each layer's difference to the copy it is
 * updating, {@code θ* += θ_i − θ*}, rather than to the original base, so each step replaces θ*
 * by θ_i: the result is the top layer's seven linear weights with the bottom layer's two RMSNorm
 * gains (which the loop never touches).
 */
final class CodeMerge implements MergeRule {

    private static final Set<String> LINEARS = Set.of(LayerWeights.LINEARS);

    @Override
    public LayerWeights merge(List<LayerWeights> window, NDManager m) {
        Map<String, NDArray> bottom = window.get(0).all();
        Map<String, NDArray> top = window.get(window.size() - 1).all();
        Map<String, NDArray> merged = window.get(0).all();
        for (String name : LayerWeights.ALL) {
            merged.put(name, MergeRule.copy(LINEARS.contains(name) ? top.get(name) : bottom.get(name), m));
        }
        return LayerWeights.of(merged);
    }

    @Override
    public String name() {
        return "code";
    }
}
