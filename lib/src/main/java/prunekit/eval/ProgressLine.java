package prunekit.eval;

/**
 * Line-based progress on stderr for long evaluation loops: at most one line every
 * {@link #INTERVAL_NANOS}, plus a final line, and nothing at all for loops of a single step.
 */
final class ProgressLine {

    /** Minimum time between two printed lines: 5 s. */
    static final long INTERVAL_NANOS = 5_000_000_000L;

    private final String label;
    private final int total;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long lastPrint = start;

    ProgressLine(String label, int total, boolean enabled) {
        this.label = label;
        this.total = total;
        this.enabled = enabled && total > 1;
    }

    /** Reports that {@code done} of {@code total} steps are finished; {@code note} is appended. */
    void update(int done, String note) {
        if (!enabled) return;
        long now = System.nanoTime();
        if (done < total && now - lastPrint < INTERVAL_NANOS) return;
        lastPrint = now;
        double s = (now - start) / 1e9;
        double eta = done == 0 ? Double.NaN : s / done * (total - done);
        System.err.printf("%s: %d/%d (%.0f%%) %.1fs elapsed, eta %.1fs %s%n",
                label, done, total, 100.0 * done / total, s, eta, note);
    }

    /** Seconds since construction. */
    double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }
}
