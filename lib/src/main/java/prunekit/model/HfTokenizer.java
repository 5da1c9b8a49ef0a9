package prunekit.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} run by DJL's binding of the Rust {@code tokenizers} library.
 * Keeps the JSON text so a saved model carries the very same tokenizer.
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final String json;
    private final int bos;
    private final int eos;
    private final int vocabSize;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, String json, int bos, int eos, int vocabSize) {
        this.tokenizer = tokenizer;
        this.json = json;
        this.bos = bos;
        this.eos = eos;
        this.vocabSize = vocabSize;
    }

    /**
     * Loads a tokenizer from the text of a {@code tokenizer.json}.
     *
     * @param source file or model the JSON came from, for error messages
     */
    public static HfTokenizer fromJson(String json, int bos, int eos, int vocabSize, String source) {
        Map<String, String> options = Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false",
                "modelMaxLength", String.valueOf(Integer.MAX_VALUE));
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), options);
            return new HfTokenizer(t, json, bos, eos, vocabSize);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(source + ": the tokenizer could not be built: " + e.getMessage(), e);
        }
    }

    /** True when the tokenizer's own post-processor starts a sequence with {@code bosId}. */
    public boolean addsBos(int bosId) {
        long[] ids = tokenizer.encode("a", true, false).getIds();
        return bosId >= 0 && ids.length > 0 && ids[0] == bosId;
    }

    /** The same tokenizer with another BOS id (-1: none). */
    public HfTokenizer withBos(int newBos) {
        return new HfTokenizer(tokenizer, json, newBos, eos, vocabSize);
    }

    @Override
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, true);
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    /** The {@code tokenizer.json} text this tokenizer was built from. */
    public String json() {
        return json;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
