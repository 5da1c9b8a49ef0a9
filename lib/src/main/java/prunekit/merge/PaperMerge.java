package prunekit.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import java.util.Set;
import prunekit.model.LayerWeights;

/**
 * SLM's merge (Ding et al., arXiv 2502.19159): the window's first layer is the base and
 * the others add their difference from it,
 * <pre>  θ* = θ_base + Σ_{i=low+1}^{high} (θ_i − θ_base)</pre>
 * for each of q, k, v, o, gate, up and down; the two RMSNorm gains are the base's. Every
 * difference is taken against the original base weights.
 */
final class PaperMerge implements MergeRule {

    private static final Set<String> LINEARS = Set.of(LayerWeights.LINEARS);

    @Override
    public LayerWeights merge(List<LayerWeights> window, NDManager m) {
        Map<String, NDArray> base = window.get(0).all();
        Map<String, NDArray> merged = window.get(0).all();
        for (String name : LayerWeights.ALL) {
            NDArray acc = MergeRule.copy(base.get(name), m);                       // θ_base
            if (LINEARS.contains(name)) {
                for (LayerWeights layer : window.subList(1, window.size())) {
                    acc = acc.add(layer.all().get(name)).sub(base.get(name));       // + (θ_i − θ_base)
                }
            }
            merged.put(name, acc);
        }
        return LayerWeights.of(merged);
    }

    @Override
    public String name() {
        return "paper";
    }
}
