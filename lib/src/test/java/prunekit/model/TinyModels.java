package prunekit.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import prunekit.model.io.ModelTensors;

/** Small random LLaMA models for unit tests: 2 layers, hidden 16, 4 query / 2 kv heads, vocab 40. */
public final class TinyModels {

    public static final int VOCAB = 40;

    private TinyModels() {}

    public static LlamaConfig config(boolean tied) {
        return new LlamaConfig("tiny", VOCAB, 16, 24, 2, 4, 2, 4, 10000.0, 1e-5, 16, tied);
    }

    /** Random weights N(0, 0.3²), norm gains near 1. */
    public static Map<String, HostTensor> tensors(LlamaConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, HostTensor> t = new LinkedHashMap<>();
        int q = c.heads() * c.headDim();
        int kv = c.kvHeads() * c.headDim();
        t.put(TensorNames.EMBED, random(r, 0.3, c.vocabSize(), c.hidden()));
        for (int l = 0; l < c.layers(); l++) {
            t.put(TensorNames.layer(l, "input_layernorm"), gain(r, c.hidden()));
            t.put(TensorNames.layer(l, "q_proj"), random(r, 0.3, q, c.hidden()));
            t.put(TensorNames.layer(l, "k_proj"), random(r, 0.3, kv, c.hidden()));
            t.put(TensorNames.layer(l, "v_proj"), random(r, 0.3, kv, c.hidden()));
            t.put(TensorNames.layer(l, "o_proj"), random(r, 0.3, c.hidden(), q));
            t.put(TensorNames.layer(l, "post_attention_layernorm"), gain(r, c.hidden()));
            t.put(TensorNames.layer(l, "gate_proj"), random(r, 0.3, c.intermediate(), c.hidden()));
            t.put(TensorNames.layer(l, "up_proj"), random(r, 0.3, c.intermediate(), c.hidden()));
            t.put(TensorNames.layer(l, "down_proj"), random(r, 0.3, c.hidden(), c.intermediate()));
        }
        t.put(TensorNames.FINAL_NORM, gain(r, c.hidden()));
        if (!c.tiedEmbeddings()) {
            t.put(TensorNames.HEAD, random(r, 0.3, c.vocabSize(), c.hidden()));
        }
        return t;
    }

    public static LlamaModel model(boolean tied, long seed, DataType dtype) {
        LlamaConfig c = config(tied);
        return ModelTensors.fromTensors(c, tensors(c, seed), tokenizer(), Device.cpu(), "tiny", dtype);
    }

    /** A word-level tokenizer over "w3".."w39" with <unk>=0, <s>=1, </s>=2. */
    public static HfTokenizer tokenizer() {
        StringBuilder vocab = new StringBuilder("\"<unk>\":0,\"<s>\":1,\"</s>\":2");
        for (int i = 3; i < VOCAB; i++) {
            vocab.append(",\"w").append(i).append("\":").append(i);
        }
        String json = "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":["
                + "{\"id\":0,\"content\":\"<unk>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true},"
                + "{\"id\":1,\"content\":\"<s>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true},"
                + "{\"id\":2,\"content\":\"</s>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}],"
                + "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Whitespace\"},\"post_processor\":null,"
                + "\"decoder\":{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":false},"
                + "\"model\":{\"type\":\"WordLevel\",\"vocab\":{" + vocab + "},\"unk_token\":\"<unk>\"}}";
        return HfTokenizer.fromJson(json, 1, 2, VOCAB, "tiny tokenizer");
    }

    private static HostTensor random(Random r, double std, int rows, int cols) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (r.nextGaussian() * std);
        }
        return new HostTensor(d, new long[] {rows, cols});
    }

    private static HostTensor gain(Random r, int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) (1 + 0.1 * r.nextGaussian());
        }
        return new HostTensor(d, new long[] {n});
    }
}
