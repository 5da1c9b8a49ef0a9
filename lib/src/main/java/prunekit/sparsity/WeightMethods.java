package prunekit.sparsity;

import java.util.List;

/**
 * The weight-pruning methods by the names the CLI, the experiments and the notebooks use:
 * {@code magnitude} compares the whole matrix, as the papers' magnitude baselines
 * ({@link Magnitude}); {@code magnitude-row} compares within each output row ({@link RowMagnitude}).
 */
public final class WeightMethods {

    /** Accepted names, in the order tables list them. */
    public static final List<String> NAMES = List.of("magnitude", "magnitude-row", "wanda", "sparsegpt", "gblm");

    private WeightMethods() {}

    /**
     * The method called {@code name}, in its published configuration ({@link Gblm#DEFAULT},
     * {@link SparseGpt#DEFAULT}).
     *
     * @throws IllegalArgumentException for a name not in {@link #NAMES}
     */
    public static WeightPruningMethod byName(String name) {
        switch (name) {
            case "magnitude": return new Magnitude();
            case "magnitude-row": return new RowMagnitude();
            case "wanda": return new Wanda();
            case "sparsegpt": return SparseGpt.DEFAULT;
            case "gblm": return Gblm.DEFAULT;
            default:
                throw new IllegalArgumentException("unknown weight-pruning method '" + name + "' (accepted: "
                        + String.join(", ", NAMES) + ")");
        }
    }
}
