package prunekit.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import prunekit.model.LayerWeights;

/**
 * Turns a window of consecutive decoder layers into one layer: the extension point of
 * {@link SlidingMerge}. Ready-made: {@link #PAPER}, {@link #CODE}, {@link #AVERAGE}.
 *
 * <p>A new rule is one method, e.g. "keep the bottom layer" (plain removal of the others):
 * <pre>{@code
 * MergeRule keepBase = MergeRule.named("keep-base", (window, m) -> MergeRule.copy(window.get(0), m));
 * }</pre>
 * Implementations must not change the window's tensors and must return tensors owned by
 * {@code m} (an op's result belongs to its first operand's manager: start from an array of
 * {@code m}, or attach the result to it).
 */
@FunctionalInterface
public interface MergeRule {

    /** The paper's Eq.: θ* = θ_base + Σ_i (θ_i − θ_base) on the linears, the base's norms. */
    MergeRule PAPER = new PaperMerge();
    /** The official code: the top layer's linears with the bottom layer's norms. */
    MergeRule CODE = new CodeMerge();
    /** The mean of every tensor (linears and norms) over the window. */
    MergeRule AVERAGE = new AverageMerge();

    /** Names accepted by {@link #of}. */
    String NAMES = "paper, code, average";

    /**
     * One layer standing for the whole window.
     *
     * @param window the layers low..high in order, at least two; {@code window.get(0)} is the base
     * @param m      manager that receives the merged tensors
     */
    LayerWeights merge(List<LayerWeights> window, NDManager m);

    /** Short name for logs, tables and provenance. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** The rule called {@code name}: one of {@link #NAMES}. */
    static MergeRule of(String name) {
        switch (name) {
            case "paper": return PAPER;
            case "code": return CODE;
            case "average": return AVERAGE;
            default:
                throw new IllegalArgumentException("unknown merge rule '" + name + "' (accepted: " + NAMES + ")");
        }
    }

    /** A rule with a display name. */
    static MergeRule named(String name, MergeRule rule) {
        return new MergeRule() {
            @Override
            public LayerWeights merge(List<LayerWeights> window, NDManager m) {
                return rule.merge(window, m);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    /** A copy of {@code layer} owned by {@code m}. */
    static LayerWeights copy(LayerWeights layer, NDManager m) {
        Map<String, NDArray> all = layer.all();
        all.replaceAll((name, a) -> copy(a, m));
        return LayerWeights.of(all);
    }

    /** A copy of one tensor, owned by {@code m}. */
    static NDArray copy(NDArray a, NDManager m) {
        return m.zeros(a.getShape(), a.getDataType()).add(a);
    }
}
