package prunekit.importance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.List;
import prunekit.model.LlamaModel;
import prunekit.model.Trace;

/**
 * ShortGPT's Block Influence (Men et al., "ShortGPT: Layers in Large Language Models are More
 * Redundant Than You Expect", arXiv 2403.03853, Eq. 1):
 * <pre>  BI_l = 1 − E_{x, t} [ x_{l,t} · x_{l+1,t} / (||x_{l,t}|| ||x_{l+1,t}||) ]</pre>
 * where x_l is the input of layer l and x_{l+1} its output (the residual stream), averaged over every
 * token of every calibration window. A layer that barely rotates its input scores low. One forward
 * pass, no gradients.
 */
public final class BlockInfluence implements LayerImportance {

    /** Micro-batches of 4 windows. */
    public static final BlockInfluence DEFAULT = new BlockInfluence(4);

    private final int microBatch;

    /** @param microBatch windows per forward pass */
    public BlockInfluence(int microBatch) {
        if (microBatch < 1) throw new IllegalArgumentException("microBatch must be >= 1, got " + microBatch);
        this.microBatch = microBatch;
    }

    @Override
    public double[] scores(LlamaModel model, int[][] calibration) {
        int layers = model.config().layers();
        double[] cosSum = new double[layers];
        long tokens = 0;
        for (int b0 = 0; b0 < calibration.length; b0 += microBatch) {
            int[][] mb = Arrays.copyOfRange(calibration, b0, Math.min(calibration.length, b0 + microBatch));
            try (NDManager step = model.manager().newSubManager()) {
                List<NDArray> h = model.forward(step, mb, Trace.HIDDEN_STATES_ONLY).hiddenStates();
                for (int l = 0; l < layers; l++) {
                    NDArray in = h.get(l).toType(DataType.FLOAT64, false);          // (B, T, C)
                    NDArray out = h.get(l + 1).toType(DataType.FLOAT64, false);
                    NDArray cos = in.mul(out).sum(new int[] {-1})                    // (B, T)
                            .div(in.norm(new int[] {-1}).mul(out.norm(new int[] {-1})));
                    cosSum[l] += cos.sum().getDouble();
                }
                tokens += (long) mb.length * mb[0].length;
            }
        }
        double[] bi = new double[layers];
        for (int l = 0; l < layers; l++) {
            bi[l] = 1 - cosSum[l] / tokens;
        }
        return bi;
    }

    @Override
    public String name() {
        return "block-influence";
    }
}
