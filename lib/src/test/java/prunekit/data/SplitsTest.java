package prunekit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.testing.NeedsCache;

class SplitsTest {

    @TempDir Path dir;

    private static final List<String> IDS = IntStream.range(0, 20000).mapToObj(i -> "doc" + i).toList();

    @Test
    void deterministicDisjointAndCovering() {
        Splits a = Splits.assign("fake", IDS, 0);
        Splits b = Splits.assign("fake", IDS, 0);
        assertEquals(a, b);
        Set<String> all = new HashSet<>();
        for (Split s : Split.values()) for (String id : a.of(s)) assertTrue(all.add(id), "in two splits: " + id);
        assertEquals(new HashSet<>(IDS), all);
        // 70/10/20 within 1.5 points on 20000 ids (binomial sd < 0.33 points).
        assertEquals(0.7, a.of(Split.CALIBRATION).size() / 20000.0, 0.015);
        assertEquals(0.1, a.of(Split.VALIDATION).size() / 20000.0, 0.015);
        assertEquals(0.2, a.of(Split.TEST).size() / 20000.0, 0.015);
    }

    @Test
    void assignmentOfOneDocumentIgnoresTheOthersAndDependsOnSeed() {
        Splits all = Splits.assign("fake", IDS, 0);
        Splits some = Splits.assign("fake", IDS.subList(0, 100), 0);
        for (Split s : Split.values()) assertTrue(all.of(s).containsAll(some.of(s)));
        assertTrue(!all.equals(Splits.assign("fake", IDS, 1)));
    }

    @Test
    void writeThenLoadRoundTrips() {
        Splits a = Splits.assign("fake", IDS.subList(0, 50), 7);
        Path f = dir.resolve("fake.json");
        a.write(f);
        assertEquals(a, Splits.load(f));
    }

    @Test
    void committedSplitsAreDisjointAndMatchTheGenerator() {
        for (String name : Corpora.NAMES) {
            Splits s = Splits.load(name);
            Set<String> seen = new HashSet<>();
            for (Split sp : Split.values()) for (String id : s.of(sp)) assertTrue(seen.add(id), name + ": " + id);
            for (Split sp : Split.values()) {
                for (String id : s.of(sp)) assertEquals(sp, Splits.splitOf(name, id, s.seed()), name + ": " + id);
            }
        }
    }

    @Test
    @NeedsCache({NeedsCache.SOTU, NeedsCache.MOBY_DICK, NeedsCache.BROWN, NeedsCache.NLP_CORPUS})
    void committedSplitsAreThoseOfTheFetchedCorpora() {
        for (String name : Corpora.NAMES) assertEquals(Splits.load(name), Splits.assign(Corpora.open(name), 0), name);
    }

    @Test
    void clearErrorsForNamesAndMissingCache() {
        var e = assertThrows(IllegalArgumentException.class, () -> Split.parse("train"));
        assertTrue(e.getMessage().contains("calibration, validation, test"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Corpora.open("wikitext"));
        assertTrue(e.getMessage().contains("sotu, moby-dick, brown, nlp-corpus"), e.getMessage());
        var m = assertThrows(IllegalStateException.class, () -> Corpora.open("brown", dir).documents());
        assertTrue(m.getMessage().contains("environment/fetch.sh"), m.getMessage());
    }
}
