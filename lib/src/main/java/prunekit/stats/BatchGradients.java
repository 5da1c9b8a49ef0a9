package prunekit.stats;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import prunekit.model.LlamaModel;
import prunekit.model.LmLoss;
import prunekit.model.OwnedArrays;

/**
 * The gradient of the <em>batch-mean</em> language-modelling loss
 * {@code L = -(1/N) Σ log p(x_{t+1} | x_≤t)} over all N predicted tokens of a calibration batch, left
 * in every decoder-layer tensor for a reader, then zeroed: the one backward pass that
 * {@link LayerGradients} (layer metrics) and structured width pruning ({@link prunekit.width}) read.
 *
 * <p>The batch runs in micro-batches of {@code microBatch} windows so memory stays bounded: each
 * micro-batch's mean loss is weighted by its share of the batch before its backward pass, so the
 * accumulated gradient equals the full-batch gradient. Gradients are zeroed before and after, and
 * the model's trainable state is restored.
 */
public final class BatchGradients {

    /** Reads what it needs while the gradients are in the weights ({@code w.getGradient()}). */
    @FunctionalInterface
    public interface Reader<T> {
        /** @param loss the batch-mean loss the gradients are of */
        T read(double loss);
    }

    private BatchGradients() {}

    /**
     * One forward + backward pass of the mean LM loss over {@code tokens}, then {@code reader}.
     *
     * @param tokens     B calibration windows of equal length
     * @param microBatch windows per forward/backward (4: about 1.5 GB for SmolLM2 at 256 tokens)
     */
    public static <T> T read(LlamaModel model, int[][] tokens, int microBatch, Reader<T> reader) {
        if (microBatch < 1) throw new IllegalArgumentException("microBatch must be >= 1, got " + microBatch);
        if (tokens.length == 0) throw new IllegalArgumentException("no calibration windows");
        boolean wasTrainable = model.isTrainable();
        model.setTrainable(true);
        try {
            model.zeroGradients();
            double loss = 0;
            for (int b0 = 0; b0 < tokens.length; b0 += microBatch) {
                int[][] mb = Arrays.copyOfRange(tokens, b0, Math.min(tokens.length, b0 + microBatch));
                double share = (double) mb.length / tokens.length;   // equal lengths: share of tokens
                try (NDManager step = model.manager().newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray mean = LmLoss.meanNll(model, step, mb);
                    NDArray weighted = mean.mul(OwnedArrays.scalar(mean, share));   // not mul(double): see OwnedArrays
                    gc.backward(weighted);
                    loss += weighted.toType(DataType.FLOAT64, false).getDouble();
                }
            }
            return reader.read(loss);
        } finally {
            model.zeroGradients();
            model.setTrainable(wasTrainable);
        }
    }
}
