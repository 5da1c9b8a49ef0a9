package prunekit.model.io;

import java.io.IOException;
import java.nio.file.Path;

/** The GGML tensor types prunekit can dequantise, with their block sizes. */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),  // fp16 scale d + 16 bytes of 4-bit q:         w = d·(q − 8)
    Q4_1(3, 32, 20),  // fp16 scale d + fp16 min m + 16 bytes:        w = d·q + m
    Q8_0(8, 32, 34),  // fp16 scale d + 32 int8:                      w = d·q
    BF16(30, 1, 2);

    final int id;
    final int blockSize;
    final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** Bytes needed for {@code n} elements. */
    long bytes(long n) {
        return n / blockSize * blockBytes;
    }

    static GgmlType of(int id, Path file, String tensor) throws IOException {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new IOException(file + ": tensor " + tensor + " has GGML type " + id + " ("
                + knownName(id) + "), supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1");
    }

    private static String knownName(int id) {
        String[] names = {"F32", "F16", "Q4_0", "Q4_1", "Q4_2 (removed)", "Q4_3 (removed)", "Q5_0", "Q5_1",
            "Q8_0", "Q8_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"};
        return id >= 0 && id < names.length ? names[id] : "unknown";
    }
}
