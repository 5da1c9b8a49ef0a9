package prunekit.model;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights of one decoder layer. Linear weights are stored as {@code (out, in)}, so a linear
 * layer computes {@code y = x W^T}; q and k rows are in the adjacent-pair RoPE layout.
 *
 * @param attnNorm RMSNorm gain before attention, (C)
 * @param q        query projection, (heads*headDim, C)
 * @param k        key projection, (kvHeads*headDim, C)
 * @param v        value projection, (kvHeads*headDim, C)
 * @param o        attention output projection, (C, heads*headDim)
 * @param mlpNorm  RMSNorm gain before the MLP, (C)
 * @param gate     SwiGLU gate projection, (I, C)
 * @param up       SwiGLU up projection, (I, C)
 * @param down     SwiGLU down projection, (C, I)
 */
public record LayerWeights(
        NDArray attnNorm, NDArray q, NDArray k, NDArray v, NDArray o,
        NDArray mlpNorm, NDArray gate, NDArray up, NDArray down) {

    /** Names of the seven linear modules, in Hugging Face spelling and forward order. */
    public static final String[] LINEARS = {
        "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};

    /** Names of all nine tensors: the two norms and the seven linears. */
    public static final String[] ALL = {
        "input_layernorm", "q_proj", "k_proj", "v_proj", "o_proj",
        "post_attention_layernorm", "gate_proj", "up_proj", "down_proj"};

    /** The seven linear weights by module name, in forward order. */
    public Map<String, NDArray> linears() {
        Map<String, NDArray> m = all();
        m.remove("input_layernorm");
        m.remove("post_attention_layernorm");
        return m;
    }

    /** All nine tensors by name (norms included), in forward order. */
    public Map<String, NDArray> all() {
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("input_layernorm", attnNorm);
        m.put("q_proj", q);
        m.put("k_proj", k);
        m.put("v_proj", v);
        m.put("o_proj", o);
        m.put("post_attention_layernorm", mlpNorm);
        m.put("gate_proj", gate);
        m.put("up_proj", up);
        m.put("down_proj", down);
        return m;
    }

    /** Builds a layer from tensors named as in {@link #ALL}. */
    public static LayerWeights of(Map<String, NDArray> t) {
        return new LayerWeights(t.get("input_layernorm"), t.get("q_proj"), t.get("k_proj"),
                t.get("v_proj"), t.get("o_proj"), t.get("post_attention_layernorm"),
                t.get("gate_proj"), t.get("up_proj"), t.get("down_proj"));
    }
}
