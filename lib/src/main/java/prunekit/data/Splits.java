package prunekit.data;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Document-level calibration / validation / test splits of one corpus.
 *
 * <p>Each document goes to a split by a seeded hash of its id: u = first 8 bytes of
 * SHA-256("{seed}:{corpus}:{id}") read as a fraction in [0, 1), then calibration if u &lt; 0.7,
 * validation if u &lt; 0.8, else test. The assignment of a document never depends on the other
 * documents, so adding files to a corpus does not move existing ones. The result is written once to
 * {@code data/splits/<corpus>.json} (committed) by {@link SplitGenerator} and read from there.
 *
 * @param corpus corpus name
 * @param seed hash seed the ids were assigned with
 * @param ids document ids per split, sorted
 */
public record Splits(String corpus, long seed, Map<Split, List<String>> ids) {

    /** Default proportions: 70% calibration, 10% validation, 20% test. */
    public static final double CALIBRATION_FRACTION = 0.7;
    /** Default proportions: validation takes the next 10%. */
    public static final double VALIDATION_FRACTION = 0.1;
    /** Seed of the committed splits. */
    public static final long DEFAULT_SEED = 0;

    /** Assigns every document of {@code corpus} by the seeded hash (see the class comment). */
    public static Splits assign(Corpus corpus, long seed) {
        return assign(corpus.name(), corpus.documents().stream().map(Document::id).toList(), seed);
    }

    /** Assigns {@code ids} of corpus {@code corpusName} by the seeded hash. */
    public static Splits assign(String corpusName, List<String> ids, long seed) {
        Map<Split, List<String>> out = new EnumMap<>(Split.class);
        for (Split s : Split.values()) out.put(s, new ArrayList<>());
        for (String id : ids) out.get(splitOf(corpusName, id, seed)).add(id);
        out.values().forEach(l -> l.sort(null));
        return new Splits(corpusName, seed, out);
    }

    /** The split the hash puts document {@code id} of {@code corpusName} in. */
    public static Split splitOf(String corpusName, String id, long seed) {
        double u = unitHash(seed + ":" + corpusName + ":" + id);
        if (u < CALIBRATION_FRACTION) return Split.CALIBRATION;
        if (u < CALIBRATION_FRACTION + VALIDATION_FRACTION) return Split.VALIDATION;
        return Split.TEST;
    }

    /** Ids of {@code split}. */
    public List<String> of(Split split) {
        return ids.get(split);
    }

    /** The documents of {@code corpus} that belong to {@code split}, in id order. */
    public List<Document> documents(Corpus corpus, Split split) {
        Set<String> wanted = new HashSet<>(of(split));
        List<Document> docs = corpus.documents().stream().filter(d -> wanted.contains(d.id())).toList();
        if (docs.size() != wanted.size()) {
            throw new IllegalStateException("data/splits/" + corpus.name() + ".json lists " + wanted.size() + " "
                    + split.label() + " documents but the cache has " + docs.size()
                    + " of them: re-run environment/fetch.sh, or regenerate splits with prunekit.data.SplitGenerator");
        }
        return docs;
    }

    /** Writes this split as JSON ({@code {"corpus", "seed", "proportions", "calibration": [ids], ...}}). */
    public void write(Path file) {
        JsonObject o = new JsonObject();
        o.addProperty("corpus", corpus);
        o.addProperty("seed", seed);
        o.addProperty("proportions", "calibration 0.7 / validation 0.1 / test 0.2 by seeded SHA-256 of the doc id");
        for (Split s : Split.values()) {
            JsonArray a = new JsonArray();
            of(s).forEach(a::add);
            o.add(s.label(), a);
        }
        Gson gson = new GsonBuilder().setPrettyPrinting().create();
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, gson.toJson(o) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write splits", e);
        }
    }

    /** Reads the committed splits of {@code corpus} from {@code data/splits/<corpus>.json}. */
    public static Splits load(String corpus) {
        return load(DataPaths.splits().resolve(Corpora.checkName(corpus) + ".json"));
    }

    /** Reads splits written by {@link #write}. */
    public static Splits load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + ": no split file; generate it with prunekit.data.SplitGenerator");
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            Map<Split, List<String>> ids = new LinkedHashMap<>();
            for (Split s : Split.values()) {
                if (!o.has(s.label())) throw new IllegalStateException(file + ": missing key '" + s.label() + "'");
                List<String> l = new ArrayList<>();
                for (JsonElement e : o.getAsJsonArray(s.label())) l.add(e.getAsString());
                ids.put(s, List.copyOf(l));
            }
            return new Splits(o.get("corpus").getAsString(), o.get("seed").getAsLong(), new EnumMap<>(ids));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read splits", e);
        } catch (JsonParseException | IllegalStateException | NullPointerException e) {
            throw new IllegalStateException(file + ": not a valid split file (" + e.getMessage() + ")", e);
        }
    }

    private static double unitHash(String key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            long bits = 0;
            for (int i = 0; i < 8; i++) bits = (bits << 8) | (h[i] & 0xff);
            return (bits >>> 11) * 0x1.0p-53;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
