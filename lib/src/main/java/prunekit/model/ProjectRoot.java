package prunekit.model;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the project root, the folder holding {@code data/} and {@code environment/}: the system
 * property {@code prunekit.root}, else the environment variable {@code PRUNEKIT_ROOT}, else the
 * nearest ancestor of the working directory that holds {@code environment/fetch.sh}. It lives on the
 * model floor because {@link Models} finds the bundled checkpoints under it; the data package's
 * {@code DataPaths} builds its folders on it.
 */
public final class ProjectRoot {

    private ProjectRoot() {}

    /** The project root. */
    public static Path find() {
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

    /** {@code data/cache/} (git-ignored, filled by environment/fetch.sh: models and corpora). */
    public static Path cache() {
        return find().resolve("data").resolve("cache");
    }
}
