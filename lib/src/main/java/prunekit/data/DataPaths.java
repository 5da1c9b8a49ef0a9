package prunekit.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the project's {@code data/} folder: the system property {@code prunekit.root}, else the
 * environment variable {@code PRUNEKIT_ROOT}, else the nearest ancestor of the working directory
 * that holds {@code environment/fetch.sh}.
 */
public final class DataPaths {

    private DataPaths() {}

    /** The project root (the folder holding {@code data/} and {@code environment/}). */
    public static Path root() {
        String prop = System.getProperty("prunekit.root");
        if (prop != null && !prop.isBlank()) return Path.of(prop).toAbsolutePath().normalize();
        String env = System.getenv("PRUNEKIT_ROOT");
        if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath().normalize();
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("environment/fetch.sh"))) return p;
        }
        throw new IllegalStateException("cannot find the prunekit root from " + Path.of("").toAbsolutePath()
                + ": set -Dprunekit.root=/path/to/prunekit or PRUNEKIT_ROOT");
    }

    /** {@code data/}. */
    public static Path data() {
        return root().resolve("data");
    }

    /** {@code data/cache/corpora/} (git-ignored, filled by environment/fetch.sh). */
    public static Path corporaCache() {
        return cache().resolve("corpora");
    }

    /** {@code data/cache/} (git-ignored, filled by environment/fetch.sh: models and corpora). */
    public static Path cache() {
        return data().resolve("cache");
    }

    /** {@code data/splits/}. */
    public static Path splits() {
        return data().resolve("splits");
    }

    /** {@code data/tasks/}. */
    public static Path tasks() {
        return data().resolve("tasks");
    }

    /** {@code data/results/}. */
    public static Path results() {
        return data().resolve("results");
    }
}
