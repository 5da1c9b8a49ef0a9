package prunekit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the project's files are: the checkout root (with {@code data/} and {@code environment/}).
 * Found from the system property {@code prunekit.root}, the environment variable
 * {@code PRUNEKIT_ROOT}, or by walking up from the working directory to the folder that holds
 * {@code environment/fetch.sh}.
 */
public final class Project {

    private Project() {}

    public static Path root() {
        String explicit = System.getProperty("prunekit.root", System.getenv("PRUNEKIT_ROOT"));
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("environment/fetch.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the prunekit checkout from " + Path.of("").toAbsolutePath()
                + ": run from inside it or set PRUNEKIT_ROOT");
    }

    /** The git-ignored cache that environment/fetch.sh fills. */
    public static Path cache() {
        return root().resolve("data/cache");
    }
}
