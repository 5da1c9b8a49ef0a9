package prunekit.importance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import prunekit.model.LayerWeights;
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
 * <p>Nothing is copied and the lower layers run once: per micro-batch, one forward pass keeps the
 * residual stream h_l entering every layer, and "the model without l" is layers l+1..L-1 run on h_l
 * ({@link LlamaModel#forwardLayers}), then the head. That is L + L(L−1)/2 layer passes and L heads
 * per micro-batch instead of L full passes (L(L−1) layer passes, L heads). {@link #AS_PUBLISHED}
 * runs the L full passes, as the criterion is described (one forward pass per candidate): the same
 * scores, for timing the published method (docs/performance.md, GradMAP against the PPL criterion).
 */
public final class PerplexityCriterion implements LayerImportance {

    /** Micro-batches of 4 windows, the lower layers' outputs reused. */
    public static final PerplexityCriterion DEFAULT = new PerplexityCriterion(4);

    /** Micro-batches of 4 windows, one full forward pass (all layers but the candidate) per candidate. */
    public static final PerplexityCriterion AS_PUBLISHED = new PerplexityCriterion(4, false);

    private final int microBatch;
    private final boolean reusePrefix;

    /** @param microBatch windows per forward pass */
    public PerplexityCriterion(int microBatch) {
        this(microBatch, true);
    }

    /**
     * @param microBatch  windows per forward pass
     * @param reusePrefix run "the model without l" from the stream entering l (true) or from the
     *                    embeddings (false: every candidate a full pass)
     */
    public PerplexityCriterion(int microBatch, boolean reusePrefix) {
        if (microBatch < 1) throw new IllegalArgumentException("microBatch must be >= 1, got " + microBatch);
        this.microBatch = microBatch;
        this.reusePrefix = reusePrefix;
    }

    @Override
    public double[] scores(LlamaModel model, int[][] calibration) {
        int layers = model.config().layers();
        double[] ppl = new double[layers];
        if (!reusePrefix) {
            for (int l = 0; l < layers; l++) {
                ppl[l] = Math.exp(meanNllWithout(model, calibration, l, microBatch));
            }
            return ppl;
        }
        double[] nllSum = new double[layers];
        for (int b0 = 0; b0 < calibration.length; b0 += microBatch) {
            int[][] mb = Arrays.copyOfRange(calibration, b0, Math.min(calibration.length, b0 + microBatch));
            try (NDManager step = model.manager().newSubManager()) {
                List<NDArray> h = model.forward(step, mb, Trace.HIDDEN_STATES_ONLY).hiddenStates();  // h_0..h_L
                for (int l = 0; l < layers; l++) {
                    try (NDManager candidate = step.newSubManager()) {
                        // without layer l: h_l through layers l+1..L-1
                        List<LayerWeights> above = model.layers().subList(l + 1, layers);
                        NDArray nll = LmLoss.meanNll(model, model.forwardLayers(candidate, h.get(l), above), mb);
                        nllSum[l] += nll.toType(DataType.FLOAT64, false).getDouble() * mb.length;
                    }
                }
            }
        }
        for (int l = 0; l < layers; l++) {
            ppl[l] = Math.exp(nllSum[l] / calibration.length);
        }
        return ppl;
    }

    /**
     * Mean negative log-likelihood per predicted token of the model without layer {@code layer}, one
     * full forward pass (embeddings, every other layer, head) over the windows: one candidate of the
     * criterion as published, which {@link #AS_PUBLISHED} runs for every layer.
     */
    public static double meanNllWithout(LlamaModel model, int[][] windows, int layer, int microBatch) {
        int layers = model.config().layers();
        if (layer < 0 || layer >= layers) {
            throw new IllegalArgumentException("layer " + layer + " outside [0, " + layers + ")");
        }
        List<LayerWeights> stack = new ArrayList<>(model.layers());
        stack.remove(layer);
        return overWindows(model, windows, microBatch,
                (step, mb) -> LmLoss.meanNll(model, model.forwardLayers(step, model.embed(step, mb), stack), mb));
    }

    /**
     * Mean negative log-likelihood per predicted token over all windows (equal lengths), in nats;
     * exp of it is the calibration perplexity.
     */
    public static double meanNll(LlamaModel model, int[][] windows, int microBatch) {
        return overWindows(model, windows, microBatch, (step, mb) -> LmLoss.meanNll(model, step, mb));
    }

    /**
     * The mean over all windows (equal lengths) of a per-micro-batch mean NLL, each micro-batch's
     * scalar computed in its own manager, closed after it is read.
     */
    private static double overWindows(LlamaModel model, int[][] windows, int microBatch,
            BiFunction<NDManager, int[][], NDArray> meanNll) {
        double sum = 0;
        for (int b0 = 0; b0 < windows.length; b0 += microBatch) {
            int[][] mb = Arrays.copyOfRange(windows, b0, Math.min(windows.length, b0 + microBatch));
            try (NDManager step = model.manager().newSubManager()) {
                sum += meanNll.apply(step, mb).toType(DataType.FLOAT64, false).getDouble() * mb.length;
            }
        }
        return sum / windows.length;
    }

    @Override
    public String name() {
        return reusePrefix ? "ppl" : "ppl (as published: a full pass per candidate)";
    }
}
