package prunekit.model;

/**
 * Canonical tensor names: Hugging Face's LLaMA names, which every loader maps onto and the saver
 * writes. (Inside prunekit q/k rows use the adjacent-pair RoPE layout; see {@link HostTensor#permuteRope}.)
 */
public final class TensorNames {

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String HEAD = "lm_head.weight";

    private TensorNames() {}

    /** Full name of a layer tensor, {@code module} as in {@link LayerWeights#ALL}. */
    public static String layer(int i, String module) {
        String prefix = "model.layers." + i + ".";
        switch (module) {
            case "input_layernorm":
            case "post_attention_layernorm":
                return prefix + module + ".weight";
            case "q_proj":
            case "k_proj":
            case "v_proj":
            case "o_proj":
                return prefix + "self_attn." + module + ".weight";
            case "gate_proj":
            case "up_proj":
            case "down_proj":
                return prefix + "mlp." + module + ".weight";
            default:
                throw new IllegalArgumentException("unknown layer module '" + module
                        + "'; accepted: " + String.join(", ", LayerWeights.ALL));
        }
    }

    /** Short key used by statistics and masks: {@code layers.{i}.{module}}. */
    public static String key(int i, String module) {
        return "layers." + i + "." + module;
    }
}
