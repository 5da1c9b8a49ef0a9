package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Map;

/**
 * A decoder seen one layer at a time, as a layer-by-layer pruning loop (Wanda, SparseGPT,
 * GBLM-Pruner) walks it: embed the calibration windows, then for each layer l in order open it,
 * run it, replace some of its tensors, finish it. {@link LlamaModel} holds every layer in memory
 * (open and finish do nothing); {@link prunekit.model.io.StreamedLlama} reads layer l from a
 * checkpoint on open and writes it out and frees it on finish, so a model larger than memory can
 * be pruned with one layer resident.
 */
public interface DecoderLayers {

    LlamaConfig config();

    /** The manager of the resident tensors; calibration activations live in a sub-manager of it. */
    NDManager manager();

    /** The token embeddings of B windows of T ids, (B, T, C), in {@code step}. */
    NDArray embed(NDManager step, int[][] tokens);

    /** Makes layer {@code l} resident (layers are opened in order 0, 1, ...) and returns its weights. */
    LayerWeights open(int l) throws IOException;

    /** Runs layer {@code l} on x as {@link LlamaModel#forwardLayer} does. */
    NDArray forwardLayer(NDManager step, int l, NDArray x, Map<String, NDArray> linearInputs);

    /** Replaces one tensor of the open layer {@code l} with a copy of {@code value}, same shape. */
    void setTensor(int l, String module, NDArray value);

    /** Layer {@code l} will not change again. */
    void finish(int l) throws IOException;
}
