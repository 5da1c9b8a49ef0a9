package prunekit.width;

import java.util.List;

/**
 * Scores the units of one structure of one layer (the key/value groups of its attention, or the
 * channels of its MLP) from the matrix slices they own: the extension point of structured width
 * pruning. Higher means more important; {@link WidthPruner} removes the lowest-scoring units.
 * Ready-made, after LLM-Pruner (Ma, Fang, Wang, "LLM-Pruner: On the Structural Pruning of Large
 * Language Models", NeurIPS 2023, arXiv 2305.11627, §3.2): {@link #TAYLOR}, {@link #TAYLOR_ELEMENT},
 * and the magnitude baseline {@link #MAGNITUDE}.
 *
 * <p>A new score is one method, e.g. the L1 norm of each unit's weights:
 * <pre>{@code
 * UnitImportance l1 = UnitImportance.named("l1", (slices, units) -> {
 *     double[] s = new double[units];
 *     for (UnitSlice x : slices) UnitSlice.add(s, x.perUnit(x.perVector(x.weight().abs()), units));
 *     return s;
 * });
 * }</pre>
 * The caller attaches the slices' arrays to a short-lived manager for the call, so whatever an
 * implementation computes from them is freed with it.
 */
@FunctionalInterface
public interface UnitImportance {

    /** LLM-Pruner's vector-wise first-order Taylor score: Σ over the unit's vectors of |Σ w·g|. */
    UnitImportance TAYLOR = new TaylorVector();
    /** LLM-Pruner's element-wise first-order Taylor score (the official scripts' default): Σ |w·g|. */
    UnitImportance TAYLOR_ELEMENT = new TaylorElement();
    /** The magnitude baseline: Σ w² over the unit's weights (no gradient). */
    UnitImportance MAGNITUDE = new GroupMagnitude();

    /** Names accepted by {@link #of}. */
    List<String> NAMES = List.of("taylor", "taylor-element", "magnitude");

    /**
     * One score per unit.
     *
     * @param slices every matrix slice the units own (their weights, and gradients unless
     *               {@link #needsGradient()} is false)
     * @param units  how many units the structure has
     * @return array of length {@code units}; higher = more important
     */
    double[] scores(List<UnitSlice> slices, int units);

    /** Whether {@link #scores} reads gradients (a calibration backward pass is run for them). */
    default boolean needsGradient() {
        return true;
    }

    /** Short name for provenance and tables. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** The score called {@code name}: one of {@link #NAMES}. */
    static UnitImportance of(String name) {
        switch (name) {
            case "taylor": return TAYLOR;
            case "taylor-element": return TAYLOR_ELEMENT;
            case "magnitude": return MAGNITUDE;
            default:
                throw new IllegalArgumentException("unknown width importance '" + name + "' (accepted: "
                        + String.join(", ", NAMES) + ")");
        }
    }

    /** A score with a display name, gradients read. */
    static UnitImportance named(String name, UnitImportance score) {
        return new UnitImportance() {
            @Override
            public double[] scores(List<UnitSlice> slices, int units) {
                return score.scores(slices, units);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
