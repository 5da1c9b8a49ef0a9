package prunekit.recover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import prunekit.model.LlamaModel;

/**
 * The residual stream entering layer {@code first} for each of a fixed set of windows, computed once. When
 * everything below that layer is frozen and unchanged (GradMAP's compensation map trains at one of the top
 * layers), a training step need run only layers {@code first}..L-1 and the head: {@link #forward} is a
 * {@link TrainingStep.Forward} that looks each window's stream up and calls {@link LlamaModel#forwardFrom}.
 * The windows are recognised by identity (the very {@code int[]} given here), so a step's batch must be made
 * of them, as {@link CompensationTraining#passes} makes it.
 *
 * <p>The streams are the same values a full pass computes below {@code first}, up to float rounding of the
 * batch a window was computed in.
 */
final class FrozenPrefix implements AutoCloseable {

    private final int first;
    private final NDManager manager;
    private final Map<int[], NDArray> streams = new IdentityHashMap<>();

    /** Runs the windows, {@code microBatch} at a time, through the embedding and layers 0..first-1 of {@code model}. */
    FrozenPrefix(LlamaModel model, int first, int[][] windows, int microBatch) {
        if (first < 0 || first > model.config().layers()) {
            throw new IllegalArgumentException("first layer " + first + " outside [0, " + model.config().layers() + "]");
        }
        this.first = first;
        this.manager = model.manager().newSubManager();
        for (int b0 = 0; b0 < windows.length; b0 += microBatch) {
            int[][] mb = Arrays.copyOfRange(windows, b0, Math.min(windows.length, b0 + microBatch));
            try (NDManager step = manager.newSubManager()) {
                NDArray x = model.embed(step, mb);                                  // (B, T, C)
                for (int l = 0; l < first; l++) x = model.forwardLayer(step, l, x, null);
                for (int i = 0; i < mb.length; i++) {
                    NDArray row = x.get(i);                                         // (T, C)
                    row.attach(manager);
                    streams.put(mb[i], row);
                }
            }
        }
    }

    /** The final-normed stream of {@code windows} (each one given to the constructor): layers first..L-1 only. */
    TrainingStep.Forward forward() {
        return (model, step, windows, adapters) -> model.forwardFrom(step, first, stack(step, windows), adapters);
    }

    /** The windows' kept streams as one batch (B, T, C) in {@code step}. */
    NDArray stack(NDManager step, int[][] windows) {
        NDList rows = new NDList(windows.length);
        for (int[] w : windows) {
            NDArray s = streams.get(w);
            if (s == null) throw new IllegalArgumentException("a window of " + w.length + " tokens that this prefix was not computed for");
            rows.add(s);
        }
        NDArray batch = NDArrays.stack(rows);
        batch.attach(step);
        return batch;
    }

    @Override
    public void close() {
        manager.close();
    }
}
