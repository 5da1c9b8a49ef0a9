package prunekit.model.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.model.HfTokenizer;
import prunekit.model.HostTensor;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.model.TensorNames;
import prunekit.model.Tokenizer;

/**
 * Saves a model, edited or not, as a Hugging Face directory ({@code config.json},
 * {@code model.safetensors} in float32, {@code tokenizer.json}, {@code tokenizer_config.json})
 * that {@link HfLoader} and Hugging Face transformers both open. q/k rows are permuted back to
 * rotate-half RoPE.
 */
public final class HfSaver {

    private HfSaver() {}

    /**
     * The "prunekit" notes of a directory this class saved ({@code name}, {@code method}, ...), in
     * file order; empty for anything else (a Hugging Face download, a GGUF or llama2.c file, a name).
     */
    public static Map<String, String> provenance(Path modelPath) {
        Path cfg = modelPath.resolve("config.json");
        if (!Files.isDirectory(modelPath) || !Files.isRegularFile(cfg)) return Map.of();
        try {
            JsonObject root = com.google.gson.JsonParser.parseString(Files.readString(cfg)).getAsJsonObject();
            if (!root.has("prunekit") || !root.get("prunekit").isJsonObject()) return Map.of();
            Map<String, String> out = new LinkedHashMap<>();
            root.getAsJsonObject("prunekit").entrySet().forEach(e -> out.put(e.getKey(),
                    e.getValue().isJsonPrimitive() ? e.getValue().getAsString() : e.getValue().toString()));
            return out;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(cfg + ": unreadable config.json (" + e.getMessage() + ")", e);
        }
    }

    /**
     * @param provenance free-form notes stored in config.json under "prunekit" (method, settings)
     */
    public static void save(LlamaModel model, Path dir, Map<String, String> provenance) throws IOException {
        Files.createDirectories(dir);
        LlamaConfig c = model.config();
        Tokenizer tok = model.tokenizer();
        Map<String, HostTensor> tensors = new LinkedHashMap<>(ModelTensors.toHost(model));
        for (int l = 0; l < c.layers(); l++) {
            String q = TensorNames.layer(l, "q_proj");
            String k = TensorNames.layer(l, "k_proj");
            tensors.put(q, tensors.get(q).permuteRope(c.heads(), false));
            tensors.put(k, tensors.get(k).permuteRope(c.kvHeads(), false));
        }
        Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        writeMetadata(c, tok, dir, provenance);
    }

    /**
     * config.json (with the provenance notes), tokenizer.json and tokenizer_config.json of a saved
     * model: everything but the weights.
     */
    static void writeMetadata(LlamaConfig c, Tokenizer tok, Path dir, Map<String, String> provenance)
            throws IOException {
        JsonObject cfg = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add("LlamaForCausalLM");
        cfg.add("architectures", arch);
        cfg.addProperty("model_type", "llama");
        cfg.addProperty("vocab_size", c.vocabSize());
        cfg.addProperty("hidden_size", c.hidden());
        cfg.addProperty("intermediate_size", c.intermediate());
        cfg.addProperty("num_hidden_layers", c.layers());
        cfg.addProperty("num_attention_heads", c.heads());
        cfg.addProperty("num_key_value_heads", c.kvHeads());
        cfg.addProperty("head_dim", c.headDim());
        cfg.addProperty("hidden_act", "silu");
        cfg.addProperty("rms_norm_eps", c.rmsEps());
        cfg.addProperty("rope_theta", c.ropeTheta());
        cfg.addProperty("max_position_embeddings", c.maxSequenceLength());
        cfg.addProperty("tie_word_embeddings", c.tiedEmbeddings());
        cfg.addProperty("attention_bias", false);
        cfg.addProperty("mlp_bias", false);
        cfg.addProperty("torch_dtype", "float32");
        if (tok.bosId() >= 0) {
            cfg.addProperty("bos_token_id", tok.bosId());
        }
        if (tok.eosId() >= 0) {
            cfg.addProperty("eos_token_id", tok.eosId());
        }
        JsonObject pk = new JsonObject();
        pk.addProperty("name", c.name());
        provenance.forEach(pk::addProperty);
        cfg.add("prunekit", pk);
        write(dir.resolve("config.json"), cfg);

        String tokenizerJson;
        if (tok instanceof HfTokenizer) {
            tokenizerJson = ((HfTokenizer) tok).json();
        } else if (tok instanceof Llama2cTokenizer) {
            tokenizerJson = Llama2cTokenizerJson.build((Llama2cTokenizer) tok);
        } else {
            throw new IOException("cannot save a tokenizer of type " + tok.getClass().getName()
                    + " as tokenizer.json (supported: HfTokenizer, Llama2cTokenizer)");
        }
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson);
        JsonObject tc = new JsonObject();
        tc.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        tc.addProperty("model_max_length", c.maxSequenceLength());
        tc.addProperty("clean_up_tokenization_spaces", false);
        JsonObject vocab = new Gson().fromJson(tokenizerJson, JsonObject.class)
                .getAsJsonObject("model").getAsJsonObject("vocab");
        int[] special = {tok.bosId(), tok.eosId()};
        String[] keys = {"bos_token", "eos_token"};
        for (int i = 0; i < 2; i++) {
            if (special[i] >= 0) {
                tc.addProperty(keys[i], tokenText(vocab, special[i]));
            }
        }
        write(dir.resolve("tokenizer_config.json"), tc);
    }

    /** The text of token {@code id} in a tokenizer.json's {@code model.vocab}. */
    private static String tokenText(JsonObject vocab, int id) {
        for (Map.Entry<String, JsonElement> e : vocab.entrySet()) {
            if (e.getValue().getAsInt() == id) {
                return e.getKey();
            }
        }
        throw new IllegalStateException("token id " + id + " is not in the tokenizer's vocabulary");
    }

    private static void write(Path file, JsonObject json) throws IOException {
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json));
    }
}
