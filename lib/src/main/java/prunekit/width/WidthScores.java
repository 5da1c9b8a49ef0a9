package prunekit.width;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.stats.BatchGradients;

/**
 * The score of every unit of every layer under one {@link UnitImportance}: for a gradient score,
 * from one forward + backward pass of the calibration batch's mean loss on the dense model
 * ({@link BatchGradients}), as LLM-Pruner estimates its groups' importance once before pruning.
 *
 * @param importance the score's name
 * @param scores     per structure, per layer, one score per unit (higher = more important)
 * @param loss       the calibration loss the gradients are of (NaN without gradients)
 * @param seconds    wall time of the backward pass and the scoring
 */
public record WidthScores(String importance, Map<WidthStructure, List<double[]>> scores, double loss, double seconds) {

    /** Windows per forward/backward: about 1 GB for SmolLM2 at 128 tokens. */
    public static final int MICRO_BATCH = 4;

    /** The scores of {@code structure}'s units in layer {@code l}. */
    public double[] of(WidthStructure structure, int l) {
        return scores.get(structure).get(l);
    }

    /**
     * Scores every layer of {@code model}, which is left unchanged.
     *
     * @param calibration B windows of equal length (unused by a score that needs no gradient)
     */
    public static WidthScores compute(LlamaModel model, int[][] calibration, UnitImportance importance) {
        long t0 = System.nanoTime();
        if (!importance.needsGradient()) {
            return new WidthScores(importance.name(), score(model, importance, false), Double.NaN,
                    (System.nanoTime() - t0) / 1e9);
        }
        return BatchGradients.read(model, calibration, MICRO_BATCH, loss -> new WidthScores(importance.name(),
                score(model, importance, true), loss, (System.nanoTime() - t0) / 1e9));
    }

    private static Map<WidthStructure, List<double[]>> score(LlamaModel model, UnitImportance importance,
            boolean gradients) {
        Map<WidthStructure, List<double[]>> out = new EnumMap<>(WidthStructure.class);
        for (WidthStructure s : WidthStructure.values()) {
            out.put(s, new ArrayList<>());
        }
        for (int l = 0; l < model.config().layers(); l++) {
            LayerWeights w = model.layer(l);
            try (NDManager tmp = model.manager().newSubManager()) {
                Map<String, NDArray> grads = new LinkedHashMap<>();
                for (Map.Entry<String, NDArray> e : w.all().entrySet()) {
                    e.getValue().tempAttach(tmp);          // ops on the weight land in tmp; back to the model on close
                    if (gradients) {
                        NDArray g = e.getValue().getGradient();
                        g.attach(tmp);
                        grads.put(e.getKey(), g);
                    }
                }
                LayerWeights g = gradients ? LayerWeights.of(grads) : null;
                for (WidthStructure s : WidthStructure.values()) {
                    int units = s.units(model.config());
                    double[] v = importance.scores(s.slices(w, g), units);
                    if (v.length != units) {
                        throw new IllegalStateException(importance.name() + " gave " + v.length + " scores for the "
                                + units + " " + s + " units of layer " + l);
                    }
                    for (double x : v) {
                        if (!Double.isFinite(x)) {
                            throw new IllegalStateException(importance.name() + ": non-finite score " + x + " in layer " + l
                                    + " (" + s + "): check the calibration tokens and the model's loss");
                        }
                    }
                    out.get(s).add(v);
                }
            }
        }
        return out;
    }
}
