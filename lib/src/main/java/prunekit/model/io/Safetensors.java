package prunekit.model.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import prunekit.model.HostTensor;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * mapping each tensor name to {dtype, shape, data_offsets}, then the raw data. Read memory-mapped,
 * tensor by tensor, so files beyond 2 GiB work; F32, F16 and BF16 are converted to float32 in Java
 * (BF16 never reaches the native engine, which aborts on it).
 */
public final class Safetensors {

    private Safetensors() {}

    /** Reads every tensor of a safetensors file as float32. */
    public static Map<String, HostTensor> read(Path file) throws IOException {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Entry e : entries(file).values()) {
            out.put(e.name(), e.read());
        }
        return out;
    }

    /**
     * Where one tensor lies in a safetensors file: read it alone with {@link #read()} (how a
     * model streamed layer by layer takes one layer's tensors out of a checkpoint larger than memory).
     *
     * @param begin absolute byte offset of its data in {@code file}
     * @param end   absolute byte offset just past its data
     */
    public record Entry(Path file, String name, String dtype, long[] shape, long begin, long end) {

        /** The tensor as float32 (F16 and BF16 converted in Java). */
        public HostTensor read() throws IOException {
            long n = 1;
            for (long d : shape) n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": tensor " + name + " has " + n + " values; at most "
                        + (Integer.MAX_VALUE - 8) + " fit one Java array");
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, begin, end - begin);
                buf.order(ByteOrder.LITTLE_ENDIAN);
                GgmlType type = dtype.equals("F32") ? GgmlType.F32 : dtype.equals("F16") ? GgmlType.F16 : GgmlType.BF16;
                return new HostTensor(Dequantize.toFloat(type, buf, (int) n), shape.clone());
            }
        }
    }

    /** The tensors of a safetensors file, by name in header order, checked against the file size; no data read. */
    public static Map<String, Entry> entries(Path file) throws IOException {
        Map<String, Entry> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new IOException(file + ": truncated safetensors file (" + size + " bytes)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > 100_000_000 || 8 + headerLen > size) {
                throw new IOException(file + ": not a safetensors file (header length " + headerLen
                        + ", file size " + size + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            ch.read(hb, 8);
            JsonObject header;
            try {
                header = new Gson().fromJson(new String(hb.array(), StandardCharsets.UTF_8), JsonObject.class);
            } catch (JsonParseException e) {
                throw new IOException(file + ": safetensors header is not valid JSON: " + e.getMessage());
            }
            long dataStart = 8 + headerLen;
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonObject info = e.getValue().getAsJsonObject();
                String dtype = info.get("dtype").getAsString();
                JsonArray shapeJson = info.getAsJsonArray("shape");
                long[] shape = new long[shapeJson.size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeJson.get(i).getAsLong();
                    n *= shape[i];
                }
                JsonArray offs = info.getAsJsonArray("data_offsets");
                long begin = dataStart + offs.get(0).getAsLong();
                long end = dataStart + offs.get(1).getAsLong();
                int width = width(file, e.getKey(), dtype);
                if (end > size) {
                    throw new IOException(file + ": truncated: tensor " + e.getKey() + " ends at byte " + end
                            + " of " + size);
                }
                if (end - begin != n * width) {
                    throw new IOException(file + ": tensor " + e.getKey() + " has " + (end - begin)
                            + " bytes, its shape and dtype need " + n * width);
                }
                out.put(e.getKey(), new Entry(file, e.getKey(), dtype, shape, begin, end));
            }
        }
        return out;
    }

    /** The {@code __metadata__} string map of a safetensors file (empty if it has none). */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            long headerLen = size < 8 ? -1 : (ch.read(lenBuf, 0) == 8 ? lenBuf.getLong(0) : -1);
            if (headerLen <= 0 || headerLen > 100_000_000 || 8 + headerLen > size) {
                throw new IOException(file + ": not a safetensors file (header length " + headerLen
                        + ", file size " + size + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            ch.read(hb, 8);
            Map<String, String> out = new LinkedHashMap<>();
            try {
                JsonObject header = new Gson().fromJson(new String(hb.array(), StandardCharsets.UTF_8), JsonObject.class);
                JsonObject meta = header.getAsJsonObject("__metadata__");
                if (meta != null) meta.entrySet().forEach(e -> out.put(e.getKey(), e.getValue().getAsString()));
            } catch (JsonParseException | IllegalStateException | ClassCastException e) {
                throw new IOException(file + ": safetensors header is not valid JSON: " + e.getMessage());
            }
            return out;
        }
    }

    private static int width(Path file, String name, String dtype) throws IOException {
        switch (dtype) {
            case "F32":
                return 4;
            case "F16":
            case "BF16":
                return 2;
            default:
                throw new IOException(file + ": tensor " + name + " has dtype " + dtype
                        + ", supported: F32, F16, BF16");
        }
    }

    /** Writes tensors as float32 safetensors, in map order. */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors.forEach((name, t) -> shapes.put(name, t.shape()));
        try (Writer w = new Writer(file, shapes, metadata)) {
            for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
                w.put(e.getKey(), e.getValue());
            }
        }
    }

    /**
     * A float32 safetensors file whose tensors are declared up front (names and shapes: the header)
     * and written one at a time, in any order, each at its offset: a model pruned layer by layer is
     * written while only one layer is in memory. {@link #close} fails if a declared tensor was
     * never written.
     */
    public static final class Writer implements AutoCloseable {

        private final Path file;
        private final FileChannel ch;
        private final Map<String, long[]> shapes;
        private final Map<String, Long> offsets = new LinkedHashMap<>();   // absolute byte offset of each tensor
        private final Set<String> written = new HashSet<>();

        public Writer(Path file, Map<String, long[]> shapes, Map<String, String> metadata) throws IOException {
            this.file = file;
            this.shapes = new LinkedHashMap<>(shapes);
            JsonObject header = new JsonObject();
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
            long offset = 0;
            Map<String, Long> relative = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                long n = 1;
                JsonArray shape = new JsonArray();
                for (long d : e.getValue()) {
                    shape.add(d);
                    n *= d;
                }
                JsonObject info = new JsonObject();
                info.addProperty("dtype", "F32");
                info.add("shape", shape);
                JsonArray offs = new JsonArray();
                offs.add(offset);
                relative.put(e.getKey(), offset);
                offset += 4L * n;
                offs.add(offset);
                info.add("data_offsets", offs);
                header.add(e.getKey(), info);
            }
            byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
            int pad = (8 - json.length % 8) % 8;                   // keep the data 8-byte aligned
            byte[] padded = new byte[json.length + pad];
            System.arraycopy(json, 0, padded, 0, json.length);
            for (int i = json.length; i < padded.length; i++) {
                padded[i] = ' ';
            }
            long dataStart = 8 + padded.length;
            relative.forEach((name, off) -> offsets.put(name, dataStart + off));
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded.length);
            writeAt(len, 0);
            writeAt(ByteBuffer.wrap(padded), 8);
        }

        /** Writes a declared tensor (its shape must match the declaration), once. */
        public void put(String name, HostTensor t) throws IOException {
            long[] shape = shapes.get(name);
            if (shape == null) {
                throw new IllegalArgumentException(file + ": tensor " + name + " was not declared");
            }
            if (!Arrays.equals(shape, t.shape())) {
                throw new IllegalArgumentException(file + ": tensor " + name + " declared " + Arrays.toString(shape)
                        + ", given " + t.shapeText());
            }
            if (!written.add(name)) {
                throw new IllegalArgumentException(file + ": tensor " + name + " written twice");
            }
            long pos = offsets.get(name);
            float[] data = t.data();
            int chunk = 1 << 20;                                       // floats per buffer: 4 MiB
            ByteBuffer b = ByteBuffer.allocate(4 * Math.min(chunk, Math.max(1, data.length))).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < data.length; i += chunk) {
                int n = Math.min(chunk, data.length - i);
                b.clear();
                b.asFloatBuffer().put(data, i, n);
                b.limit(4 * n);
                writeAt(b, pos + 4L * i);
            }
        }

        private void writeAt(ByteBuffer b, long pos) throws IOException {
            while (b.hasRemaining()) {
                pos += ch.write(b, pos);
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
            if (written.size() != shapes.size()) {
                List<String> missing = new ArrayList<>(shapes.keySet());
                missing.removeAll(written);
                throw new IOException(file + ": " + missing.size() + " declared tensors never written, e.g. " + missing.get(0));
            }
        }
    }
}
