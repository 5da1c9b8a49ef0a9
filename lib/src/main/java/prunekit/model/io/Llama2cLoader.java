package prunekit.model.io;

import ai.djl.Device;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import prunekit.model.HostTensor;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.model.TensorNames;

/**
 * Loads Andrej Karpathy's llama2.c checkpoint format (the "v0" {@code model.bin} written by
 * {@code export.py --version 0}): a header of seven int32 (dim, hidden_dim, n_layers, n_heads,
 * n_kv_heads, vocab_size, seq_len; a negative vocab_size means an untied classifier), then float32
 * tensors in run.c's order. The tokenizer is {@code tokenizer.bin} beside it. RoPE θ = 10 000 and
 * RMSNorm ε = 1e-5, as run.c hard-codes them; q/k rows are already in adjacent-pair layout.
 */
public final class Llama2cLoader {

    private static final int HEADER_BYTES = 7 * 4;

    private Llama2cLoader() {}

    /** Loads {@code model.bin} and the {@code tokenizer.bin} in the same directory. */
    public static LlamaModel load(Path modelFile, Device device) throws IOException {
        return load(modelFile, modelFile.resolveSibling("tokenizer.bin"), device);
    }

    public static LlamaModel load(Path modelFile, Path tokenizerFile, Device device) throws IOException {
        long size = Files.size(modelFile);
        if (size < HEADER_BYTES) {
            throw new IOException(modelFile + ": truncated llama2.c file (" + size + " bytes, the header alone is 28)");
        }
        try (FileChannel ch = FileChannel.open(modelFile, StandardOpenOption.READ)) {
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            buf.order(ByteOrder.LITTLE_ENDIAN);
            int dim = buf.getInt();
            int hiddenDim = buf.getInt();
            int layers = buf.getInt();
            int heads = buf.getInt();
            int kvHeads = buf.getInt();
            int vocab = buf.getInt();
            int seqLen = buf.getInt();
            boolean shared = vocab > 0;
            vocab = Math.abs(vocab);
            if (dim <= 0 || hiddenDim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || seqLen <= 0
                    || vocab == 0 || dim % heads != 0 || dim > 65536 || layers > 1024) {
                throw new IOException(modelFile + ": not a llama2.c v0 checkpoint: implausible header dim=" + dim
                        + " hidden_dim=" + hiddenDim + " n_layers=" + layers + " n_heads=" + heads
                        + " n_kv_heads=" + kvHeads + " vocab_size=" + vocab + " seq_len=" + seqLen);
            }
            int headSize = dim / heads;
            int kvDim = kvHeads * headSize;
            long expected = HEADER_BYTES + 4L * ((long) vocab * dim                 // token embedding
                    + (long) layers * (2L * dim + 2L * dim * dim + 2L * dim * kvDim  // norms, wq, wo, wk, wv
                        + 3L * dim * hiddenDim)                                       // w1, w2, w3
                    + dim + (long) seqLen * headSize                                  // final norm, freq_cis
                    + (shared ? 0 : (long) vocab * dim));                              // classifier
            if (size != expected) {
                throw new IOException(modelFile + ": " + size + " bytes, but its header (dim=" + dim
                        + ", n_layers=" + layers + ", vocab_size=" + vocab + ", shared classifier=" + shared
                        + ") implies " + expected + (size < expected ? ": the file is truncated" : ""));
            }
            FloatBuffer f = buf.asFloatBuffer();
            Map<String, HostTensor> t = new HashMap<>();
            t.put(TensorNames.EMBED, take(f, vocab, dim));
            perLayer(t, f, layers, "input_layernorm", dim);
            perLayer(t, f, layers, "q_proj", dim, dim);
            perLayer(t, f, layers, "k_proj", kvDim, dim);
            perLayer(t, f, layers, "v_proj", kvDim, dim);
            perLayer(t, f, layers, "o_proj", dim, dim);
            perLayer(t, f, layers, "post_attention_layernorm", dim);
            perLayer(t, f, layers, "gate_proj", hiddenDim, dim);   // w1
            perLayer(t, f, layers, "down_proj", dim, hiddenDim);   // w2
            perLayer(t, f, layers, "up_proj", hiddenDim, dim);     // w3
            t.put(TensorNames.FINAL_NORM, take(f, dim));
            f.position(f.position() + seqLen * headSize);            // skip freq_cis_real and _imag
            if (!shared) {
                t.put(TensorNames.HEAD, take(f, vocab, dim));
            }
            String name = modelFile.getParent() == null ? modelFile.toString()
                    : modelFile.getParent().getFileName() + "/" + modelFile.getFileName();
            LlamaConfig config = new LlamaConfig("llama2.c " + name, vocab, dim, hiddenDim, layers, heads,
                    kvHeads, headSize, 10000.0, 1e-5, seqLen, shared);
            Llama2cTokenizer tokenizer = Llama2cTokenizer.load(tokenizerFile, vocab);
            return ModelTensors.fromTensors(config, t, tokenizer, device, modelFile.toString());
        }
    }

    private static void perLayer(Map<String, HostTensor> t, FloatBuffer f, int layers, String module, long... shape) {
        for (int l = 0; l < layers; l++) {
            t.put(TensorNames.layer(l, module), take(f, shape));
        }
    }

    private static HostTensor take(FloatBuffer f, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] data = new float[(int) n];
        f.get(data);
        return new HostTensor(data, shape);
    }
}
