package prunekit.importance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Set;
import prunekit.model.LlamaModel;
import prunekit.model.LmLoss;
import prunekit.model.Trace;

/**
 * Shortened-LLaMA's PPL criterion (Kim et al., arXiv 2402.02834, Sec. 3): remove each layer in turn
 * and measure the calibration perplexity of what is left; the layer whose removal hurts least is the
 * least important. The score of layer l is PPL(model without l) — higher = more important. One
 * forward pass over the calibration batch per candidate layer (per decision when pruning
 * iteratively): the slow baseline by design.
 *
 * <p>Each candidate is evaluated on a copy of the model (the input is never changed); the copy costs a
 * memory copy of the weights, small next to the forward pass.
 */
public final class PerplexityCriterion implements LayerImportance {

    /** Micro-batches of 4 windows. */
    public static final PerplexityCriterion DEFAULT = new PerplexityCriterion(4);

    private final int microBatch;

    /** @param microBatch windows per forward pass */
    public PerplexityCriterion(int microBatch) {
        if (microBatch < 1) throw new IllegalArgumentException("microBatch must be >= 1, got " + microBatch);
        this.microBatch = microBatch;
    }

    @Override
    public double[] scores(LlamaModel model, int[][] calibration) {
        double[] ppl = new double[model.config().layers()];
        for (int l = 0; l < ppl.length; l++) {
            try (LlamaModel without = model.copy()) {
                without.removeLayers(Set.of(l));
                ppl[l] = Math.exp(meanNll(without, calibration, microBatch));
            }
        }
        return ppl;
    }

    /**
     * Mean negative log-likelihood per predicted token over all windows (equal lengths), in nats;
     * exp of it is the calibration perplexity.
     */
    public static double meanNll(LlamaModel model, int[][] windows, int microBatch) {
        double sum = 0;
        for (int b0 = 0; b0 < windows.length; b0 += microBatch) {
            int[][] mb = Arrays.copyOfRange(windows, b0, Math.min(windows.length, b0 + microBatch));
            try (NDManager step = model.manager().newSubManager()) {
                NDArray nll = LmLoss.meanNll(model.forward(step, mb, Trace.NONE).logits(), mb);
                sum += nll.toType(DataType.FLOAT64, false).getDouble() * mb.length;
            }
        }
        return sum / windows.length;
    }

    @Override
    public String name() {
        return "ppl";
    }
}
