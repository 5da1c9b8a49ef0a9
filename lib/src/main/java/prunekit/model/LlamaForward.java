package prunekit.model;

import static prunekit.model.Trace.Output.ACTIVATION_PROBES;
import static prunekit.model.Trace.Output.HIDDEN_STATES;
import static prunekit.model.Trace.Output.LINEAR_INPUTS;
import static prunekit.model.Trace.Output.LOGITS;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The forward pass of a LLaMA decoder (Touvron et al., "LLaMA", arXiv 2302.13971, §2.2): token
 * embedding, L pre-norm blocks, a final RMSNorm and the output head. Block l maps the residual
 * stream x to
 * <pre>
 *   h   = x + Attention(RMSNorm(x))     causal, grouped-query, RoPE on queries and keys
 *   out = h + MLP(RMSNorm(h))           SwiGLU: W_down (silu(W_gate m) ⊙ W_up m)
 * </pre>
 * Shapes: B sequences, T tokens, C hidden, H query heads, K key/value heads, D head dim, I MLP
 * width, V vocabulary. Linear weights are (out, in): a linear module computes x Wᵀ.
 *
 * <p>Memory: every intermediate is closed as soon as its last use has run, views included (a view
 * keeps its base's storage alive). libtorch then hands the same memory to the next operator while it
 * is still in cache, as PyTorch does when Python drops a tensor; keeping a layer's intermediates until
 * the layer's manager closes made the forward pass 2-4 % slower (docs/performance.md). Closing a
 * handle is safe under autograd: the graph holds tensors it saved by reference. A block's input x,
 * and whatever is recorded in {@code inputs}, belong to the caller and stay open.
 *
 * <p>On a GPU, the projections that share an input (q, k, v; gate, up) are one product when a pass has at
 * least {@link #FUSED_MIN_ROWS} rows: see {@link #project}.
 */
final class LlamaForward {

    /**
     * The fewest rows (B·T) for which a GPU pass joins the projections that share an input: 2,048, the size at which
     * joining them was measured to pay (docs/performance.md). Below it, passes are bound by the host's calls rather
     * than the GPU's products, and generation's few rows would copy every weight for a product that reads each once.
     */
    static final long FUSED_MIN_ROWS = 2048;

    private final LlamaModel model;
    private final ForwardConstants constants;
    private final boolean fuse;                  // join the projections of passes of at least FUSED_MIN_ROWS rows

    LlamaForward(LlamaModel model) {
        this(model, model.embedding().getDevice().isGpu());
    }

    /** With {@code fuse}, projections are joined as on a GPU whatever the device (a test compares both ways). */
    LlamaForward(LlamaModel model, boolean fuse) {
        this.model = model;
        this.constants = new ForwardConstants(model.manager(), model.config(), model.embedding());
        this.fuse = fuse;
    }

    ForwardResult forward(NDManager step, int[][] tokens, Trace trace) {
        return forward(step, tokens, trace, null);
    }

    /** {@link #forward(NDManager, int[][], Trace)} with {@code adapter}'s additions to every linear module (null: none). */
    ForwardResult forward(NDManager step, int[][] tokens, Trace trace, LinearAdapter adapter) {
        List<NDArray> hidden = new ArrayList<>();
        Map<String, NDArray> inputs = new LinkedHashMap<>();
        List<NDArray> probes = new ArrayList<>();
        // 1. token embeddings                                                  (B, T, C)
        NDArray x = embed(step, tokens);
        if (trace.has(HIDDEN_STATES)) hidden.add(x);
        // 2. the decoder blocks in order, each adding to the residual stream    (B, T, C)
        List<LayerWeights> layers = model.layers();
        for (int l = 0; l < layers.size(); l++) {
            x = layer(step, l, layers.get(l), x, trace.has(LINEAR_INPUTS) ? inputs : null, adapter);
            if (trace.has(ACTIVATION_PROBES)) {
                NDArray probe = step.zeros(x.getShape(), x.getDataType());    // a leaf: dLoss/dh lands here
                probe.setRequiresGradient(true);
                probes.add(probe);
                x = x.add(probe);
            }
            if (trace.has(HIDDEN_STATES)) hidden.add(x);
        }
        // 3. final RMSNorm and the output head                                 (B, T, C) → (B, T, V)
        NDArray normed = rmsNorm(x, model.finalNorm());
        NDArray logits = trace.has(LOGITS) ? logits(normed) : null;
        return new ForwardResult(logits, normed, hidden, inputs, probes);
    }

    /**
     * A pass over B sequences of T new tokens that follow the {@code cache.length()} tokens already in
     * {@code cache}: the new tokens sit at positions P..P+T-1, attend to the cached keys and values and
     * to each other causally, and their keys and values are appended to the cache. Logits of the new
     * positions only; the same values as a full pass over the whole sequence, up to float rounding.
     */
    ForwardResult forward(NDManager step, int[][] tokens, KvCache cache, Trace trace) {
        int t = TokenBatch.check(tokens, model.config());
        int past = cache.length();
        if (cache.batch() != 0 && cache.batch() != tokens.length) {
            throw new IllegalArgumentException(tokens.length + " sequences for a cache of " + cache.batch());
        }
        if (past + t > model.config().maxSequenceLength()) {
            throw new IllegalArgumentException(past + " cached + " + t + " new tokens exceed the maximum sequence length "
                    + model.config().maxSequenceLength());
        }
        // 1. RoPE tables of positions past..past+t-1; query i sees keys 0..past+i  (G·t, past + t)
        LlamaConfig c = model.config();
        Rope rope = new Rope(step, past, past + t, c.headDim(), c.ropeTheta(), model.embedding().getDataType());
        NDArray mask = t == 1 ? null : ForwardConstants.causalMask(step, t, past, c.groupSize());
        ForwardConstants.Positions positions = new ForwardConstants.Positions(t, rope, mask);
        // 2. embeddings, then every block with its cache slot
        NDArray x = embed(step, tokens);
        List<LayerWeights> layers = model.layers();
        for (int l = 0; l < layers.size(); l++) {
            try (NDManager lm = step.newSubManager()) {
                x.tempAttach(lm);
                NDArray out = block(l, layers.get(l), x, positions, null, step, cache, null);
                out.attach(step);
                x = out;
            }
        }
        cache.advance(t);
        // 3. final RMSNorm and (if traced) the head on the new positions          (B, T, V)
        NDArray normed = rmsNorm(x, model.finalNorm());
        return new ForwardResult(trace.has(LOGITS) ? logits(normed) : null, normed, List.of(), Map.of(), List.of());
    }

    /** Rows of the embedding table for B sequences of T ids: (B, T, C) in {@code step}. */
    NDArray embed(NDManager step, int[][] tokens) {
        int t = TokenBatch.check(tokens, model.config());
        NDArray ids = OwnedArrays.of(step, TokenBatch.flatten(tokens), new Shape(tokens.length, t));  // (B, T)
        NDArray x = model.embedding().get(new NDIndex("{}", ids));          // (B, T, C)
        x.attach(step);
        return x;
    }

    /** Decoder block l with weights w on x (B, T, C), its intermediates in a sub-manager freed at once. */
    NDArray layer(NDManager step, int l, LayerWeights w, NDArray x, Map<String, NDArray> inputs) {
        return layer(step, l, w, x, inputs, null);
    }

    private NDArray layer(NDManager step, int l, LayerWeights w, NDArray x, Map<String, NDArray> inputs,
            LinearAdapter adapter) {
        ForwardConstants.Positions positions = constants.positions(Math.toIntExact(x.getShape().get(1)));
        try (NDManager lm = step.newSubManager()) {
            x.tempAttach(lm);                       // intermediates land in lm and are freed with it
            NDArray out = block(l, w, x, positions, inputs, step, null, adapter);
            out.attach(step);
            return out;
        }
    }

    /** A stack of blocks on a residual stream, then the final RMSNorm: (B, T, C) in {@code step}. */
    NDArray layers(NDManager step, NDArray hidden, List<LayerWeights> stack) {
        return runStack(step, hidden, stack, -1, null);
    }

    /**
     * Layers {@code first}..L-1 of this model on the stream entering layer {@code first}, with {@code adapter}'s
     * additions (null: none), then the final RMSNorm: (B, T, C) in {@code step}.
     */
    NDArray layersFrom(NDManager step, int first, NDArray hidden, LinearAdapter adapter) {
        List<LayerWeights> layers = model.layers();
        return runStack(step, hidden, layers.subList(first, layers.size()), first, adapter);
    }

    /**
     * {@code stack} on {@code hidden}, then the final RMSNorm: (B, T, C) in {@code step}. The blocks are this
     * model's layers from index {@code first} on (the adapter sees those indices), or other weights ({@code first}
     * = -1: no index, no adapter).
     */
    private NDArray runStack(NDManager step, NDArray hidden, List<LayerWeights> stack, int first, LinearAdapter adapter) {
        NDArray x = hidden;
        for (int i = 0; i < stack.size(); i++) {
            x = layer(step, first < 0 ? -1 : first + i, stack.get(i), x, null, adapter);
        }
        NDArray normed = rmsNorm(x, model.finalNorm());                     // (B, T, C)
        normed.attach(step);                                                // an empty stack: not hidden's manager
        return normed;
    }

    /** The output head: (B, T, C) → (B, T, V) logits. */
    NDArray logits(NDArray normed) {
        return linear(normed, model.head());
    }

    /**
     * One pre-norm decoder block: attention, then the MLP, each added to the residual stream. With a
     * cache, the attention also sees (and extends) layer l's cached keys and values.
     */
    private NDArray block(int l, LayerWeights w, NDArray x, ForwardConstants.Positions positions,
            Map<String, NDArray> inputs, NDManager keep, KvCache cache, LinearAdapter adapter) {
        // 1. h = x + Attention(RMSNorm(x))                                     (B, T, C)
        NDArray a = rmsNorm(x, w.attnNorm());
        NDArray attn = attention(l, a, w, positions, inputs, keep, cache, adapter);
        if (inputs == null) close(a);
        NDArray h = x.add(attn);
        close(attn);
        // 2. out = h + MLP(RMSNorm(h))                                         (B, T, C)
        NDArray m = rmsNorm(h, w.mlpNorm());
        NDArray mlp = mlp(l, m, w, inputs, keep, adapter);
        if (inputs == null) close(m);
        NDArray out = h.add(mlp);
        close(mlp, h);
        return out;
    }

    /** RMSNorm (Zhang and Sennrich, arXiv 1910.07467): x / sqrt(mean(x²) + ε) · g, over the last axis. */
    private NDArray rmsNorm(NDArray x, NDArray gain) {
        NDArray squares = x.square();
        NDArray ms = squares.mean(new int[] {-1}, true);                    // (B, T, 1)
        NDArray inv = ms.add(constants.eps()).pow(constants.minusHalf());
        NDArray normed = x.mul(inv);
        NDArray out = normed.mul(gain);                                     // (B, T, C)
        close(squares, normed);                            // the (B, T, C) ones; ms and inv are (B, T, 1)
        return out;
    }

    /**
     * Causal self-attention with rotary position embeddings ({@link Rope}) and grouped-query heads
     * (Ainslie et al., arXiv 2305.13245): each of the K key/value heads serves H/K query heads.
     */
    private NDArray attention(int l, NDArray a, LayerWeights w, ForwardConstants.Positions positions,
            Map<String, NDArray> inputs, NDManager keep, KvCache cache, LinearAdapter adapter) {
        LlamaConfig c = model.config();
        long b = a.getShape().get(0);
        long t = a.getShape().get(1);
        int nh = c.heads();
        int nkv = c.kvHeads();
        int d = c.headDim();
        Rope rope = positions.rope();
        // 1. project, split into heads, rotate q and k (q also scaled by 1/√D)  (B, H, T, D)
        NDArray[] qkv = project(l, a, adapter, QKV, w.q(), w.k(), w.v());
        NDArray q = heads(rope.applyToQueries(headsView(qkv[0], b, t, nh, d)));
        NDArray kNew = heads(rope.apply(headsView(qkv[1], b, t, nkv, d)));   // (B, K, T, D)
        NDArray vNew = heads(headsView(qkv[2], b, t, nkv, d));
        if (cache != null) {                                    // the cached tokens' keys and values first
            NDArray[] kv = cache.append(l, kNew, vNew);         // (B, K, P + T, D)
            close(kNew, vNew);
            kNew = kv[0];
            vNew = kv[1];
        }
        // 2. scores q·kᵀ/√D, causal mask, softmax over the keys. The G = H/K query heads that share a
        //    key/value head are one block of G·T rows against its P + T keys: the keys and values are
        //    used as they are, never repeated G times                        (B, K, G·T, P + T)
        NDArray grouped = q.reshape(b, nkv, (long) c.groupSize() * t, d);   // query head h = kv·G + j
        close(q);
        NDArray kT = kNew.transpose(0, 1, 3, 2);
        NDArray scores = grouped.matMul(kT);
        close(kT, kNew, grouped);
        NDArray masked = positions.mask() == null ? scores : scores.add(positions.mask());
        if (masked != scores) close(scores);
        NDArray probs = masked.softmax(-1);
        close(masked);
        // 3. weighted sum of the values, heads joined again                    (B, T, H·D)
        NDArray perGroup = probs.matMul(vNew);                              // (B, K, G·T, D)
        close(probs, vNew);
        NDArray perHead = perGroup.reshape(b, nh, t, d);                    // (B, H, T, D)
        close(perGroup);
        NDArray perToken = heads(perHead);                                  // (B, T, H, D)
        NDArray ctx = perToken.reshape(b, t, (long) nh * d);
        close(perToken);
        if (inputs != null) {
            record(inputs, keep, l, a, "q_proj", "k_proj", "v_proj");
            record(inputs, keep, l, ctx, "o_proj");
        }
        // 4. output projection                                                 (B, T, C)
        NDArray out = linear(l, "o_proj", ctx, w.o(), adapter);
        if (inputs == null) close(ctx);
        return out;
    }

    /** The SwiGLU MLP (Shazeer, arXiv 2002.05202): W_down (silu(W_gate m) ⊙ W_up m). */
    private NDArray mlp(int l, NDArray m, LayerWeights w, Map<String, NDArray> inputs, NDManager keep,
            LinearAdapter adapter) {
        NDArray[] gateUp = project(l, m, adapter, GATE_UP, w.gate(), w.up());
        NDArray gate = gateUp[0];                                           // (B, T, I)
        NDArray up = gateUp[1];                                             // (B, T, I)
        NDArray sigmoid = Activation.sigmoid(gate);
        NDArray silu = gate.mul(sigmoid);                                   // silu(g) = g·σ(g)
        close(sigmoid, gate);
        NDArray act = silu.mul(up);                                         // (B, T, I)
        close(silu, up);
        if (inputs != null) {
            record(inputs, keep, l, m, "gate_proj", "up_proj");
            record(inputs, keep, l, act, "down_proj");
        }
        NDArray down = linear(l, "down_proj", act, w.down(), adapter);      // (B, T, C)
        if (inputs == null) close(act);
        return down;
    }

    private static final String[] QKV = {"q_proj", "k_proj", "v_proj"};
    private static final String[] GATE_UP = {"gate_proj", "up_proj"};

    /**
     * Modules {@code modules} of layer l on their shared input x (B, T, C): x W₁ᵀ, x W₂ᵀ, ... each (B, T, outᵢ).
     * On a GPU, for a pass of at least {@link #FUSED_MIN_ROWS} rows and without an adapter, one product with the
     * weights joined, x [W₁; W₂; ...]ᵀ, split along its last axis: one GEMM of (C, Σ outᵢ) in place of several
     * narrower ones (k and v are 192 wide for SmolLM2). The weights are joined anew in every pass, a copy of
     * them, so that each keeps its own gradient (autograd splits the joined weight's gradient back). With an
     * adapter the products stay apart: its additions go into each product in place, which a split's views refuse.
     */
    private NDArray[] project(int l, NDArray x, LinearAdapter adapter, String[] modules, NDArray... weights) {
        NDArray[] out = new NDArray[weights.length];
        Shape shape = x.getShape();
        if (!fuse || adapter != null || shape.size() / shape.get(shape.dimension() - 1) < FUSED_MIN_ROWS) {  // rows B·T
            for (int i = 0; i < weights.length; i++) {
                out[i] = linear(l, modules[i], x, weights[i], adapter);
            }
            return out;
        }
        long[] bounds = new long[weights.length - 1];                      // where each product's columns end
        long end = 0;
        for (int i = 0; i < bounds.length; i++) {
            end += weights[i].getShape().get(0);
            bounds[i] = end;
        }
        NDArray joined = NDArrays.concat(new NDList(weights), 0);           // (Σ outᵢ, C)
        NDArray y = linear(x, joined);                                      // (B, T, Σ outᵢ)
        NDList parts = y.split(bounds, y.getShape().dimension() - 1);
        close(joined, y);
        return parts.toArray(out);
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

    private static NDArray linear(NDArray x, NDArray weight) {
        return Linear.linear(x, weight).get(0);                             // x Wᵀ
    }

    /** Module {@code module} of layer l: x Wᵀ, plus the adapter's addition when there is one. */
    private static NDArray linear(int l, String module, NDArray x, NDArray weight, LinearAdapter adapter) {
        NDArray y = linear(x, weight);
        NDArray delta = adapter == null ? null : adapter.delta(l, module, x);
        if (delta == null) return y;
        y.addi(delta);                          // in place: no product's backward needs y, and no new (B, T, out) block
        close(delta);
        return y;
    }

    /** Keeps {@code a} (in {@code keep}) as the input of the given modules of layer l. */
    private static void record(Map<String, NDArray> inputs, NDManager keep, int l, NDArray a, String... modules) {
        a.attach(keep);
        for (String m : modules) {
            inputs.put(TensorNames.key(l, m), a);
        }
    }

    private static void close(NDArray... intermediates) {
        for (NDArray a : intermediates) {
            a.close();
        }
    }
}
