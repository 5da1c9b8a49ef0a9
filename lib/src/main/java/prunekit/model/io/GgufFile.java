package prunekit.model.io;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF v2/v3 file (the llama.cpp format): little-endian header, metadata key/values, tensor
 * infos, then the tensor data, aligned to {@code general.alignment} (default 32) bytes. Tensor
 * data is memory-mapped and dequantised on demand by {@link Dequantize}.
 */
public final class GgufFile {

    private static final int MAGIC = 0x46554747; // "GGUF" read little-endian

    /** One tensor's header: name, dims (fastest-varying first, as GGUF lists them), type, offset. */
    public record TensorInfo(String name, long[] dims, GgmlType type, long offset) {
        /** Number of elements. */
        public long elements() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }

        /** Row-major shape, outermost first: GGUF's dims reversed. */
        public long[] shape() {
            long[] s = new long[dims.length];
            for (int i = 0; i < dims.length; i++) {
                s[i] = dims[dims.length - 1 - i];
            }
            return s;
        }
    }

    private final Path path;
    private final Map<String, Object> metadata;
    private final Map<String, TensorInfo> tensors;
    private final long dataStart;
    private final long fileSize;

    private GgufFile(Path path, Map<String, Object> metadata, Map<String, TensorInfo> tensors,
            long dataStart, long fileSize) {
        this.path = path;
        this.metadata = metadata;
        this.tensors = tensors;
        this.dataStart = dataStart;
        this.fileSize = fileSize;
    }

    /** Reads the header of a GGUF file; tensor data stays on disk until asked for. */
    public static GgufFile open(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE));
            buf.order(ByteOrder.LITTLE_ENDIAN);
            try {
                return parse(path, buf, size);
            } catch (BufferUnderflowException e) {
                throw new IOException(path + ": truncated GGUF file (" + size + " bytes): the header ends early");
            }
        }
    }

    private static GgufFile parse(Path path, MappedByteBuffer buf, long size) throws IOException {
        if (size < 4 || buf.getInt() != MAGIC) {
            throw new IOException(path + ": not a GGUF file (the first 4 bytes are not 'GGUF')");
        }
        int version = buf.getInt();
        if (version < 2 || version > 3) {
            throw new IOException(path + ": GGUF version " + version + " is not supported (accepted: 2, 3)");
        }
        long nTensors = buf.getLong();
        long nKv = buf.getLong();
        if (nTensors < 0 || nTensors > 1_000_000 || nKv < 0 || nKv > 1_000_000) {
            throw new IOException(path + ": implausible GGUF header (" + nTensors + " tensors, " + nKv + " keys)");
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            String key = readString(buf);
            meta.put(key, readValue(path, buf, buf.getInt()));
        }
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        for (long i = 0; i < nTensors; i++) {
            String name = readString(buf);
            int nDims = buf.getInt();
            long[] dims = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                dims[d] = buf.getLong();
            }
            int typeId = buf.getInt();
            long offset = buf.getLong();
            GgmlType type = GgmlType.of(typeId, path, name);
            infos.put(name, new TensorInfo(name, dims, type, offset));
        }
        long alignment = meta.containsKey("general.alignment")
                ? ((Number) meta.get("general.alignment")).longValue() : 32;
        long pos = buf.position();
        long dataStart = (pos + alignment - 1) / alignment * alignment;
        for (TensorInfo t : infos.values()) {
            long end = dataStart + t.offset() + t.type().bytes(t.elements());
            if (end > size) {
                throw new IOException(path + ": truncated GGUF file: tensor " + t.name() + " ends at byte "
                        + end + " but the file has " + size + " bytes");
            }
        }
        return new GgufFile(path, meta, infos, dataStart, size);
    }

    private static String readString(MappedByteBuffer buf) {
        long len = buf.getLong();
        if (len < 0 || len > buf.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] b = new byte[(int) len];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static Object readValue(Path path, MappedByteBuffer buf, int type) throws IOException {
        switch (type) {
            case 0: return buf.get() & 0xFF;             // uint8
            case 1: return (int) buf.get();              // int8
            case 2: return buf.getShort() & 0xFFFF;      // uint16
            case 3: return (int) buf.getShort();         // int16
            case 4: return buf.getInt() & 0xFFFFFFFFL;   // uint32
            case 5: return buf.getInt();                 // int32
            case 6: return buf.getFloat();               // float32
            case 7: return buf.get() != 0;               // bool
            case 8: return readString(buf);              // string
            case 9: {                                    // array
                int elemType = buf.getInt();
                long n = buf.getLong();
                if (n < 0 || n > buf.remaining()) {
                    throw new BufferUnderflowException();
                }
                List<Object> list = new ArrayList<>((int) n);
                for (long i = 0; i < n; i++) {
                    list.add(readValue(path, buf, elemType));
                }
                return list;
            }
            case 10: return buf.getLong();               // uint64
            case 11: return buf.getLong();               // int64
            case 12: return buf.getDouble();             // float64
            default:
                throw new IOException(path + ": unknown GGUF metadata value type " + type + " (accepted: 0-12)");
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, Object> metadata() {
        return metadata;
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** A metadata value, or {@code fallback} when the key is absent. */
    public Object meta(String key, Object fallback) {
        return metadata.getOrDefault(key, fallback);
    }

    /** A required metadata value. */
    public Object meta(String key) throws IOException {
        Object v = metadata.get(key);
        if (v == null) {
            throw new IOException(path + ": GGUF metadata key " + key + " is missing");
        }
        return v;
    }

    /** Dequantises a tensor to float32, row-major in {@link TensorInfo#shape()} order. */
    public float[] read(TensorInfo t) throws IOException {
        long bytes = t.type().bytes(t.elements());
        if (bytes > Integer.MAX_VALUE || t.elements() > Integer.MAX_VALUE - 8) {
            throw new IOException(path + ": tensor " + t.name() + " is too large for one Java array ("
                    + t.elements() + " elements)");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long start = dataStart + t.offset();
            if (start + bytes > fileSize) {
                throw new IOException(path + ": truncated GGUF file at tensor " + t.name());
            }
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, start, bytes);
            buf.order(ByteOrder.LITTLE_ENDIAN);
            return Dequantize.toFloat(t.type(), buf, (int) t.elements());
        }
    }
}
