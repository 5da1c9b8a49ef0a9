package prunekit.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code --name value} options of the benchmarks' main classes ({@link GenerationBenchmark},
 * {@link RecoveryBenchmark}), which the benchmark scripts call directly: parsed once, read with errors
 * that name the option and the class whose javadoc lists them.
 */
final class MainOptions {

    private final String owner;
    private final Map<String, String> values = new LinkedHashMap<>();

    private MainOptions(String owner) {
        this.owner = owner;
    }

    /** {@code args} as pairs {@code --name value}; {@code owner} names the class in errors. */
    static MainOptions parse(String owner, String[] args) {
        if (args.length % 2 != 0) throw new IllegalArgumentException("options come in pairs (--name value); got " + Arrays.toString(args));
        MainOptions o = new MainOptions(owner);
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected an option --name, got '" + args[i] + "'");
            o.values.put(args[i], args[i + 1]);
        }
        return o;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String required(String name) {
        String v = values.get(name);
        if (v == null) throw new IllegalArgumentException(name + " is required (see " + owner + "'s javadoc)");
        return v;
    }

    /** A whole number >= 1, {@code fallback} when absent. */
    int positive(String name, int fallback) {
        int v = Integer.parseInt(get(name, Integer.toString(fallback)));
        if (v < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        return v;
    }

    /** A whole number >= 0, {@code fallback} when absent. */
    int nonNegative(String name, int fallback) {
        int v = Integer.parseInt(get(name, Integer.toString(fallback)));
        if (v < 0) throw new IllegalArgumentException(name + " must be >= 0, got " + v);
        return v;
    }

    /** The lockstep ring of {@code --lockstep MINE,NEXT}, or {@link Turns#ALONE} without it. */
    Turns turns() {
        if (!has("--lockstep")) return Turns.ALONE;
        String spec = values.get("--lockstep");
        String[] fifos = spec.split(",");
        if (fifos.length != 2) throw new IllegalArgumentException("--lockstep takes two FIFO paths, MINE,NEXT; got '" + spec + "'");
        return Turns.ring(Path.of(fifos[0]), Path.of(fifos[1]));
    }
}
