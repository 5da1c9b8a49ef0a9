package prunekit.model.io;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.model.DecoderLayers;
import prunekit.model.HfTokenizer;
import prunekit.model.HostTensor;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.model.OwnedArrays;
import prunekit.model.TensorNames;
import prunekit.model.Tokenizer;

/**
 * A Hugging Face checkpoint edited layer by layer without ever being in memory whole: the
 * embedding, final norm and head stay resident; decoder layer l is read from the safetensors files
 * on {@link #open}, and on {@link #finish} written to the output directory's
 * {@code model.safetensors} (float32) and freed. Memory is then about the embedding and head, one
 * layer, and the calibration activations: for a 7B LLaMA in float32 (27 GB) about 1 GB + 0.8 GB +
 * activations, so it prunes on a machine with less memory than the model.
 *
 * <p>The output becomes a loadable model directory (config.json, tokenizer files) only when every
 * layer was finished: {@link #close} after a failure deletes the partial weights file.
 */
public final class StreamedLlama implements DecoderLayers, AutoCloseable {

    private final Path source;
    private final Path out;
    private final LlamaConfig config;                  // the checkpoint's: every layer
    private final LlamaModel shell;                    // embedding, final norm, head; no decoder layers
    private final Map<String, Safetensors.Entry> entries;
    private final Safetensors.Writer writer;
    private final Map<String, String> provenance;
    private NDManager layerManager;                    // the open layer's tensors
    private Map<String, NDArray> open;
    private int openLayer = -1;
    private int finished;                              // layers 0 .. finished-1 are written

    private StreamedLlama(Path source, Path out, LlamaConfig config, LlamaModel shell,
            Map<String, Safetensors.Entry> entries, Safetensors.Writer writer, Map<String, String> provenance) {
        this.source = source;
        this.out = out;
        this.config = config;
        this.shell = shell;
        this.entries = entries;
        this.writer = writer;
        this.provenance = provenance;
    }

    /**
     * Opens a Hugging Face LLaMA directory (config.json, *.safetensors, tokenizer.json) for streaming
     * into {@code out}, checking every tensor's presence and shape first (no weights read but the
     * embedding, final norm and head, which are also written out at once).
     *
     * @param name       the output model's name (in its config.json)
     * @param provenance notes stored in the output's config.json under "prunekit"
     */
    public static StreamedLlama open(Path source, Path out, Device device, String name, Map<String, String> provenance)
            throws IOException {
        if (!Files.isDirectory(source) || !Files.isRegularFile(source.resolve("config.json"))) {
            throw new IOException(source + ": streaming reads a Hugging Face model directory (config.json, "
                    + "*.safetensors, tokenizer.json); convert other formats first with `prunekit export`");
        }
        if (Files.exists(out) && Files.isSameFile(source, out)) {
            throw new IOException(out + ": the output directory is the source; choose another --out");
        }
        JsonObject cfg = HfLoader.readJson(source.resolve("config.json"));
        LlamaConfig config = HfLoader.config(source, cfg);
        HfTokenizer tokenizer = HfLoader.tokenizer(source, cfg, config);
        Map<String, Safetensors.Entry> entries = HfLoader.entries(source);
        Map<String, long[]> shapes = config.tensorShapes();      // also the order they are written in
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            Safetensors.Entry found = entries.get(e.getKey());
            if (found == null) {
                throw new IOException(source + ": tensor " + e.getKey() + " is missing");
            }
            if (!Arrays.equals(found.shape(), e.getValue())) {
                throw new IOException(source + ": tensor " + e.getKey() + " has shape " + Arrays.toString(found.shape())
                        + " but the config implies " + Arrays.toString(e.getValue()));
            }
        }
        Files.createDirectories(out);
        Files.deleteIfExists(out.resolve("config.json"));       // a loadable directory only once complete
        Safetensors.Writer writer = new Safetensors.Writer(out.resolve("model.safetensors"), shapes, Map.of("format", "pt"));
        LlamaModel shell = null;
        try {
            Map<String, HostTensor> resident = new HashMap<>();
            for (String n : new String[] {TensorNames.EMBED, TensorNames.FINAL_NORM, TensorNames.HEAD}) {
                if (shapes.containsKey(n)) {
                    HostTensor t = entries.get(n).read();
                    writer.put(n, t);
                    resident.put(n, t);
                }
            }
            shell = ModelTensors.fromTensors(config.withLayers(0).withName(name), resident, tokenizer, device,
                    source.toString());
            return new StreamedLlama(source, out, config.withName(name), shell, entries, writer, provenance);
        } catch (IOException | RuntimeException e) {
            if (shell != null) shell.close();
            abandon(writer, out);
            throw e;
        }
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    public Tokenizer tokenizer() {
        return shell.tokenizer();
    }

