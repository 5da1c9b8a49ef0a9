package prunekit.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {

    /** A clock the test moves by hand, in nanoseconds. */
    private long now;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private Progress start(long total, boolean notebook) {
        return new Progress("ppl", total, out, notebook, () -> now);
    }

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void notebookPrintsATenthAtATimeThenASummary() {
        try (Progress progress = start(100, true)) {
            for (int i = 0; i < 100; i++) {
                now += 100_000_000L; // 0.1 s a step: 10 steps a second
                progress.step();
            }
        }
        List<String> lines = output().lines().toList();

        assertEquals(10, lines.size(), output()); // 10%, 20%, ..., 90%, then the summary
        assertEquals("ppl [##..................]  10/100  10% 10.0/s ETA 0:09", lines.get(0));
        assertEquals("ppl [##################..]  90/100  90% 10.0/s ETA 0:01", lines.get(8));
        assertEquals("ppl: done 100/100 in 0:10 (10.0/s)", lines.get(9));
        assertFalse(output().contains("\r"));
    }

    @Test
    void notebookPrintsWhenSilentForThirtySeconds() {
        try (Progress progress = start(1000, true)) {
            now += 29_000_000_000L;
            progress.step(); // 29 s since start: quiet
            now += 2_000_000_000L;
            progress.step(); // 31 s: a line
        }
        List<String> lines = output().lines().toList();

        assertEquals(2, lines.size(), output());
        assertTrue(lines.get(0).startsWith("ppl [....................]    2/1000   0% 15.5s/step ETA 4:17:"), lines.get(0));
        assertEquals("ppl: stopped at 2/1000 in 0:31 (15.5s/step)", lines.get(1));
    }

    @Test
    void terminalRedrawsOneLineAtMostTenTimesASecond() {
        try (Progress progress = start(1000, false)) {
            for (int i = 0; i < 1000; i++) {
                now += 1_000_000L; // 1 ms a step
                progress.step();
            }
        }
        String text = output();

        // One redraw per 100 ms of the 1 s loop, the last one on completion, then the summary.
        assertEquals(10 + 1, text.chars().filter(c -> c == '\r').count(), text);
        assertEquals(1, text.chars().filter(c -> c == '\n').count(), text);
        assertTrue(text.contains("\rppl [##########..........]  500/1000  50% 1000.0/s ETA 0:01"), text);
        String last = "ppl [####################] 1000/1000 100% 1000.0/s ETA 0:00";
        String summary = "ppl: done 1000/1000 in 0:01 (1000.0/s)";
        // The summary overwrites the longer last line, padded with blanks to hide its end.
        assertTrue(text.endsWith("\r" + last + "\r" + summary + " ".repeat(last.length() - summary.length()) + "\n"), text);
    }

    @Test
    void clockAndRate() {
        assertEquals("0:05", Progress.clock(4.6));
        assertEquals("1:05", Progress.clock(65));
        assertEquals("1:02:05", Progress.clock(3725));
        assertEquals("2.5s/step", Progress.rate(2, 5_000_000_000L));
        assertEquals("4.0/s", Progress.rate(10, 2_500_000_000L));
        assertEquals("?/s", Progress.rate(0, 1));
    }

    @Test
    void rejectsAnEmptyLoop() {
        var error = assertThrows(IllegalArgumentException.class, () -> start(0, false));
        assertEquals("progress 'ppl': total must be positive, got 0", error.getMessage());
    }
}
