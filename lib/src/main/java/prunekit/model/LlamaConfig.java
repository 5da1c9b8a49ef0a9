package prunekit.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shape and hyper-parameters of a LLaMA-family decoder (LLaMA 1/2/3, SmolLM, TinyLlama, llama2.c
 * stories models): pre-norm RMSNorm blocks with rotary attention and a SwiGLU MLP.
 *
 * @param name             human-readable model name, used in result records
 * @param vocabSize        number of token embeddings (rows of the embedding table)
 * @param hidden           residual stream width C (HF {@code hidden_size})
 * @param intermediate     SwiGLU inner width (HF {@code intermediate_size})
 * @param layers           number of decoder layers (HF {@code num_hidden_layers})
 * @param heads            query heads (HF {@code num_attention_heads})
 * @param kvHeads          key/value heads; fewer than {@code heads} means grouped-query attention
 * @param headDim          width of one head; usually {@code hidden / heads}
 * @param ropeTheta        RoPE base frequency (10 000 in LLaMA 1/2; 100 000 in SmolLM2)
 * @param rmsEps           epsilon inside RMSNorm (1e-5 in most checkpoints)
 * @param maxSequenceLength longest context the model was trained for
 * @param tiedEmbeddings   true when the output head reuses the embedding table
 */
public record LlamaConfig(
        String name,
        int vocabSize,
        int hidden,
        int intermediate,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        double ropeTheta,
        double rmsEps,
        int maxSequenceLength,
        boolean tiedEmbeddings) {

    public LlamaConfig {
        require(vocabSize > 0, "vocabSize", vocabSize);
        require(hidden > 0, "hidden", hidden);
        require(intermediate > 0, "intermediate", intermediate);
        require(layers >= 0, "layers", layers);
        require(heads > 0, "heads", heads);
        require(kvHeads > 0 && heads % kvHeads == 0, "kvHeads (must divide heads=" + heads + ")", kvHeads);
        require(headDim > 0 && headDim % 2 == 0, "headDim (must be even for RoPE)", headDim);
        require(ropeTheta > 0, "ropeTheta", ropeTheta);
        require(rmsEps > 0, "rmsEps", rmsEps);
        require(maxSequenceLength > 0, "maxSequenceLength", maxSequenceLength);
    }

    private static void require(boolean ok, String what, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("invalid model config: " + what + " = " + value);
        }
    }

    /** The same model with a different number of layers (after layer removal or merging). */
    public LlamaConfig withLayers(int newLayers) {
        return new LlamaConfig(name, vocabSize, hidden, intermediate, newLayers, heads, kvHeads,
                headDim, ropeTheta, rmsEps, maxSequenceLength, tiedEmbeddings);
    }

    /**
     * The same model with fewer attention heads or a narrower MLP, every layer alike (after
     * structured width pruning): {@code headDim} stays, so {@code heads * headDim} may then differ
     * from {@code hidden}, as Hugging Face's {@code head_dim} allows.
     */
    public LlamaConfig withWidth(int newHeads, int newKvHeads, int newIntermediate) {
        return new LlamaConfig(name, vocabSize, hidden, newIntermediate, layers, newHeads, newKvHeads,
                headDim, ropeTheta, rmsEps, maxSequenceLength, tiedEmbeddings);
    }

    /** The same model under another name. */
    public LlamaConfig withName(String newName) {
        return new LlamaConfig(newName, vocabSize, hidden, intermediate, layers, heads, kvHeads,
                headDim, ropeTheta, rmsEps, maxSequenceLength, tiedEmbeddings);
    }

    /**
     * The shape of every tensor of the model, named as in {@link TensorNames}, in checkpoint order:
     * embedding, each layer's nine tensors ({@link LayerWeights#ALL}), final norm, untied head.
     * Linear weights are (out, in).
     */
    public Map<String, long[]> tensorShapes() {
        long q = (long) heads * headDim;
        long kv = (long) kvHeads * headDim;
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put(TensorNames.EMBED, new long[] {vocabSize, hidden});
        for (int l = 0; l < layers; l++) {
            s.put(TensorNames.layer(l, "input_layernorm"), new long[] {hidden});
            s.put(TensorNames.layer(l, "q_proj"), new long[] {q, hidden});
            s.put(TensorNames.layer(l, "k_proj"), new long[] {kv, hidden});
            s.put(TensorNames.layer(l, "v_proj"), new long[] {kv, hidden});
            s.put(TensorNames.layer(l, "o_proj"), new long[] {hidden, q});
            s.put(TensorNames.layer(l, "post_attention_layernorm"), new long[] {hidden});
            s.put(TensorNames.layer(l, "gate_proj"), new long[] {intermediate, hidden});
            s.put(TensorNames.layer(l, "up_proj"), new long[] {intermediate, hidden});
            s.put(TensorNames.layer(l, "down_proj"), new long[] {hidden, intermediate});
        }
        s.put(TensorNames.FINAL_NORM, new long[] {hidden});
        if (!tiedEmbeddings) {
            s.put(TensorNames.HEAD, new long[] {vocabSize, hidden});
        }
        return s;
    }

    /** Number of query heads that share one key/value head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    /** Parameters of the whole model (embedding, layers, final norm, untied head). */
    public long parameterCount() {
        long embed = (long) vocabSize * hidden;
        return embed + layers * parametersPerLayer() + hidden + (tiedEmbeddings ? 0 : embed);
    }

    /** Parameters of one decoder layer: attention, MLP and the two norms. */
    public long parametersPerLayer() {
        long attn = (long) hidden * heads * headDim * 2 + (long) hidden * kvHeads * headDim * 2;
        long mlp = 3L * hidden * intermediate;
        return attn + mlp + 2L * hidden;
    }
}
