package prunekit.prune;

import java.util.ArrayList;
import java.util.List;
import prunekit.importance.LayerImportance;
import prunekit.importance.LayerMetrics;

/**
 * The layer-removal methods by the names {@code prune}, the benchmarks and the results grid use: a
 * {@link LayerImportance} metric and how often it scores ({@link LayerPruner.Mode}).
 *
 * <p>{@code gradmap} is GradMAP as its paper describes it, "a single backward propagation per
 * pruning decision": iterative, one gradient pass per removed layer, re-scored on the model
 * without the layers already removed. {@code gradmap-oneshot} scores once and removes the k
 * lowest (one gradient pass for all k decisions): k times cheaper, a different selection. Every
 * other metric of {@link LayerMetrics} is one-shot here (the caller may ask for iterative).
 * <pre>{@code
 * LayerMethods.Method gradmap = LayerMethods.byName("gradmap", 0);
 * var r = LayerPruner.prune(model, gradmap.metric(), calibration, gradmap.config(6));   // 6 backward passes
 * }</pre>
 */
public final class LayerMethods {

    /** GradMAP, iterative: one backward pass per removed layer (the paper's form). */
    public static final String GRADMAP = "gradmap";
    /** GradMAP, one-shot: one backward pass for all decisions. */
    public static final String GRADMAP_ONESHOT = "gradmap-oneshot";

    /** Accepted names: the two GradMAP forms, then the other layer metrics, in the order tables list them. */
    public static final List<String> NAMES = names();

    /**
     * @param name   the method's name, for records and provenance
     * @param metric the layer metric that scores
     * @param mode   one scoring pass for all decisions, or one per removed layer
     */
    public record Method(String name, LayerImportance metric, LayerPruner.Mode mode) {

        /** Removing {@code k} layers in this method's mode, on a copy. */
        public LayerPruner.Config config(int k) {
            return new LayerPruner.Config(k, mode, false);
        }
    }

    private LayerMethods() {}

    /**
     * The method called {@code name}.
     *
     * @param seed only used by {@code random}
     * @throws IllegalArgumentException for a name not in {@link #NAMES}
     */
    public static Method byName(String name, long seed) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown layer-removal method '" + name + "' (accepted: "
                    + String.join(", ", NAMES) + ")");
        }
        if (name.equals(GRADMAP_ONESHOT)) {
            return new Method(name, LayerMetrics.byName(GRADMAP, seed), LayerPruner.Mode.ONE_SHOT);
        }
        LayerPruner.Mode mode = name.equals(GRADMAP) ? LayerPruner.Mode.ITERATIVE : LayerPruner.Mode.ONE_SHOT;
        return new Method(name, LayerMetrics.byName(name, seed), mode);
    }

    private static List<String> names() {
        List<String> all = new ArrayList<>(List.of(GRADMAP, GRADMAP_ONESHOT));
        LayerMetrics.NAMES.stream().filter(n -> !n.equals(GRADMAP)).forEach(all::add);
        return List.copyOf(all);
    }
}
