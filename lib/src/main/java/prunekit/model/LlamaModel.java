package prunekit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A LLaMA-family decoder on DJL: token embedding, L pre-norm blocks
 * {@code h = h + Attn(RMSNorm(h)); h = h + MLP(RMSNorm(h))}, a final RMSNorm and the output head.
 * The forward pass itself is {@link LlamaForward}; the edits are {@link ModelEdits}; the loaders
 * ({@link Models}, {@link prunekit.model.io}) build a model from a checkpoint.
 *
 * <p>Weights live in the model's own {@link NDManager} in float32 on the compute device. A forward
 * pass takes a short-lived step manager for its results; close it after each step. The model is
 * mutable: the editing methods ({@link #removeLayers}, {@link #setLayer}, ...) change it in place,
 * so copy it first ({@link #copy()}) to keep the original.
 */
public final class LlamaModel implements DecoderLayers, AutoCloseable {

    private LlamaConfig config;
    private final Tokenizer tokenizer;
    private final NDManager manager;
    private final NDArray embedding;      // (V, C)
    private final List<LayerWeights> layers;
    private final NDArray finalNorm;      // (C)
    private final NDArray head;           // (V, C), null when tied to the embedding
    private final LlamaForward forward;
    private final ModelEdits edits;
    private boolean trainable;

    /**
     * A model of the given weights, which it owns from now on with {@code manager} (closed with the
     * model). How the loaders of {@link prunekit.model.io} build one; the shapes are theirs to check.
     *
     * @param head the output head (V, C), or null when the config ties it to the embedding
     */
    public LlamaModel(LlamaConfig config, Tokenizer tokenizer, NDManager manager, NDArray embedding,
            List<LayerWeights> layers, NDArray finalNorm, NDArray head) {
        if (layers.size() != config.layers() || (head == null) != config.tiedEmbeddings()) {
            throw new IllegalArgumentException(config.name() + ": " + layers.size() + " layers and "
                    + (head == null ? "no" : "an") + " output head, but the config says " + config.layers()
                    + " layers, " + (config.tiedEmbeddings() ? "head tied to the embedding" : "untied head"));
        }
        this.config = config;
        this.tokenizer = tokenizer;
        this.manager = manager;
        this.embedding = embedding;
        this.layers = new ArrayList<>(layers);
        this.finalNorm = finalNorm;
        this.head = head;
        this.forward = new LlamaForward(this);
        this.edits = new ModelEdits(this, this.layers);
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The manager that owns the weights; use {@code manager().newSubManager()} for a step. */
    @Override
    public NDManager manager() {
        return manager;
    }

    public Device device() {
        return manager.getDevice();
    }

    public NDArray embedding() {
        return embedding;
    }

    public LayerWeights layer(int i) {
        return layers.get(i);
    }

    /** Every layer is resident: layer {@code l} as it is. */
    @Override
    public LayerWeights open(int l) {
        return layer(l);
    }

    /** Every layer stays resident: nothing to do. */
    @Override
    public void finish(int l) {}

    public List<LayerWeights> layers() {
        return Collections.unmodifiableList(layers);
    }

    public NDArray finalNorm() {
        return finalNorm;
    }

    /** The output head, (V, C): the embedding table when tied. */
    public NDArray head() {
        return head == null ? embedding : head;
    }

    // ------------------------------------------------------------------------------------------
    // Forward (LlamaForward)
    // ------------------------------------------------------------------------------------------

    /**
     * Runs the decoder on a batch of equal-length token sequences.
     *
     * @param step   manager that receives every result; close it when done
     * @param tokens B sequences of T token ids, 1 ≤ T ≤ max sequence length
     * @param trace  what to record besides the final-normed stream, e.g. {@link Trace#HIDDEN_STATES}
     */
    public ForwardResult forward(NDManager step, int[][] tokens, Trace trace) {
        return forward.forward(step, tokens, trace);
    }

    /**
     * {@link #forward(NDManager, int[][], Trace)} with {@code adapter}'s addition on every linear module
     * of every layer (LoRA's low-rank update while it trains).
     */
    public ForwardResult forward(NDManager step, int[][] tokens, Trace trace, LinearAdapter adapter) {
        return forward.forward(step, tokens, trace, adapter);
    }

    /** An empty key/value cache for {@link #forward(NDManager, int[][], KvCache)}; close it when done. */
    public KvCache newCache() {
        return new KvCache(manager().newSubManager(), config().layers());
    }

    /**
     * Runs B sequences of T new tokens after the tokens already in {@code cache} (none for a fresh
     * one), appends their keys and values to it, and returns the logits of the new positions
     * (B, T, V): autoregressive decoding and scoring several continuations of one shared context
     * without re-running it.
     */
    public ForwardResult forward(NDManager step, int[][] tokens, KvCache cache) {
        return forward.forward(step, tokens, cache, Trace.NONE);
    }

    /**
     * {@link #forward(NDManager, int[][], KvCache)} with only the outputs {@code trace} asks for: with
     * {@link Trace#FINAL_HIDDEN_ONLY} the head is skipped, so a caller can apply {@link #logits} to the
     * positions it needs (the last one of a context, say).
     */
    public ForwardResult forward(NDManager step, int[][] tokens, KvCache cache, Trace trace) {
        return forward.forward(step, tokens, cache, trace);
    }

    /**
     * The token embeddings alone, the input of layer 0: what a layer-by-layer pruning loop
     * (Wanda, SparseGPT, GBLM-Pruner) starts from.
     *
     * @param step   manager that receives the result
     * @param tokens B sequences of T token ids
     * @return (B, T, C)
     */
    @Override
    public NDArray embed(NDManager step, int[][] tokens) {
        return forward.embed(step, tokens);
    }

    /**
     * Runs decoder layer {@code l} alone on a residual stream {@code x}, as {@link #forward} does
     * inside its loop; with {@code linearInputs} non-null, the input of each of the layer's seven
     * linear modules is put there under {@code layers.{l}.{module}}.
     *
     * @param step manager that receives the output and the recorded inputs
     * @param x    (B, T, C), the output of layer l-1 (or {@link #embed})
     * @return (B, T, C), the output of layer l
     */
    @Override
    public NDArray forwardLayer(NDManager step, int l, NDArray x, Map<String, NDArray> linearInputs) {
        if (l < 0 || l >= layers.size()) {
            throw new IllegalArgumentException("layer index " + l + " outside [0, " + layers.size() + ")");
        }
        return forward.layer(step, l, layers.get(l), x, linearInputs);
    }

    /**
     * Runs weights {@code w} (this model's shapes, any manager) as decoder layer {@code l} on x:
     * recorded inputs are keyed {@code layers.{l}.{module}}. How a model streamed from disk runs
     * the one layer it holds ({@link prunekit.model.io.StreamedLlama}).
     */
    public NDArray forwardLayer(NDManager step, int l, LayerWeights w, NDArray x, Map<String, NDArray> linearInputs) {
        return forward.layer(step, l, w, x, linearInputs);
    }

    /** The output head on a final-normed stream (B, T, C): logits (B, T, V), in the stream's manager. */
    public NDArray logits(NDArray normed) {
        return forward.logits(normed);
    }

    /**
     * Runs a stack of decoder layers on a residual stream and applies the final norm: the upper
     * part of a forward pass. With {@code hidden} = the stream entering layer l and {@code stack}
     * = this model's layers l..L-1 it returns {@link ForwardResult#finalHidden()} of a full pass;
     * other stacks (a merged layer followed by the rest) let a method try an edit of the upper
     * layers without copying the model or re-running the lower ones.
     *
     * @param step   manager that receives the result; close it when done
     * @param hidden (B, T, C) residual stream
     * @param stack  layers with this model's shapes, in order (they may live in any manager)
     * @return (B, T, C) the stream after the stack and the final RMSNorm
     */
    public NDArray forwardLayers(NDManager step, NDArray hidden, List<LayerWeights> stack) {
        return forward.layers(step, hidden, stack);
    }

    /**
     * The upper part of {@link #forward(NDManager, int[][], Trace, LinearAdapter)}: this model's layers
     * {@code first}..L-1 on {@code hidden}, the stream entering layer {@code first} (from {@link #embed} and
     * {@link #forwardLayer}, or kept from an earlier pass), with {@code adapter}'s additions (null: none), then
     * the final RMSNorm. When only layers at or above {@code first} change or train, the frozen lower part
     * need run once per window, not once per pass.
     *
     * @param step   manager that receives the result; close it when done
     * @param first  the first layer to run, 0 ≤ first ≤ L
     * @param hidden (B, T, C) residual stream entering layer {@code first}
     * @return (B, T, C) the stream after the last layer and the final RMSNorm
     */
    public NDArray forwardFrom(NDManager step, int first, NDArray hidden, LinearAdapter adapter) {
        if (first < 0 || first > layers.size()) {
            throw new IllegalArgumentException("first layer " + first + " outside [0, " + layers.size() + "]");
        }
        return forward.layersFrom(step, first, hidden, adapter);
    }

    // ------------------------------------------------------------------------------------------
    // Training mode
    // ------------------------------------------------------------------------------------------

    /**
     * Marks every decoder-layer tensor as requiring a gradient (or not). Only tensors marked so
     * receive gradients in a backward pass; the embedding, final norm and head stay frozen.
     */
    public void setTrainable(boolean on) {
        if (on == trainable) {
            return;
        }
        for (LayerWeights w : layers) {
            for (NDArray a : w.all().values()) {
                a.setRequiresGradient(on);
            }
        }
        trainable = on;
    }

    public boolean isTrainable() {
        return trainable;
    }

    /**
     * Clears the gradient of every decoder-layer tensor ({@link Gradients#clear}: released on a GPU, as
     * PyTorch's {@code zero_grad()}, zeroed in place on the CPU): gradients accumulate across backward passes,
     * and the next pass starts afresh. Use this rather than {@code GradientCollector.zeroGradients()}, which
     * walks every array DJL knows, intermediates included, and subtracts each gradient from itself.
     */
    public void zeroGradients() {
        for (LayerWeights lw : layers) {
            for (NDArray w : lw.all().values()) {
                Gradients.clear(w);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Editing (ModelEdits): what the pruning methods need
    // ------------------------------------------------------------------------------------------

    /** Removes the given decoder layers (indices into the current model). */
    public void removeLayers(Set<Integer> indices) {
        edits.removeLayers(indices);
        config = config.withLayers(layers.size());
    }

    /**
     * Replaces layer {@code i} with new weights of the same shapes; they are copied into the
     * model's manager and the old ones are freed.
     */
    public void setLayer(int i, LayerWeights weights) {
        edits.setLayer(i, weights);
    }

    /**
     * Replaces one tensor of layer {@code i} (a module name of {@link LayerWeights#ALL}) with a
     * copy of {@code value}, which must have the same shape.
     */
    @Override
    public void setTensor(int i, String module, NDArray value) {
        edits.setTensor(i, module, value);
    }

    /**
     * Inserts a linear map P (C×C, row-vector convention) on the MLP output of layer {@code i}:
     * the layer then computes {@code h + MLP(h)·P}. It is folded into the down projection at once,
     * {@code W_down ← Pᵀ W_down}, so the model keeps the standard LLaMA structure and saves as one.
     */
    public void insertMlpOutputMap(int i, NDArray p) {
        edits.insertMlpOutputMap(i, p);
    }

    /**
     * Structured width pruning's edit: layer l keeps only its key/value heads {@code kvGroups[l]},
     * each with the query heads that share it, and its MLP channels {@code channels[l]} (rows of
     * gate and up, columns of down); the matrices are cut smaller, the rest is freed. Every layer
     * must keep the same counts (one config, as Hugging Face's config.json, holds them all).
     *
     * @param kvGroups per layer, indices of the key/value heads kept, in [0, kvHeads)
     * @param channels per layer, indices of the MLP channels kept, in [0, intermediate)
     */
    public void keepWidth(int[][] kvGroups, int[][] channels) {
        config = edits.keepWidth(kvGroups, channels);
    }

    /** A deep copy with its own manager on the same device. */
    public LlamaModel copy() {
        return copy(config.name());
    }

    /** A deep copy under a new name (e.g. "SmolLM2 − 6 layers (GradMAP)"). */
    public LlamaModel copy(String newName) {
        return edits.copy(newName);
    }

    /** Gives the model a new display name (kept in result records and saved configs). */
    public void rename(String newName) {
        config = config.withName(newName);
    }

    /** Number of parameters in the current (possibly pruned) model, zeros included. */
    public long parameterCount() {
        return config.parameterCount();
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return config.name() + " (" + config.layers() + " layers, hidden " + config.hidden() + ", "
                + String.format("%.1fM", parameterCount() / 1e6) + " parameters)";
    }
}
