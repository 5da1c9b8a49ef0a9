package prunekit.data;

import java.nio.file.Path;
import prunekit.model.ProjectRoot;

/**
 * The project's {@code data/} folders, under the root that {@link ProjectRoot} finds (the system
 * property {@code prunekit.root}, else the environment variable {@code PRUNEKIT_ROOT}, else the
 * nearest ancestor of the working directory that holds {@code environment/fetch.sh}).
 */
public final class DataPaths {

    private DataPaths() {}

    /** The project root (the folder holding {@code data/} and {@code environment/}): {@link ProjectRoot#find()}. */
    public static Path root() {
        return ProjectRoot.find();
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
        return ProjectRoot.cache();
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
