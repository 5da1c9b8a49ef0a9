package prunekit.eval;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Supplier;
import prunekit.data.DataPaths;
import prunekit.model.Tokenizer;
import prunekit.stats.StatsCache;

/**
 * Dense baselines computed once and kept on disk, so that every notebook and table compares against
 * the same numbers (the same windows, the same per-window NLLs that a {@link PairedComparison}
 * pairs with) instead of recomputing — and drifting — per cell.
 *
 * <p>Format: {@code data/cache/baselines/<sha256 of key, 16 hex>.json}, the {@link Perplexity.Result}
 * as JSON plus its {@code key} (model name, data, window length, token cap, BOS), checked on read.
 * Only for a model as loaded: an edited model must get another name (its {@code copy(name)}) so that
 * it never reads the dense model's entry. A file that does not parse or whose key differs is an error
 * naming the file: delete it to recompute.
 */
public final class Baselines {

    private static final Gson GSON = new com.google.gson.GsonBuilder()
            .serializeSpecialFloatingPointValues().disableHtmlEscaping().create();

    private Baselines() {}

    /** Perplexity of a corpus split, from the cache or computed and stored. */
    public static Perplexity.Result perplexity(TokenScorer scorer, Tokenizer tokenizer, String corpus, String split,
                                               Perplexity.Config config) {
        String key = key(scorer.name(), corpus + "/" + split, config, tokenizer.bosId() >= 0);
        return cached(DataPaths.cache().resolve("baselines"), key,
                () -> Perplexity.ofSplit(scorer, tokenizer, corpus, split, config));
    }

    /** The cache key of a perplexity measurement. */
    static String key(String model, String data, Perplexity.Config config, boolean bos) {
        return "model=" + model + ";data=" + data + ";seqlen=" + config.seqLen() + ";max_tokens=" + config.maxTokens()
                + ";bos=" + bos;
    }

    /** The result stored under {@code key} in {@code dir}, or {@code compute}'s, stored there first. */
    static Perplexity.Result cached(Path dir, String key, Supplier<Perplexity.Result> compute) {
        Path file = dir.resolve(StatsCache.digest(key) + ".json");
        if (Files.isRegularFile(file)) return read(file, key);
        Perplexity.Result r = compute.get();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");   // unique: kernels may share the cache
            Files.writeString(tmp, GSON.toJson(new Entry(key, r)), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException(file + ": cannot write the baseline cache: " + e.getMessage(), e);
        }
        return r;
    }

    private static Perplexity.Result read(Path file, String key) {
        Entry e;
        try {
            e = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Entry.class);
        } catch (IOException | JsonParseException ex) {
            throw new IllegalStateException(file + ": unreadable baseline cache (" + ex.getMessage() + "): delete it to recompute", ex);
        }
        if (e == null || e.result() == null || !key.equals(e.key())) {
            throw new IllegalStateException(file + ": holds key '" + (e == null ? null : e.key()) + "', expected '" + key
                    + "': delete it to recompute");
        }
        return e.result();
    }

    /** One cached measurement. */
    private record Entry(String key, Perplexity.Result result) {}
}
