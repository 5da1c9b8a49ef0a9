package prunekit.model.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/** Pieces of a Hugging Face {@code tokenizer.json} shared by the GGUF and llama2.c converters. */
final class TokenizerJsonParts {

    private TokenizerJsonParts() {}

    /** An {@code added_tokens} entry: matched whole, never normalised. */
    static JsonObject addedToken(int id, String content, boolean special) {
        JsonObject a = new JsonObject();
        a.addProperty("id", id);
        a.addProperty("content", content);
        a.addProperty("single_word", false);
        a.addProperty("lstrip", false);
        a.addProperty("rstrip", false);
        a.addProperty("normalized", false);
        a.addProperty("special", special);
        return a;
    }

    /** A {@code Sequence} of normalizers, pre-tokenizers or decoders under {@code key}. */
    static JsonObject sequence(String key, JsonObject... parts) {
        JsonArray list = new JsonArray();
        for (JsonObject p : parts) {
            list.add(p);
        }
        JsonObject o = new JsonObject();
        o.addProperty("type", "Sequence");
        o.add(key, list);
        return o;
    }
}