    @Override
    public NDManager manager() {
        return shell.manager();
    }

    @Override
    public NDArray embed(NDManager step, int[][] tokens) {
        return shell.embed(step, tokens);
    }

    @Override
    public LayerWeights open(int l) throws IOException {
        if (l != finished || openLayer >= 0) {
            throw new IllegalStateException("layers stream in order: layer " + l + " asked for, next is "
                    + finished + (openLayer >= 0 ? " (layer " + openLayer + " still open)" : ""));
        }
        layerManager = shell.manager().newSubManager();
        open = new LinkedHashMap<>();
        for (String module : LayerWeights.ALL) {
            HostTensor t = entries.get(TensorNames.layer(l, module)).read();
            if (module.equals("q_proj")) t = t.permuteRope(config.heads(), true);        // to adjacent-pair RoPE
            if (module.equals("k_proj")) t = t.permuteRope(config.kvHeads(), true);
            open.put(module, OwnedArrays.of(layerManager, t.data(), new Shape(t.shape())));
        }
        openLayer = l;
        return LayerWeights.of(open);
    }

    @Override
    public NDArray forwardLayer(NDManager step, int l, NDArray x, Map<String, NDArray> linearInputs) {
        requireOpen(l);
        return shell.forwardLayer(step, l, LayerWeights.of(open), x, linearInputs);
    }

    @Override
    public void setTensor(int l, String module, NDArray value) {
        requireOpen(l);
        NDArray was = open.get(module);
        if (was == null) {
            throw new IllegalArgumentException("unknown layer module '" + module + "'; accepted: "
                    + String.join(", ", LayerWeights.ALL));
        }
        if (!was.getShape().equals(value.getShape())) {
            throw new IllegalArgumentException("layer " + l + " " + module + ": new shape " + value.getShape()
                    + " differs from " + was.getShape());
        }
        NDArray copy = value.toDevice(was.getDevice(), false).toType(DataType.FLOAT32, false).duplicate();
        copy.attach(layerManager);
        open.put(module, copy);
        was.close();
    }

    /** Writes layer l (q/k rows back to rotate-half RoPE) and frees it. */
    @Override
    public void finish(int l) throws IOException {
        requireOpen(l);
        for (Map.Entry<String, NDArray> e : open.entrySet()) {
            HostTensor t = new HostTensor(e.getValue().toFloatArray(), e.getValue().getShape().getShape());
            if (e.getKey().equals("q_proj")) t = t.permuteRope(config.heads(), false);
            if (e.getKey().equals("k_proj")) t = t.permuteRope(config.kvHeads(), false);
            writer.put(TensorNames.layer(l, e.getKey()), t);
        }
        layerManager.close();
        layerManager = null;
        open = null;
        openLayer = -1;
        finished++;
    }

    private void requireOpen(int l) {
        if (l != openLayer) {
            throw new IllegalStateException("layer " + l + " is not open" + (openLayer >= 0 ? " (layer "
                    + openLayer + " is)" : ""));
        }
    }

    /** The output directory (a loadable model once every layer is finished and this is closed). */
    public Path out() {
        return out;
    }

    /**
     * Completes the output directory when every layer was finished (config.json with the
     * provenance, tokenizer files); otherwise deletes the partial weights file.
     */
    @Override
    public void close() throws IOException {
        try {
            if (layerManager != null) layerManager.close();
            if (finished == config.layers()) {
                writer.close();
                HfSaver.writeMetadata(config, shell.tokenizer(), out, provenance);
            } else {
                abandon(writer, out);
            }
        } finally {
            shell.close();
        }
    }

    private static void abandon(Safetensors.Writer writer, Path out) throws IOException {
        try {
            writer.close();
        } catch (IOException incomplete) {
            // expected: not every tensor was written
        }
        Files.deleteIfExists(out.resolve("model.safetensors"));
    }

    @Override
    public String toString() {
        return config.name() + " streamed from " + source + " (" + config.layers() + " layers, "
                + finished + " written to " + out + ")";
    }
}
