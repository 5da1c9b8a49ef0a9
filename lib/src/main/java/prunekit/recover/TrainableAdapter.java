package prunekit.recover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.model.HostTensor;
import prunekit.model.LinearAdapter;
import prunekit.model.LlamaModel;
import prunekit.model.NoGrad;

/**
 * Trainable additions to a frozen model's linear modules: what {@link Recovery#train} needs of them.
 * In a forward pass they are a {@link LinearAdapter}; their parameters (named, on the model's device)
 * are the only tensors that get gradients; a checkpoint saves them ({@link #toHost}) and a resumed run
 * puts them back ({@link #set}); {@link #describe} joins the run's settings, which a resume must
 * match; and after training {@link #mergeInto} folds them into the model's weights, so the result is
 * a plain LLaMA model.
 *
 * <p>Two kinds: {@link LoraAdapters} (low-rank updates of every linear module, recovery fine-tuning)
 * and {@link TrainableProjection} (GradMAP's compensation map at one down projection). Checkpoints
 * hold float32, the models' type in memory.
 */
public interface TrainableAdapter extends LinearAdapter, AutoCloseable {

    /** The trainable tensors by name, each with {@code setRequiresGradient(true)}. */
    Map<String, NDArray> parameters();

    /** Training-only behaviour (e.g. dropout) on or off; {@link Recovery#train} sets it. */
    void setTraining(boolean on);

    /** Sets every parameter from saved tensors ({@link #toHost}, a {@link Checkpoint}); names and shapes must match. */
    default void set(Map<String, HostTensor> tensors) {
        try (NoGrad off = NoGrad.enter()) {      // the parameters are leaves that require a gradient
            setEach(tensors);
        }
    }

    private void setEach(Map<String, HostTensor> tensors) {
        for (var e : parameters().entrySet()) {
            HostTensor t = tensors.get(e.getKey());
            if (t == null) throw new IllegalArgumentException("saved adapters lack " + e.getKey());
            if (!new Shape(t.shape()).equals(e.getValue().getShape())) {
                throw new IllegalArgumentException("saved " + e.getKey() + " has shape " + t.shapeText() + ", the model needs "
                        + e.getValue().getShape());
            }
            e.getValue().set(t.data());
        }
    }

    /** Every parameter copied to the host, for a checkpoint. */
    default Map<String, HostTensor> toHost() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        parameters().forEach((name, a) -> out.put(name, new HostTensor(a.toFloatArray(), a.getShape().getShape())));
        return out;
    }

    /** The adapter's settings as {@code key=value} pairs joined by ';' (part of a run's settings). */
    String describe();

    /** Folds the additions into {@code model}'s weights: the model then computes what the adapted one did. */
    void mergeInto(LlamaModel model);

    /** Number of trainable values. */
    default long parameterCount() {
        return parameters().values().stream().mapToLong(NDArray::size).sum();
    }

    /** Frees the parameters. */
    @Override
    void close();
}
