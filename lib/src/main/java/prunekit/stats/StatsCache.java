package prunekit.stats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import prunekit.data.DataPaths;
import prunekit.model.HostTensor;
import prunekit.model.io.Safetensors;

/**
 * An on-disk cache of per-weight statistics, one folder per key, one file per decoder layer.
 *
 * <p>Format: {@code data/cache/stats/<kind>-<sha256 of key, 16 hex>/layer-<i>.safetensors}, float32
 * safetensors (readable from Python with {@code safetensors.torch.load_file}); tensors are named
 * {@code layers.<i>.<module>.<statistic>} (e.g. {@code layers.3.down_proj.l2}) and the file's
 * {@code __metadata__} holds {@code key} (the full key text, e.g.
 * {@code model=...;samples=128;seqlen=256;tokens=<hash>;scale=100}) and {@code layer}. A file
 * whose key differs, or that cannot be parsed, is an error naming the file: delete it to recompute.
 */
public final class StatsCache {

    private final Path dir;
    private final String key;

    /**
     * @param dir folder of this key's files
     * @param key full key text, stored in and checked against every file
     */
    public StatsCache(Path dir, String key) {
        this.dir = dir;
        this.key = key;
    }

    /** The cache of {@code key} under {@code data/cache/stats/}. */
    public static StatsCache of(String kind, String key) {
        return new StatsCache(DataPaths.cache().resolve("stats").resolve(kind + "-" + digest(key)), key);
    }

    public Path dir() {
        return dir;
    }

    public String key() {
        return key;
    }

    /** The file of layer {@code layer}. */
    public Path file(int layer) {
        return dir.resolve("layer-" + layer + ".safetensors");
    }

    /** Whether every layer {@code 0..layers-1} has a file. */
    public boolean complete(int layers) {
        for (int l = 0; l < layers; l++) {
            if (!Files.isRegularFile(file(l))) return false;
        }
        return true;
    }

    /** Writes one layer's tensors (atomically: a temporary file, then a rename). */
    public void write(int layer, Map<String, HostTensor> tensors) {
        Path f = file(layer);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, f.getFileName().toString(), ".tmp");   // unique: several processes may fill the cache
            Safetensors.write(tmp, tensors, Map.of("key", key, "layer", Integer.toString(layer)));
            Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException(f + ": cannot write statistics cache: " + e.getMessage(), e);
        }
    }

    /** Reads one layer's tensors, checking the key. */
    public Map<String, HostTensor> read(int layer) {
        Path f = file(layer);
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException(f + ": no cached statistics for layer " + layer + " (key " + key + ")");
        }
        try {
            Map<String, String> meta = Safetensors.metadata(f);
            if (!key.equals(meta.get("key")) || !Integer.toString(layer).equals(meta.get("layer"))) {
                throw new IllegalStateException(f + ": cached statistics are for key '" + meta.get("key") + "', layer "
                        + meta.get("layer") + ", expected key '" + key + "', layer " + layer
                        + ": delete " + dir + " to recompute");
            }
            return Safetensors.read(f);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalStateException) throw (IllegalStateException) e;
            throw new IllegalStateException(f + ": corrupt statistics cache (" + e.getMessage() + "): delete " + dir
                    + " to recompute", e);
        }
    }

    /** First 16 hex digits of the SHA-256 of {@code text}: the file names of on-disk caches. */
    public static String digest(String text) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A content hash of calibration windows, for cache keys. */
    public static String tokensDigest(int[][] windows) {
        StringBuilder sb = new StringBuilder();
        for (int[] w : windows) {
            for (int t : w) sb.append(t).append(',');
            sb.append(';');
        }
        return digest(sb.toString());
    }
}
