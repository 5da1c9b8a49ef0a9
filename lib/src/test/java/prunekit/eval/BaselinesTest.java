package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselinesTest {

    @TempDir Path dir;

    private static final Perplexity.Config QUIET = new Perplexity.Config(8, 0, 16, false);

    @Test
    void computesOnceAndReadsBackTheSameWindows() {
        AtomicInteger computed = new AtomicInteger();
        String key = Baselines.key("noisy", "synthetic", QUIET, false);
        var first = Baselines.cached(dir, key, () -> {
            computed.incrementAndGet();
            return Perplexity.ofStream(new NoisyScorer(3, 1, 5), NoisyScorer.stream(30, 8), -1, "synthetic", QUIET);
        });
        var second = Baselines.cached(dir, key, () -> {
            throw new AssertionError("recomputed a cached baseline");
        });
        assertEquals(1, computed.get());
        assertEquals(first.ppl(), second.ppl());
        assertArrayEquals(first.windowNll(), second.windowNll());
        assertEquals(first.ci95(), second.ci95());
        assertEquals(PairedComparison.Verdict.TIE, PairedComparison.of(first, second).verdict());
    }

    @Test
    void aFileWithAnotherKeyIsAnErrorNamingIt() throws Exception {
        String key = Baselines.key("noisy", "synthetic", QUIET, false);
        Baselines.cached(dir, key, () -> Perplexity.ofStream(new NoisyScorer(3, 1, 5), NoisyScorer.stream(4, 8), -1,
                "synthetic", QUIET));
        Path file;
        try (var files = Files.list(dir)) {
            file = files.findFirst().orElseThrow();
        }
        Files.writeString(file, Files.readString(file).replace("model=noisy", "model=other"));
        var e = assertThrows(IllegalStateException.class, () -> Baselines.cached(dir, key, () -> null));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("delete it"), e.getMessage());
    }
}
