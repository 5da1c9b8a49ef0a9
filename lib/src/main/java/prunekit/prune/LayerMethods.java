package prunekit.prune;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import prunekit.importance.GradientMagnitude;
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
 * other metric of {@link LayerMetrics} is one-shot here (the caller may ask for iterative). GradMAP's other
 * variants ({@link GradientMagnitude#VARIANTS}, e.g. {@code gradmap-taylor-module}) come in the same two
 * forms: the name alone is iterative, with {@code -oneshot} one-shot ({@link #VARIANTS}).
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

    /** The methods tables list: the two GradMAP forms, then the other layer metrics, in that order. */
    public static final List<String> NAMES = names();

    /** GradMAP's other variants, each iterative and one-shot: {@code gradmap-taylor}, {@code gradmap-taylor-oneshot}, ... */
    public static final List<String> VARIANTS = variants();

    /** Every accepted name: {@link #NAMES}, then {@link #VARIANTS}. */
    public static final List<String> ALL = Stream.concat(NAMES.stream(), VARIANTS.stream()).toList();

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
     * @throws IllegalArgumentException for a name not in {@link #ALL}
     */
    public static Method byName(String name, long seed) {
        if (!ALL.contains(name)) {
            throw new IllegalArgumentException("unknown layer-removal method '" + name + "' (accepted: "
                    + String.join(", ", ALL) + ")");
        }
        String metric = name.endsWith(ONESHOT) ? name.substring(0, name.length() - ONESHOT.length()) : name;
        if (GradientMagnitude.VARIANTS.containsKey(metric)) {   // GradMAP: iterative unless -oneshot
            LayerPruner.Mode mode = metric.equals(name) ? LayerPruner.Mode.ITERATIVE : LayerPruner.Mode.ONE_SHOT;
            return new Method(name, LayerMetrics.byName(metric, seed), mode);
        }
        return new Method(name, LayerMetrics.byName(name, seed), LayerPruner.Mode.ONE_SHOT);
    }

    /** Whether {@code name} is a GradMAP form selected iteratively (one backward pass per removed layer). */
    public static boolean iterativeGradmap(String name) {
        return GradientMagnitude.VARIANTS.containsKey(name);
    }

    private static final String ONESHOT = "-oneshot";

    private static List<String> variants() {
        List<String> v = new ArrayList<>();
        GradientMagnitude.VARIANTS.keySet().stream().filter(n -> !n.equals(GRADMAP))
                .forEach(n -> v.addAll(List.of(n, n + ONESHOT)));
        return List.copyOf(v);
    }

    private static List<String> names() {
        List<String> all = new ArrayList<>(List.of(GRADMAP, GRADMAP_ONESHOT));
        LayerMetrics.NAMES.stream().filter(n -> !n.equals(GRADMAP)).forEach(all::add);
        return List.copyOf(all);
    }
}
