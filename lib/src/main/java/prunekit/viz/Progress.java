package prunekit.viz;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long loop, with rate and time left:
 *
 * <pre>{@code
 * try (var progress = Progress.start("perplexity", windows.size())) {
 *     for (var window : windows) {
 *         score(window);
 *         progress.step();
 *     }
 * }
 * }</pre>
 *
 * <p>In a terminal it redraws one line on standard error with carriage returns, at most ten times
 * a second: {@code perplexity [#######.............]  35/100  35% 12.3/s ETA 0:05}. In a
 * notebook ({@link Notebook#isActive()}) a redrawn line would pile up in the saved output, so it
 * prints a full line to standard output at every tenth of the way and at least every
 * {@value #NOTEBOOK_INTERVAL_SECONDS} seconds. Closing prints a summary line in both cases.
 */
public final class Progress implements AutoCloseable {

    /** Longest silence in a notebook, in seconds. */
    static final long NOTEBOOK_INTERVAL_SECONDS = 30;

    private static final long TERMINAL_REDRAW_NANOS = 100_000_000L;
    private static final int BAR_WIDTH = 20;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean notebook;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private long done;
    private long lastPrintNanos;
    private long lastTenth;
    private int lastLineLength;
    private String status = "";                 // shown after the bar, set by step(n, status)
    private boolean closed;

    Progress(String label, long total, PrintStream out, boolean notebook, LongSupplier nanoClock) {
        if (total <= 0) {
            throw new IllegalArgumentException("progress '" + label + "': total must be positive, got " + total);
        }
        this.label = label;
        this.total = total;
        this.out = out;
        this.notebook = notebook;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.lastPrintNanos = startNanos;
    }

    /** Starts reporting a loop of {@code total} steps, in the style that suits where the JVM runs. */
    public static Progress start(String label, long total) {
        boolean notebook = Notebook.isActive();
        return new Progress(label, total, notebook ? System.out : System.err, notebook, System::nanoTime);
    }

    /** One step done. */
    public void step() {
        step(1);
    }

    /** {@code steps} steps done. */
    public void step(long steps) {
        step(steps, "");
    }

    /**
     * {@code steps} steps done, with a status shown after the bar until the next one (e.g.
     * {@code "loss 2.914  812 tok/s"}).
     */
    public void step(long steps, String status) {
        this.status = status;
        done = Math.min(total, done + steps);
        long now = nanoClock.getAsLong();
        if (notebook) {
            long tenth = done * 10 / total;
            boolean silentTooLong = now - lastPrintNanos >= NOTEBOOK_INTERVAL_SECONDS * 1_000_000_000L;
            if ((tenth > lastTenth && done < total) || silentTooLong) {
                out.println(line(now));
                lastTenth = tenth;
                lastPrintNanos = now;
            }
        } else if (now - lastPrintNanos >= TERMINAL_REDRAW_NANOS || done == total) {
            redraw(line(now));
            lastPrintNanos = now;
        }
    }

    /** Prints the summary line: steps done, time taken, mean rate. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long elapsed = nanoClock.getAsLong() - startNanos;
        String summary = String.format(Locale.ROOT, "%s: %s %d/%d in %s (%s)", label,
                done == total ? "done" : "stopped at", done, total, clock(elapsed / 1e9), rate(done, elapsed));
        if (notebook) {
            out.println(summary);
        } else {
            redraw(summary);
            out.println();
        }
        out.flush();
    }

    /** The progress line: label, bar, count, percentage, rate and time left. */
    String line(long nowNanos) {
        long elapsed = nowNanos - startNanos;
        int filled = (int) (BAR_WIDTH * done / total);
        String bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
        String eta = done == 0 || elapsed == 0 ? "?" : clock((total - done) * (elapsed / 1e9) / done);
        int width = Long.toString(total).length();
        return String.format(Locale.ROOT, "%s [%s] %" + width + "d/%d %3d%% %s ETA %s%s",
                label, bar, done, total, done * 100 / total, rate(done, elapsed), eta, status.isEmpty() ? "" : "  " + status);
    }

    private void redraw(String text) {
        out.print('\r' + text + " ".repeat(Math.max(0, lastLineLength - text.length())));
        out.flush();
        lastLineLength = text.length();
    }

    /** Steps per second, or seconds per step when a step takes longer than a second. */
    static String rate(long steps, long elapsedNanos) {
        if (steps == 0 || elapsedNanos == 0) {
            return "?/s";
        }
        double perSecond = steps / (elapsedNanos / 1e9);
        return perSecond >= 1
                ? String.format(Locale.ROOT, "%.1f/s", perSecond)
                : String.format(Locale.ROOT, "%.1fs/step", 1 / perSecond);
    }

    /** Seconds as {@code m:ss}, or {@code h:mm:ss} from an hour on. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
