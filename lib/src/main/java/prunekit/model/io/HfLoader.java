package prunekit.model.io;

import ai.djl.Device;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.model.HfTokenizer;
import prunekit.model.HostTensor;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.model.TensorNames;

/**
 * Loads a Hugging Face LLaMA-family checkpoint directory: {@code config.json}, one or more
 * {@code *.safetensors} files and {@code tokenizer.json}. Hugging Face stores q/k rows for
 * rotate-half RoPE; they are permuted to prunekit's adjacent-pair layout here.
 */
public final class HfLoader {

    private HfLoader() {}

    public static LlamaModel load(Path dir, Device device) throws IOException {
        JsonObject cfg = readJson(dir.resolve("config.json"));
        LlamaConfig config = config(dir, cfg);
        Map<String, Safetensors.Entry> entries = entries(dir);
        Map<String, Integer> ropeHeads = new HashMap<>();                   // q/k weights and their head counts
        for (int l = 0; l < config.layers(); l++) {
            ropeHeads.put(TensorNames.layer(l, "q_proj"), config.heads());
            ropeHeads.put(TensorNames.layer(l, "k_proj"), config.kvHeads());
        }
        // one tensor read at a time, while the model is built
        ModelTensors.TensorSource tensors = name -> {
            Safetensors.Entry e = entries.get(name);
            if (e == null) {
                return null;
            }
            HostTensor t = e.read();
            Integer heads = ropeHeads.get(name);
            return heads == null || t.shape().length != 2 ? t : t.permuteRope(heads, true);
        };
        return ModelTensors.fromSource(config, tensors, tokenizer(dir, cfg, config), device, dir.toString());
    }

    /** Every tensor of the directory's {@code *.safetensors} files (sorted by file name), by name; no data read. */
    static Map<String, Safetensors.Entry> entries(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.safetensors")) {
            ds.forEach(files::add);
        }
        if (files.isEmpty()) {
            throw new IOException(dir + ": no *.safetensors file (PyTorch .bin checkpoints are not supported; "
                    + "convert with transformers' save_pretrained(safe_serialization=True))");
        }
        files.sort(null);
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
        for (Path f : files) {
            out.putAll(Safetensors.entries(f));
        }
        return out;
    }

    /** The directory's tokenizer.json, with the config's BOS/EOS ids. */
    static HfTokenizer tokenizer(Path dir, JsonObject cfg, LlamaConfig config) throws IOException {
        Path tokFile = dir.resolve("tokenizer.json");
        if (!Files.exists(tokFile)) {
            throw new IOException(dir + ": tokenizer.json is missing (a fast tokenizer file is required)");
        }
        HfTokenizer tokenizer = HfTokenizer.fromJson(Files.readString(tokFile),
                tokenId(cfg, "bos_token_id"), tokenId(cfg, "eos_token_id"), config.vocabSize(), tokFile.toString());
        // a BOS counts only if the checkpoint's own tokenizer puts it at the start of a sequence
        return tokenizer.withBos(tokenizer.addsBos(tokenizer.bosId()) ? tokenizer.bosId() : -1);
    }

    static LlamaConfig config(Path dir, JsonObject c) throws IOException {
        String type = c.has("model_type") ? c.get("model_type").getAsString() : "(missing)";
        if (!type.equals("llama")) {
            throw new IOException(dir.resolve("config.json") + ": model_type " + type
                    + " is not supported (accepted: llama)");
        }
        for (String flag : new String[] {"attention_bias", "mlp_bias"}) {
            if (c.has(flag) && c.get(flag).getAsBoolean()) {
                throw new IOException(dir.resolve("config.json") + ": " + flag + "=true is not supported");
            }
        }
        if (c.has("rope_scaling") && !c.get("rope_scaling").isJsonNull()) {
            throw new IOException(dir.resolve("config.json") + ": rope_scaling " + c.get("rope_scaling")
                    + " is not supported (accepted: null)");
        }
        int hidden = integer(dir, c, "hidden_size");
        int heads = integer(dir, c, "num_attention_heads");
        return new LlamaConfig(
                dir.getFileName().toString(),
                integer(dir, c, "vocab_size"),
                hidden,
                integer(dir, c, "intermediate_size"),
                integer(dir, c, "num_hidden_layers"),
                heads,
                c.has("num_key_value_heads") ? c.get("num_key_value_heads").getAsInt() : heads,
                c.has("head_dim") && !c.get("head_dim").isJsonNull() ? c.get("head_dim").getAsInt() : hidden / heads,
                c.has("rope_theta") ? c.get("rope_theta").getAsDouble() : 10000.0,
                c.has("rms_norm_eps") ? c.get("rms_norm_eps").getAsDouble() : 1e-6,
                c.has("max_position_embeddings") ? c.get("max_position_embeddings").getAsInt() : 2048,
                !c.has("tie_word_embeddings") || c.get("tie_word_embeddings").getAsBoolean());
    }

    private static int integer(Path dir, JsonObject c, String key) throws IOException {
        if (!c.has(key) || c.get(key).isJsonNull()) {
            throw new IOException(dir.resolve("config.json") + ": " + key + " is missing");
        }
        return c.get(key).getAsInt();
    }

    private static int tokenId(JsonObject c, String key) {
        JsonElement e = c.get(key);
        if (e == null || e.isJsonNull()) {
            return -1;
        }
        return e.isJsonArray() ? e.getAsJsonArray().get(0).getAsInt() : e.getAsInt();
    }

    static JsonObject readJson(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException(file + ": not found (a Hugging Face model directory needs config.json, "
                    + "*.safetensors and tokenizer.json)");
        }
        try {
            return new Gson().fromJson(Files.readString(file), JsonObject.class);
        } catch (JsonParseException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage());
        }
    }
}
