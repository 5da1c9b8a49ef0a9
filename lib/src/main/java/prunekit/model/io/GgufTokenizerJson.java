package prunekit.model.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.List;

/**
 * Builds a Hugging Face {@code tokenizer.json} from a GGUF file's {@code tokenizer.ggml.*}
 * metadata, for byte-level BPE vocabularies ({@code tokenizer.ggml.model = gpt2}), so the
 * tokenisation itself runs in the {@code tokenizers} library rather than in hand-written BPE.
 *
 * <p>The pre-tokenizer follows llama.cpp's choice for {@code tokenizer.ggml.pre}: "smollm",
 * "starcoder" and "refact" split every digit on its own before the GPT-2 regex; "gpt-2" and
 * "default" use the GPT-2 regex alone; "llama-bpe" uses the LLaMA-3 regex.
 */
final class GgufTokenizerJson {

    private static final String LLAMA3_REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private GgufTokenizerJson() {}

    static String build(GgufFile gguf) throws IOException {
        String model = (String) gguf.meta("tokenizer.ggml.model");
        if (!"gpt2".equals(model)) {
            throw new IOException(gguf.path() + ": tokenizer.ggml.model = " + model
                    + " is not supported for GGUF files (accepted: gpt2, i.e. byte-level BPE)");
        }
        String pre = (String) gguf.meta("tokenizer.ggml.pre", "default");
        List<?> tokens = (List<?>) gguf.meta("tokenizer.ggml.tokens");
        List<?> merges = (List<?>) gguf.meta("tokenizer.ggml.merges");
        List<?> types = (List<?>) gguf.meta("tokenizer.ggml.token_type", null);

        JsonObject vocab = new JsonObject();
        JsonArray added = new JsonArray();
        for (int id = 0; id < tokens.size(); id++) {
            String tok = (String) tokens.get(id);
            vocab.addProperty(tok, id);
            int type = types == null ? 1 : ((Number) types.get(id)).intValue();
            if (type == 3 || type == 4) {                 // 3 = control, 4 = user-defined
                added.add(TokenizerJsonParts.addedToken(id, tok, type == 3));
            }
        }
        JsonArray mergeList = new JsonArray();
        merges.forEach(m -> mergeList.add((String) m));

        JsonObject bpe = new JsonObject();
        bpe.addProperty("type", "BPE");
        bpe.add("dropout", null);
        bpe.add("unk_token", null);
        bpe.add("continuing_subword_prefix", null);
        bpe.add("end_of_word_suffix", null);
        bpe.addProperty("fuse_unk", false);
        bpe.addProperty("byte_fallback", false);
        bpe.addProperty("ignore_merges", "llama-bpe".equals(pre));
        bpe.add("vocab", vocab);
        bpe.add("merges", mergeList);

        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", null);
        root.add("padding", null);
        root.add("added_tokens", added);
        root.add("normalizer", null);
        root.add("pre_tokenizer", preTokenizer(gguf, pre));
        root.add("post_processor", null);
        root.add("decoder", byteLevel(true));
        root.add("model", bpe);
        Gson gson = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
        return gson.toJson(root);
    }

    private static JsonObject preTokenizer(GgufFile gguf, String pre) throws IOException {
        switch (pre) {
            case "default":
            case "gpt-2":
                return byteLevel(true);
            case "smollm":
            case "starcoder":
            case "refact": {
                JsonObject digits = new JsonObject();
                digits.addProperty("type", "Digits");
                digits.addProperty("individual_digits", true);
                return TokenizerJsonParts.sequence("pretokenizers", digits, byteLevel(true));
            }
            case "llama-bpe":
            case "llama3": {
                JsonObject pattern = new JsonObject();
                pattern.addProperty("Regex", LLAMA3_REGEX);
                JsonObject split = new JsonObject();
                split.addProperty("type", "Split");
                split.add("pattern", pattern);
                split.addProperty("behavior", "Isolated");
                split.addProperty("invert", false);
                return TokenizerJsonParts.sequence("pretokenizers", split, byteLevel(false));
            }
            default:
                throw new IOException(gguf.path() + ": tokenizer.ggml.pre = " + pre
                        + " is not supported (accepted: default, gpt-2, smollm, starcoder, refact, llama-bpe)");
        }
    }

    private static JsonObject byteLevel(boolean useRegex) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "ByteLevel");
        o.addProperty("add_prefix_space", false);
        o.addProperty("trim_offsets", true);
        o.addProperty("use_regex", useRegex);
        return o;
    }
}
