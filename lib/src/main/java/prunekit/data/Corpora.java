package prunekit.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The corpora prunekit knows by name, and helpers their readers share. */
public final class Corpora {

    /** Accepted corpus names, in the order tables list them. */
    public static final List<String> NAMES = List.of("sotu", "moby-dick", "brown", "nlp-corpus");

    private Corpora() {}

    /** Opens {@code name} from the default cache {@link DataPaths#corporaCache()}. */
    public static Corpus open(String name) {
        return open(name, DataPaths.corporaCache());
    }

    /**
     * Opens corpus {@code name} from {@code cacheRoot/<name>/}.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the accepted ones)
     * @throws IllegalStateException if the cache folder is missing (the message says to run fetch.sh)
     */
    public static Corpus open(String name, Path cacheRoot) {
        Path dir = cacheRoot.resolve(checkName(name));
        return switch (name) {
            case "sotu" -> new SotuCorpus(dir);
            case "moby-dick" -> new MobyDickCorpus(dir);
            case "brown" -> new BrownCorpus(dir);
            case "nlp-corpus" -> new NlpCorpus(dir);
            default -> throw new AssertionError(name);
        };
    }

    /**
     * The documents of one split of one corpus, as listed in the committed
     * {@code data/splits/<corpus>.json}, e.g. {@code documents("brown", "test")}.
     */
    public static List<Document> documents(String corpus, String split) {
        Split s = Split.parse(split);
        return Splits.load(corpus).documents(open(corpus), s);
    }

    /** Returns {@code name} if it is one of {@link #NAMES}, else throws naming the accepted ones. */
    public static String checkName(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown corpus '" + name + "', accepted: " + String.join(", ", NAMES));
        }
        return name;
    }

    /** Files directly under {@code dir} whose names end with {@code suffix}, sorted; checks the cache first. */
    static List<Path> files(Path dir, String corpus, String suffix) {
        requireCache(dir, corpus);
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list corpus files", e);
        }
    }

    /** Throws a message naming the fix when a corpus folder is absent. */
    static void requireCache(Path dir, String corpus) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir + ": corpus '" + corpus
                    + "' is not in the cache; run environment/fetch.sh to download and unpack it");
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read", e);
        }
    }

    static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? n : n.substring(0, dot);
    }
}
