package prunekit.importance;

import java.util.List;

/** The layer-importance metrics by the names the CLI, the experiments and the notebooks use. */
public final class LayerMetrics {

    /** Accepted names, in the order tables list them. */
    public static final List<String> NAMES =
            List.of("gradmap", "block-influence", "ppl", "taylor", "magnitude", "random", "last");

    /** Every accepted name: {@link #NAMES}, then GradMAP's other variants ({@link GradientMagnitude#VARIANTS}). */
    public static final List<String> ALL = all();

    private LayerMetrics() {}

    private static List<String> all() {
        List<String> all = new java.util.ArrayList<>(NAMES);
        GradientMagnitude.VARIANTS.keySet().stream().filter(n -> !all.contains(n)).forEach(all::add);
        return List.copyOf(all);
    }

    /**
     * The metric called {@code name}.
     *
     * @param seed only used by {@code random}
     * @throws IllegalArgumentException for a name not in {@link #ALL}
     */
    public static LayerImportance byName(String name, long seed) {
        if (GradientMagnitude.VARIANTS.containsKey(name)) return GradientMagnitude.VARIANTS.get(name);
        switch (name) {
            case "block-influence": return BlockInfluence.DEFAULT;
            case "ppl": return PerplexityCriterion.DEFAULT;
            case "taylor": return TaylorPlus.DEFAULT;
            case "magnitude": return new WeightMagnitude();
            case "random": return new RandomImportance(seed);
            case "last": return new LastLayers();
            default:
                throw new IllegalArgumentException("unknown layer metric '" + name + "' (accepted: "
                        + String.join(", ", ALL) + ")");
        }
    }
}
