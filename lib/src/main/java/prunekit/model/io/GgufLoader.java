package prunekit.model.io;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import prunekit.model.HfTokenizer;
import prunekit.model.HostTensor;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.model.TensorNames;

/**
 * Loads a GGUF checkpoint of the {@code llama} architecture (as llama.cpp converts LLaMA, SmolLM,
 * TinyLlama...): config from the {@code llama.*} metadata, weights dequantised to float32, and the
 * tokenizer rebuilt from {@code tokenizer.ggml.*}. GGUF stores q/k rows for adjacent-pair RoPE,
 * which is prunekit's own layout, so no permutation is needed.
 */
public final class GgufLoader {

    private static final Map<String, String> LAYER_TENSORS = Map.of(
            "attn_norm", "input_layernorm",
            "attn_q", "q_proj",
            "attn_k", "k_proj",
            "attn_v", "v_proj",
            "attn_output", "o_proj",
            "ffn_norm", "post_attention_layernorm",
            "ffn_gate", "gate_proj",
            "ffn_up", "up_proj",
            "ffn_down", "down_proj");

    private GgufLoader() {}

    public static LlamaModel load(Path file, Device device) throws IOException {
        GgufFile gguf = GgufFile.open(file);
        String arch = (String) gguf.meta("general.architecture");
        if (!"llama".equals(arch)) {
            throw new IOException(file + ": general.architecture = " + arch + " is not supported (accepted: llama)");
        }
        LlamaConfig config = config(gguf);
        Map<String, GgufFile.TensorInfo> infos = new HashMap<>();           // by canonical name; names checked first
        for (GgufFile.TensorInfo t : gguf.tensors().values()) {
            String name = canonicalName(file, t.name());
            if (name != null) {
                infos.put(name, t);
            }
        }
        List<?> tokens = (List<?>) gguf.meta("tokenizer.ggml.tokens");
        boolean addBos = (Boolean) gguf.meta("tokenizer.ggml.add_bos_token", true);
        HfTokenizer tokenizer = HfTokenizer.fromJson(GgufTokenizerJson.build(gguf),
                addBos ? intMeta(gguf, "tokenizer.ggml.bos_token_id", -1) : -1,
                intMeta(gguf, "tokenizer.ggml.eos_token_id", -1),
                tokens.size(), file.toString());
        // dequantized one tensor at a time, while the model is built
        ModelTensors.TensorSource tensors = name -> {
            GgufFile.TensorInfo t = infos.get(name);
            return t == null ? null : new HostTensor(gguf.read(t), t.shape());
        };
        return ModelTensors.fromSource(config, tensors, tokenizer, device, file.toString());
    }

    static LlamaConfig config(GgufFile gguf) throws IOException {
        int hidden = intMeta(gguf, "llama.embedding_length");
        int heads = intMeta(gguf, "llama.attention.head_count");
        int headDim = intMeta(gguf, "llama.attention.key_length", hidden / heads);
        List<?> tokens = (List<?>) gguf.meta("tokenizer.ggml.tokens");
        String name = (String) gguf.meta("general.name", gguf.path().getFileName().toString());
        return new LlamaConfig(
                name,
                intMeta(gguf, "llama.vocab_size", tokens.size()),
                hidden,
                intMeta(gguf, "llama.feed_forward_length"),
                intMeta(gguf, "llama.block_count"),
                heads,
                intMeta(gguf, "llama.attention.head_count_kv", heads),
                headDim,
                ((Number) gguf.meta("llama.rope.freq_base", 10000.0f)).doubleValue(),
                ((Number) gguf.meta("llama.attention.layer_norm_rms_epsilon", 1e-5f)).doubleValue(),
                intMeta(gguf, "llama.context_length"),
                !gguf.tensors().containsKey("output.weight"));
    }

    /** GGUF tensor name to prunekit's canonical name; null for tensors prunekit does not use. */
    private static String canonicalName(Path file, String gguf) throws IOException {
        switch (gguf) {
            case "token_embd.weight": return TensorNames.EMBED;
            case "output_norm.weight": return TensorNames.FINAL_NORM;
            case "output.weight": return TensorNames.HEAD;
            case "rope_freqs.weight": return null;
            default:
        }
        String[] parts = gguf.split("\\.");
        if (parts.length == 4 && parts[0].equals("blk") && parts[3].equals("weight")
                && LAYER_TENSORS.containsKey(parts[2])) {
            return TensorNames.layer(Integer.parseInt(parts[1]), LAYER_TENSORS.get(parts[2]));
        }
        throw new IOException(file + ": unexpected tensor " + gguf + " for a llama model (biases, MoE "
                + "experts and other architectures are not supported)");
    }

    private static int intMeta(GgufFile gguf, String key) throws IOException {
        return ((Number) gguf.meta(key)).intValue();
    }

    private static int intMeta(GgufFile gguf, String key, int fallback) {
        return ((Number) gguf.meta(key, fallback)).intValue();
    }
}
