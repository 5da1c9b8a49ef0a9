package prunekit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A LLaMA-family decoder on DJL: token embedding, L pre-norm blocks
 * {@code h = h + Attn(RMSNorm(h)); h = h + MLP(RMSNorm(h))}, a final RMSNorm and the output head.
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
    private boolean trainable;

    private LlamaModel(LlamaConfig config, Tokenizer tokenizer, NDManager manager, NDArray embedding,
            List<LayerWeights> layers, NDArray finalNorm, NDArray head) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.manager = manager;
        this.embedding = embedding;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.head = head;
    }

    /**
     * Builds a model from host tensors named as in {@link TensorNames}, checking every shape
     * against the config.
     *
     * @param source where the tensors came from, for error messages (a file or directory)
     */
    public static LlamaModel fromTensors(LlamaConfig config, Map<String, HostTensor> tensors,
            Tokenizer tokenizer, Device device, String source) {
        return fromTensors(config, tensors, tokenizer, device, source, DataType.FLOAT32);
    }

    /**
     * As {@link #fromTensors(LlamaConfig, Map, Tokenizer, Device, String)}, with the weights in
     * {@code dtype} (FLOAT64 for finite-difference checks; FLOAT32 otherwise).
     */
    public static LlamaModel fromTensors(LlamaConfig config, Map<String, HostTensor> tensors,
            Tokenizer tokenizer, Device device, String source, DataType dtype) {
        try {
            return fromSource(config, tensors::get, tokenizer, device, source, dtype);
        } catch (IOException e) {
            throw new UncheckedIOException(e);                        // a map does no I/O
        }
    }

    /** Reads one tensor, by its name in {@link TensorNames}, when a model is built from it. */
    @FunctionalInterface
    public interface TensorSource {
        /** The tensor, or null when the checkpoint has none of that name. */
        HostTensor read(String name) throws IOException;
    }

    /**
     * Builds a model reading its tensors one at a time: each is read, checked, copied to the device
     * and dropped before the next is read, so the host holds one tensor at a time rather than a copy
     * of the whole checkpoint (how the loaders of files load: for SmolLM2 the whole set was 540 MB of
     * Java arrays and as much again in direct buffers, alive together while loading).
     */
    public static LlamaModel fromSource(LlamaConfig config, TensorSource tensors, Tokenizer tokenizer, Device device,
            String source) throws IOException {
        return fromSource(config, tensors, tokenizer, device, source, DataType.FLOAT32);
    }

    private static LlamaModel fromSource(LlamaConfig config, TensorSource tensors, Tokenizer tokenizer, Device device,
            String source, DataType dtype) throws IOException {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            ShapeCheck check = new ShapeCheck(tensors, source, manager, dtype, new Staging());
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : config.tensorShapes().entrySet()) {
                arrays.put(e.getKey(), check.take(e.getKey(), e.getValue()));
            }
            List<LayerWeights> layers = new ArrayList<>();
            for (int i = 0; i < config.layers(); i++) {
                Map<String, NDArray> layer = new LinkedHashMap<>();
                for (String module : LayerWeights.ALL) {
                    layer.put(module, arrays.get(TensorNames.layer(i, module)));
                }
                layers.add(LayerWeights.of(layer));
            }
            return new LlamaModel(config, tokenizer, manager, arrays.get(TensorNames.EMBED), layers,
                    arrays.get(TensorNames.FINAL_NORM), arrays.get(TensorNames.HEAD));
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Reads tensors from a source, checking presence and shape. */
    private record ShapeCheck(TensorSource tensors, String source, NDManager manager, DataType dtype,
            Staging staging) {
        NDArray take(String name, long... shape) throws IOException {
            HostTensor t = tensors.read(name);
            if (t == null) {
                throw new IllegalArgumentException(source + ": tensor " + name + " is missing");
            }
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException(source + ": tensor " + name + " has shape "
                        + t.shapeText() + " but the config implies " + Arrays.toString(shape));
            }
            NDArray a = staging.upload(manager, t.data(), new Shape(shape));
            return dtype == DataType.FLOAT32 ? a : a.toType(dtype, false);
        }
    }

    /**
     * One direct buffer, reused for every tensor on its way to the device ({@code NDManager.create}
     * of a Java array allocates a direct buffer of its own per call, freed only when the garbage
     * collector gets to it). libtorch gets a clone of the buffer's contents, so the buffer can be
     * overwritten as soon as the call returns. Above 1 GiB a tensor goes through DJL's own copy.
     */
    private static final class Staging {
        private static final long MAX_BYTES = 1L << 30;
        private ByteBuffer buffer;

        NDArray upload(NDManager manager, float[] data, Shape shape) {
            long bytes = (long) data.length * Float.BYTES;
            if (bytes > MAX_BYTES) {
                return OwnedArrays.of(manager, data, shape);
            }
            if (buffer == null || buffer.capacity() < bytes) {
                buffer = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
            }
            buffer.clear().limit((int) bytes);
            buffer.asFloatBuffer().put(data);
            try (NDArray blob = manager.create(buffer, shape, DataType.FLOAT32)) {
                return blob.duplicate();                                // storage of its own
            }
        }
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
    // Forward
    // ------------------------------------------------------------------------------------------

    /**
     * Runs the decoder on a batch of equal-length token sequences.
     *
     * @param step   manager that receives every result; close it when done
     * @param tokens B sequences of T token ids, 1 ≤ T ≤ max sequence length
     */
    public ForwardResult forward(NDManager step, int[][] tokens, Trace trace) {
        int b = tokens.length;
        int t = checkTokens(tokens);
        // 1. token embeddings: gather rows of the table                      (B, T, C)
        NDArray ids = OwnedArrays.of(step, flatten(tokens), new Shape(b, t));
        NDArray x = embedding.get(new NDIndex("{}", ids));
        x.attach(step);
        Rope rope = positions(t).rope();
        NDArray mask = positions(t).mask();                                 // (T, T)
        List<NDArray> hidden = new ArrayList<>();
        Map<String, NDArray> inputs = new LinkedHashMap<>();
        List<NDArray> probes = new ArrayList<>();
        if (trace.hiddenStates()) {
            hidden.add(x);
        }
        // 2. the decoder layers, each in its own sub-manager so intermediates are freed per layer
        for (int l = 0; l < layers.size(); l++) {
            try (NDManager lm = step.newSubManager()) {
                x.tempAttach(lm);
                NDArray out = block(l, layers.get(l), x, rope, mask, trace.linearInputs() ? inputs : null, step);
                out.attach(step);
                if (trace.activationProbes()) {
                    NDArray probe = step.zeros(out.getShape(), out.getDataType());
                    probe.setRequiresGradient(true);
                    probes.add(probe);
                    out = out.add(probe);
                }
                x = out;
            }
            if (trace.hiddenStates()) {
                hidden.add(x);
            }
        }
        // 3. final norm and output head                                        (B, T, V)
        NDArray normed = rmsNorm(x, finalNorm);
        NDArray logits = trace.logits() ? Linear.linear(normed, head()).get(0) : null;
        return new ForwardResult(logits, normed, hidden, inputs, probes);
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
        int t = checkTokens(tokens);
        NDArray ids = OwnedArrays.of(step, flatten(tokens), new Shape(tokens.length, t));
        NDArray x = embedding.get(new NDIndex("{}", ids));
        x.attach(step);
        return x;
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
        return forwardLayer(step, l, layers.get(l), x, linearInputs);
    }

    /**
     * Runs weights {@code w} (this model's shapes, any manager) as decoder layer {@code l} on x:
     * recorded inputs are keyed {@code layers.{l}.{module}}. How a model streamed from disk runs
     * the one layer it holds ({@link prunekit.model.io.StreamedLlama}).
     */
    public NDArray forwardLayer(NDManager step, int l, LayerWeights w, NDArray x, Map<String, NDArray> linearInputs) {
        int t = (int) x.getShape().get(1);
        try (NDManager lm = step.newSubManager()) {
            Rope rope = positions(t).rope();
            NDArray mask = positions(t).mask();
            x.tempAttach(lm);                       // intermediates land in lm and are freed with it
            NDArray out = block(l, w, x, rope, mask, linearInputs, step);
            out.attach(step);
            return out;
        }
    }

    /** The output head on a final-normed stream (B, T, C): logits (B, T, V), in the stream's manager. */
    public NDArray logits(NDArray normed) {
        return Linear.linear(normed, head()).get(0);
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
        int t = Math.toIntExact(hidden.getShape().get(1));
        Rope rope = positions(t).rope();
        NDArray mask = positions(t).mask();                                 // (T, T)
        NDArray x = hidden;
        for (LayerWeights w : stack) {
            try (NDManager lm = step.newSubManager()) {
                x.tempAttach(lm);
                NDArray out = block(-1, w, x, rope, mask, null, step);
                out.attach(step);
                x = out;
            }
        }
        NDArray normed = rmsNorm(x, finalNorm);           // (B, T, C)
        normed.attach(step);                                                // an empty stack: not hidden's manager
        return normed;
    }

    /*
     * Every intermediate below is closed as soon as its last use has run, views included (a view keeps
     * its base's storage alive). libtorch then hands the same memory to the next operator while it is
     * still in cache, as PyTorch does when Python drops a tensor; keeping a layer's intermediates until
     * the layer's manager closes made the forward pass 2-4 % slower (docs/performance.md). Closing a
     * handle is safe under autograd: the graph holds tensors it saved by reference. The block's input
     * x, and whatever is recorded in inputs, belong to the caller and stay open.
     */

    /** One pre-norm decoder block (layer l, weights w): attention then MLP, each added to the residual stream. */
    private NDArray block(int l, LayerWeights w, NDArray x, Rope rope, NDArray mask, Map<String, NDArray> inputs,
            NDManager keep) {
        boolean recording = inputs != null;
        NDArray h = rmsNorm(x, w.attnNorm());                                // (B, T, C)
        NDArray attn = attention(l, h, w, rope, mask, inputs, keep);
        if (!recording) close(h);
        NDArray x1 = x.add(attn);
        close(attn);
        NDArray m = rmsNorm(x1, w.mlpNorm());
        NDArray gate = linear(m, w.gate());                                   // (B, T, I)
        NDArray up = linear(m, w.up());
        NDArray sigmoid = Activation.sigmoid(gate);
        NDArray silu = gate.mul(sigmoid);
        close(sigmoid, gate);
        NDArray act = silu.mul(up);                                           // SwiGLU: silu(g) * u
        close(silu, up);
        if (recording) {
            record(inputs, keep, l, m, "gate_proj", "up_proj");
            record(inputs, keep, l, act, "down_proj");
        }
        NDArray down = linear(act, w.down());
        if (!recording) close(m, act);
        NDArray out = x1.add(down);
        close(down, x1);
        return out;
    }

    /** Causal grouped-query self-attention with rotary position embeddings. */
    private NDArray attention(int l, NDArray h, LayerWeights w, Rope rope, NDArray mask,
            Map<String, NDArray> inputs, NDManager keep) {
        long b = h.getShape().get(0);
        long t = h.getShape().get(1);
        int nh = config.heads();
        int nkv = config.kvHeads();
        int d = config.headDim();
        NDArray q = heads(rope.applyToQueries(headsView(linear(h, w.q()), b, t, nh, d)));  // (B, H, T, D), /√D
        NDArray k = repeatKv(heads(rope.apply(headsView(linear(h, w.k()), b, t, nkv, d))), b, t);
        NDArray v = repeatKv(heads(headsView(linear(h, w.v()), b, t, nkv, d)), b, t);
        NDArray kT = k.transpose(0, 1, 3, 2);
        NDArray scores = q.matMul(kT);                                        // (B, H, T, T): q·kᵀ/√D
        close(kT, k, q);
        NDArray masked = scores.add(mask);
        close(scores);
        NDArray probs = masked.softmax(-1);
        close(masked);
        NDArray perHead = probs.matMul(v);                                    // (B, H, T, D)
        close(probs, v);
        NDArray perToken = heads(perHead);                                    // (B, T, H, D)
        NDArray ctx = perToken.reshape(b, t, (long) nh * d);                  // (B, T, H*D)
        close(perToken);
        if (inputs != null) {
            record(inputs, keep, l, h, "q_proj", "k_proj", "v_proj");
            record(inputs, keep, l, ctx, "o_proj");
        }
        NDArray out = linear(ctx, w.o());
        if (inputs == null) close(ctx);
        return out;
    }

    /** (B, T, n·D) → (B, T, n, D), closing the input's handle (the view keeps its storage). */
    private static NDArray headsView(NDArray projected, long b, long t, int n, int d) {
        NDArray view = projected.reshape(b, t, n, d);
        projected.close();
        return view;
    }

    /** Swaps the time and head axes, (B, T, n, D) ↔ (B, n, T, D), closing the input's handle. */
    private static NDArray heads(NDArray x) {
        NDArray swapped = x.transpose(0, 2, 1, 3);
        x.close();
        return swapped;
    }

    /**
     * Each key/value head serves {@code groupSize} consecutive query heads. Closes kv, or returns it as
     * it is when groupSize is 1.
     */
    private NDArray repeatKv(NDArray kv, long b, long t) {
        int g = config.groupSize();
        if (g == 1) {
            return kv;
        }
        int nkv = config.kvHeads();
        int d = config.headDim();
        NDArray grouped = kv.reshape(b, nkv, 1, t, d);
        NDArray expanded = grouped.broadcast(new Shape(b, nkv, g, t, d));
        NDArray out = expanded.reshape(b, (long) nkv * g, t, d);
        close(expanded, grouped, kv);
        return out;
    }

    private static void close(NDArray... intermediates) {
        for (NDArray a : intermediates) {
            a.close();
        }
    }

    private static void record(Map<String, NDArray> inputs, NDManager keep, int l, NDArray a, String... modules) {
        a.attach(keep);
        for (String m : modules) {
            inputs.put(TensorNames.key(l, m), a);
        }
    }

    private static NDArray linear(NDArray x, NDArray weight) {
        return Linear.linear(x, weight).get(0);                               // x W^T
    }

    /** RMSNorm: x / sqrt(mean(x²) + eps) · g. */
    NDArray rmsNorm(NDArray x, NDArray gain) {
        NDArray squares = x.square();
        NDArray ms = squares.mean(new int[] {-1}, true);
        NDArray inv = ms.add(scalars().eps()).pow(scalars().minusHalf());
        NDArray normed = x.mul(inv);
        NDArray out = normed.mul(gain);
        close(squares, normed);                            // the (B, T, C) ones; ms and inv are (B, T, 1)
        return out;
    }

    /**
     * The forward pass's scalar operands as owned 0-d tensors in the model's manager (see
     * {@link OwnedArrays}), made once per model rather than in every layer of every pass.
     */
    private record Scalars(NDArray eps, NDArray minusHalf) {}

    private Scalars scalars;

    private Scalars scalars() {
        if (scalars == null) {
            scalars = new Scalars(OwnedArrays.scalar(embedding, config.rmsEps()), OwnedArrays.scalar(embedding, -0.5));
        }
        return scalars;
    }

    /**
     * The RoPE tables and the causal mask for sequences of length t, in the model's manager, kept for
     * the next pass of the same length: a layer-by-layer loop (Wanda, SparseGPT, the PPL criterion) runs
     * one length many times. One length is kept, so a caller of many lengths (generation, scoring) holds
     * no more than one. Replacing them is safe under autograd: a graph keeps the tables it saved.
     */
    private record Positions(int t, Rope rope, NDArray mask) {}

    private Positions positions;

    private Positions positions(int t) {
        if (positions == null || positions.t() != t) {
            if (positions != null) {
                positions.rope().close();
                positions.mask().close();
            }
            Rope rope = new Rope(manager, t, config.headDim(), config.ropeTheta());
            positions = new Positions(t, rope, causalMask(manager, t));
        }
        return positions;
    }

    private static NDArray causalMask(NDManager m, int t) {
        float[] mask = new float[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                mask[i * t + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return OwnedArrays.of(m, mask, new Shape(t, t));
    }

    private int checkTokens(int[][] tokens) {
        if (tokens.length == 0 || tokens[0].length == 0) {
            throw new IllegalArgumentException("empty input: need at least one sequence of at least one token");
        }
        int t = tokens[0].length;
        if (t > config.maxSequenceLength()) {
            throw new IllegalArgumentException("sequence length " + t + " exceeds the model's maximum "
                    + config.maxSequenceLength() + " (" + config.name() + ")");
        }
        for (int[] row : tokens) {
            if (row.length != t) {
                throw new IllegalArgumentException("sequences in a batch must have equal length: "
                        + row.length + " vs " + t);
            }
            for (int id : row) {
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, "
                            + config.vocabSize() + ")");
                }
            }
        }
        return t;
    }

    private static int[] flatten(int[][] rows) {
        int t = rows[0].length;
        int[] flat = new int[rows.length * t];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * t, t);
        }
        return flat;
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
     * Sets the gradient of every decoder-layer tensor to zero, in place (gradients accumulate
     * across backward passes). Use this rather than {@code GradientCollector.zeroGradients()},
     * which walks every array DJL knows, intermediates included.
     */
    public void zeroGradients() {
        for (LayerWeights lw : layers) {
            for (NDArray w : lw.all().values()) {
                if (!w.hasGradient()) continue;
                try (NDArray g = w.getGradient()) {
                    g.subi(g);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Editing: what the pruning methods need
    // ------------------------------------------------------------------------------------------

    /** Removes the given decoder layers (indices into the current model). */
    public void removeLayers(Set<Integer> indices) {
        for (int i : indices) {
            if (i < 0 || i >= layers.size()) {
                throw new IllegalArgumentException("layer index " + i + " outside [0, " + layers.size() + ")");
            }
        }
        for (int i : new TreeSet<>(indices).descendingSet()) {
            LayerWeights gone = layers.remove(i);
            gone.all().values().forEach(NDArray::close);
        }
        config = config.withLayers(layers.size());
    }

    /**
     * Replaces layer {@code i} with new weights of the same shapes; they are copied into the
     * model's manager and the old ones are freed.
     */
    public void setLayer(int i, LayerWeights weights) {
        for (Map.Entry<String, NDArray> e : weights.all().entrySet()) {
            setTensor(i, e.getKey(), e.getValue());
        }
    }

    /**
     * Replaces one tensor of layer {@code i} (a module name of {@link LayerWeights#ALL}) with a
     * copy of {@code value}, which must have the same shape.
     */
    @Override
    public void setTensor(int i, String module, NDArray value) {
        if (i < 0 || i >= layers.size()) {
            throw new IllegalArgumentException("layer index " + i + " outside [0, " + layers.size() + ")");
        }
        Map<String, NDArray> all = layers.get(i).all();
        NDArray was = all.get(module);
        if (was == null) {
            throw new IllegalArgumentException("unknown layer module '" + module + "'; accepted: "
                    + String.join(", ", LayerWeights.ALL));
        }
        if (!was.getShape().equals(value.getShape())) {
            throw new IllegalArgumentException("layer " + i + " " + module + ": new shape "
                    + value.getShape() + " differs from " + was.getShape());
        }
        NDArray copy;
        try (NDManager tmp = manager.newSubManager()) {
            NDArray moved = value.toDevice(device(), false).toType(was.getDataType(), false);
            moved.tempAttach(tmp);
            copy = moved.duplicate();     // a fresh tensor, sharing no memory with value
            copy.attach(manager);
        }
        copy.setRequiresGradient(trainable);
        all.put(module, copy);
        layers.set(i, LayerWeights.of(all));
        was.close();
    }

    /**
     * Multiplies a linear weight element-wise by a 0/1 mask of the same shape (unstructured or
     * N:M sparsity). The mask may live in any manager.
     */
    public void applyMask(int i, String module, NDArray mask) {
        NDArray w = layers.get(i).all().get(module);
        if (w == null) {
            throw new IllegalArgumentException("unknown module '" + module + "'");
        }
        if (!w.getShape().equals(mask.getShape())) {
            throw new IllegalArgumentException("mask for layer " + i + " " + module + " has shape "
                    + mask.getShape() + ", weight has " + w.getShape());
        }
        try (NDManager tmp = manager.newSubManager()) {
            NDArray masked = w.mul(mask.toType(w.getDataType(), false));
            masked.attach(tmp);
            setTensor(i, module, masked);
        }
    }

    /**
     * Inserts a linear map P (C×C, row-vector convention) on the MLP output of layer {@code i}:
     * the layer then computes {@code h + MLP(h)·P}. It is folded into the down projection at once,
     * {@code W_down ← Pᵀ W_down}, so the model keeps the standard LLaMA structure and saves as one.
     */
    public void insertMlpOutputMap(int i, NDArray p) {
        long c = config.hidden();
        if (!p.getShape().equals(new Shape(c, c))) {
            throw new IllegalArgumentException("map for layer " + i + " must be " + c + "x" + c
                    + ", got " + p.getShape());
        }
        NDArray down = layers.get(i).down();                                  // (C, I)
        try (NDManager tmp = manager.newSubManager()) {
            NDArray pt = p.toType(down.getDataType(), false).transpose();
            pt.attach(tmp);
            NDArray folded = pt.matMul(down);
            folded.attach(tmp);
            setTensor(i, "down_proj", folded);
        }
    }

    /** A deep copy with its own manager on the same device. */
    public LlamaModel copy() {
        return copy(config.name());
    }

    /** A deep copy under a new name (e.g. "SmolLM2 − 6 layers (GradMAP)"). */
    public LlamaModel copy(String newName) {
        NDManager m = NDManager.newBaseManager(device());
        NDArray emb = embedding.duplicate();
        emb.attach(m);
        List<LayerWeights> ls = new ArrayList<>();
        for (LayerWeights w : layers) {
            Map<String, NDArray> c = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : w.all().entrySet()) {
                NDArray d = e.getValue().duplicate();
                d.attach(m);
                c.put(e.getKey(), d);
            }
            ls.add(LayerWeights.of(c));
        }
        NDArray norm = finalNorm.duplicate();
        norm.attach(m);
        NDArray h = null;
        if (head != null) {
            h = head.duplicate();
            h.attach(m);
        }
        return new LlamaModel(config.withName(newName), tokenizer, m, emb, ls, norm, h);
    }

    /** Every tensor back in host memory, named as in {@link TensorNames} (for saving). */
    public Map<String, HostTensor> toTensors() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put(TensorNames.EMBED, host(embedding));
        for (int i = 0; i < layers.size(); i++) {
            for (Map.Entry<String, NDArray> e : layers.get(i).all().entrySet()) {
                out.put(TensorNames.layer(i, e.getKey()), host(e.getValue()));
            }
        }
        out.put(TensorNames.FINAL_NORM, host(finalNorm));
        if (head != null) {
            out.put(TensorNames.HEAD, host(head));
        }
        return out;
    }

    private static HostTensor host(NDArray a) {
        if (a.getDataType() == DataType.FLOAT32) {
            return new HostTensor(a.toFloatArray(), a.getShape().getShape());
        }
        try (NDArray f = a.toType(DataType.FLOAT32, true)) {
            return new HostTensor(f.toFloatArray(), a.getShape().getShape());
        }
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
