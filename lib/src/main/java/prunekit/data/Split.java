package prunekit.data;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The three document-level splits. Nothing drawn for calibration is ever evaluated on. */
public enum Split {
    /** Calibration data for pruning statistics (activations, gradients, similarities). */
    CALIBRATION("calibration"),
    /** For choosing thresholds and hyper-parameters. */
    VALIDATION("validation"),
    /** Held out: perplexity reports and the substitute tasks in data/tasks come from here only. */
    TEST("test");

    private final String label;

    Split(String label) {
        this.label = label;
    }

    /** The user-facing name, e.g. {@code "calibration"}. */
    public String label() {
        return label;
    }

    /** Parses a user-facing split name; the error lists the accepted ones. */
    public static Split parse(String name) {
        for (Split s : values()) {
            if (s.label.equals(name)) return s;
        }
        throw new IllegalArgumentException("unknown split '" + name + "', accepted: "
                + Arrays.stream(values()).map(Split::label).collect(Collectors.joining(", ")));
    }
}
