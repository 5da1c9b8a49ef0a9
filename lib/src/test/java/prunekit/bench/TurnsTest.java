package prunekit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TurnsTest {

    @Test
    void twoPlacesOfARingAlternateStrictly(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("turn-0");
        Path b = dir.resolve("turn-1");
        Process mkfifo = new ProcessBuilder("mkfifo", a.toString(), b.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo failed");
        Turns first = Turns.ring(a, b);
        Turns second = Turns.ring(b, a);
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        Thread ta = new Thread(() -> take(first, "A", log));
        Thread tb = new Thread(() -> take(second, "B", log));
        tb.start();                                   // B is ready first, but the first turn is A's
        Thread.sleep(50);
        ta.start();
        second.pass();                                // the first byte, into A's FIFO
        ta.join(10_000);
        tb.join(10_000);
        assertEquals(List.of("A0", "B0", "A1", "B1", "A2", "B2", "A3", "B3"), log);
    }

    private static void take(Turns turns, String name, List<String> log) {
        for (int i = 0; i < 4; i++) {
            turns.await();
            log.add(name + i);
            turns.pass();
        }
    }

    @Test
    void aMissingFifoIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-fifo");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Turns.ring(missing, missing));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("mkfifo"), e.getMessage());
    }
}
