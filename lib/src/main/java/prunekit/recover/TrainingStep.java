package prunekit.recover;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import prunekit.model.Gradients;
import prunekit.model.LlamaModel;
import prunekit.model.LmLoss;
import prunekit.model.OwnedArrays;
import prunekit.model.Trace;

/**
 * One optimizer step of {@link Recovery}: the mean next-token NLL of a batch, its gradient accumulated
 * into the adapters a micro-batch at a time, the global gradient norm clipped, one AdamW update, the
 * gradients cleared. {@link Recovery#train} runs it step after step; {@code environment/bench-vs-pytorch.sh
 * --recover} times it against PyTorch + peft.
 *
 * <p>A non-finite loss or gradient norm leaves the adapters and the optimizer state untouched (the
 * gradients are cleared), and the outcome says so.
 */
public final class TrainingStep {

    /**
     * @param loss the batch's mean token NLL (nats)
     * @param gradientNorm the adapters' global gradient L2 norm before clipping
     */
    public record Outcome(double loss, double gradientNorm) {

        /** Whether the update ran: loss and gradient norm both finite. */
        public boolean applied() {
            return Double.isFinite(loss) && Double.isFinite(gradientNorm);
        }
    }

    /**
     * How a step gets the final-normed stream (B, T, C) of a micro-batch: the whole model by default
     * ({@link #WHOLE_MODEL}); a caller whose adapters sit in the upper layers only may run just those
     * (CompensationTraining's frozen prefix).
     */
    @FunctionalInterface
    public interface Forward {
        NDArray finalHidden(LlamaModel model, NDManager step, int[][] windows, TrainableAdapter adapters);
    }

    /** Every layer, with the adapters' additions. */
    public static final Forward WHOLE_MODEL = (model, step, windows, adapters) ->
            model.forward(step, windows, Trace.FINAL_HIDDEN_ONLY, adapters).finalHidden();

    private TrainingStep() {}

    /**
     * Trains {@code adapters} one step on {@code batch} (B windows of T ids), {@code microBatch} windows
     * per forward/backward, clipping to {@code maxGradNorm}, at learning rate {@code lr}.
     */
    public static Outcome run(LlamaModel model, TrainableAdapter adapters, int[][] batch, int microBatch, double maxGradNorm,
                              AdamW optimizer, AdamW.State state, double lr) {
        return run(model, WHOLE_MODEL, adapters, batch, microBatch, maxGradNorm, optimizer, state, lr);
    }

    /** {@link #run(LlamaModel, TrainableAdapter, int[][], int, double, AdamW, AdamW.State, double)} through {@code forward}. */
    public static Outcome run(LlamaModel model, Forward forward, TrainableAdapter adapters, int[][] batch, int microBatch,
                              double maxGradNorm, AdamW optimizer, AdamW.State state, double lr) {
        if (microBatch <= 0 || batch.length % microBatch != 0) {
            throw new IllegalArgumentException("micro-batch must divide the batch " + batch.length + ", got " + microBatch);
        }
        // 1. forward and backward per micro-batch; the gradients accumulate
        double loss = accumulate(model, forward, adapters, batch, microBatch);
        double norm = Double.isFinite(loss) ? gradientNorm(adapters) : Double.NaN;
        Outcome outcome = new Outcome(loss, norm);
        // 2. clip, update, clear
        if (outcome.applied()) {
            if (norm > maxGradNorm) scaleGradients(adapters, maxGradNorm / norm);
            optimizer.step(adapters.parameters(), state, lr);
        }
        zeroGradients(adapters);
        return outcome;
    }

    /** Mean NLL of the batch, its gradient accumulated into the adapters, a micro-batch at a time. */
    private static double accumulate(LlamaModel model, Forward forward, TrainableAdapter adapters, int[][] batch,
            int microBatch) {
        double loss = 0;
        for (int b0 = 0; b0 < batch.length; b0 += microBatch) {
            int[][] mb = Arrays.copyOfRange(batch, b0, b0 + microBatch);
            double share = (double) microBatch / batch.length;
            try (NDManager step = model.manager().newSubManager();
                 GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray normed = forward.finalHidden(model, step, mb, adapters);                              // (B, T, C)
                NDArray mean = LmLoss.meanNll(model, normed, mb);
                NDArray weighted = mean.mul(OwnedArrays.scalar(mean, share));
                gc.backward(weighted);
                loss += weighted.toType(DataType.FLOAT64, false).getDouble();
            }
        }
        return loss;
    }

    /** The global L2 norm of every adapter gradient. */
    static double gradientNorm(TrainableAdapter adapters) {
        double sumSquares = 0;
        for (NDArray p : adapters.parameters().values()) {
            try (NDArray g = p.getGradient(); NDArray sq = g.toType(DataType.FLOAT64, false).square().sum()) {
                sumSquares += sq.getDouble();
            }
        }
        return Math.sqrt(sumSquares);
    }

    private static void scaleGradients(TrainableAdapter adapters, double factor) {
        for (NDArray p : adapters.parameters().values()) {
            try (NDArray g = p.getGradient()) {
                g.muli(factor);
            }
        }
    }

    private static void zeroGradients(TrainableAdapter adapters) {
        for (NDArray p : adapters.parameters().values()) {
            Gradients.clear(p);
        }
    }
}
