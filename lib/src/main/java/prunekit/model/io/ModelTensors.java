package prunekit.model.io;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.model.HostTensor;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.model.OwnedArrays;
import prunekit.model.TensorNames;
import prunekit.model.Tokenizer;

/**
 * A {@link LlamaModel} from host tensors named as in {@link TensorNames}, and back: the step every
 * loader ends with and the saver starts from. Every shape is checked against the config.
 */
public final class ModelTensors {

    private ModelTensors() {}

    /** Reads one tensor, by its name in {@link TensorNames}, when a model is built from it. */
    @FunctionalInterface
    public interface TensorSource {
        /** The tensor, or null when the checkpoint has none of that name. */
        HostTensor read(String name) throws IOException;
    }

    /**
     * Builds a model from host tensors, in float32.
     *
     * @param source where the tensors came from, for error messages (a file or directory)
     */
    public static LlamaModel fromTensors(LlamaConfig config, Map<String, HostTensor> tensors,
            Tokenizer tokenizer, Device device, String source) {
        return fromTensors(config, tensors, tokenizer, device, source, DataType.FLOAT32);
    }

    /**
     * As {@link #fromTensors(LlamaConfig, Map, Tokenizer, Device, String)}, with the weights in
     * {@code dtype} (FLOAT64 for finite-difference checks; FLOAT32 otherwise).
     */
    public static LlamaModel fromTensors(LlamaConfig config, Map<String, HostTensor> tensors,
            Tokenizer tokenizer, Device device, String source, DataType dtype) {
        try {
            return fromSource(config, tensors::get, tokenizer, device, source, dtype);
        } catch (IOException e) {
            throw new UncheckedIOException(e);                        // a map does no I/O
        }
    }

    /**
     * Builds a model reading its tensors one at a time: each is read, checked, copied to the device
     * and dropped before the next is read, so the host holds one tensor at a time rather than a copy
     * of the whole checkpoint (how the loaders of files load: for SmolLM2 the whole set was 540 MB of
     * Java arrays and as much again in direct buffers, alive together while loading).
     */
    public static LlamaModel fromSource(LlamaConfig config, TensorSource tensors, Tokenizer tokenizer, Device device,
            String source) throws IOException {
        return fromSource(config, tensors, tokenizer, device, source, DataType.FLOAT32);
    }

    private static LlamaModel fromSource(LlamaConfig config, TensorSource tensors, Tokenizer tokenizer, Device device,
            String source, DataType dtype) throws IOException {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            ShapeCheck check = new ShapeCheck(tensors, source, manager, dtype, new Staging());
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : config.tensorShapes().entrySet()) {
                arrays.put(e.getKey(), check.take(e.getKey(), e.getValue()));
            }
            List<LayerWeights> layers = new ArrayList<>();
            for (int i = 0; i < config.layers(); i++) {
                Map<String, NDArray> layer = new LinkedHashMap<>();
                for (String module : LayerWeights.ALL) {
                    layer.put(module, arrays.get(TensorNames.layer(i, module)));
                }
                layers.add(LayerWeights.of(layer));
            }
            return new LlamaModel(config, tokenizer, manager, arrays.get(TensorNames.EMBED), layers,
                    arrays.get(TensorNames.FINAL_NORM), arrays.get(TensorNames.HEAD));
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Every tensor of the model back in host memory, float32, named as in {@link TensorNames} (for saving). */
    public static Map<String, HostTensor> toHost(LlamaModel model) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put(TensorNames.EMBED, host(model.embedding()));
        List<LayerWeights> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            for (Map.Entry<String, NDArray> e : layers.get(i).all().entrySet()) {
                out.put(TensorNames.layer(i, e.getKey()), host(e.getValue()));
            }
        }
        out.put(TensorNames.FINAL_NORM, host(model.finalNorm()));
        if (!model.config().tiedEmbeddings()) {
            out.put(TensorNames.HEAD, host(model.head()));
        }
        return out;
    }

    private static HostTensor host(NDArray a) {
        if (a.getDataType() == DataType.FLOAT32) {
            return new HostTensor(a.toFloatArray(), a.getShape().getShape());
        }
        try (NDArray f = a.toType(DataType.FLOAT32, true)) {
            return new HostTensor(f.toFloatArray(), a.getShape().getShape());
        }
    }

    /** Reads tensors from a source, checking presence and shape. */
    private record ShapeCheck(TensorSource tensors, String source, NDManager manager, DataType dtype,
            Staging staging) {
        NDArray take(String name, long... shape) throws IOException {
            HostTensor t = tensors.read(name);
            if (t == null) {
                throw new IllegalArgumentException(source + ": tensor " + name + " is missing");
            }
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException(source + ": tensor " + name + " has shape "
                        + t.shapeText() + " but the config implies " + Arrays.toString(shape));
            }
            NDArray a = staging.upload(manager, t.data(), new Shape(shape));
            return dtype == DataType.FLOAT32 ? a : a.toType(dtype, false);
        }
    }

    /**
     * One direct buffer, reused for every tensor on its way to the device ({@code NDManager.create}
     * of a Java array allocates a direct buffer of its own per call, freed only when the garbage
     * collector gets to it). libtorch gets a clone of the buffer's contents, so the buffer can be
     * overwritten as soon as the call returns. Above 1 GiB a tensor goes through DJL's own copy.
     */
    private static final class Staging {
        private static final long MAX_BYTES = 1L << 30;
        private ByteBuffer buffer;

        NDArray upload(NDManager manager, float[] data, Shape shape) {
            long bytes = (long) data.length * Float.BYTES;
            if (bytes > MAX_BYTES) {
                return OwnedArrays.of(manager, data, shape);
            }
            if (buffer == null || buffer.capacity() < bytes) {
                buffer = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
            }
            buffer.clear().limit((int) bytes);
            buffer.asFloatBuffer().put(data);
            try (NDArray blob = manager.create(buffer, shape, DataType.FLOAT32)) {
                return blob.duplicate();                                // storage of its own
            }
        }
    }
}
