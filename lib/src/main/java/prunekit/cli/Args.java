package prunekit.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code --key value} options of one subcommand, checked against the keys it accepts. */
final class Args {

    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    Args(String command, String[] argv, int from, Set<String> accepted) {
        this(command, argv, from, accepted, Set.of());
    }

    /** As above; {@code flags} are options that take no value (present means "true"). */
    Args(String command, String[] argv, int from, Set<String> accepted, Set<String> flags) {
        this.command = command;
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument '" + a + "'");
            }
            String key = a.substring(2);
            if (flags.contains(key)) {
                values.put(key, "true");
                continue;
            }
            if (!accepted.contains(key)) {
                throw new UsageException(command + ": unknown option --" + key + " (accepted: --"
                        + String.join(", --", accepted) + (flags.isEmpty() ? "" : ", --" + String.join(", --", flags))
                        + ")");
            }
            if (i + 1 >= argv.length) {
                throw new UsageException(command + ": option --" + key + " needs a value");
            }
            values.put(key, argv[++i]);
        }
    }

    String required(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new UsageException(command + ": --" + key + " is required");
        }
        return v;
    }

    String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    int integer(String key, int fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + key + " must be an integer, got '" + v + "'");
        }
    }

    /** A bad command line: printed with the usage, exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
