package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PerplexityTest {

    private static final Perplexity.Config QUIET = new Perplexity.Config(3, 0, 2, false);
    private final BigramScorer scorer = new BigramScorer(4, 16); // p(same) = 1/2, p(other) = 1/6

    @Test
    void noBosWindowsScoreAllButTheirFirstToken() {
        // [0,0,0] [1,1,1]: four predictions of a repeated token, each 1/2 -> ppl 2.
        Perplexity.Result r = Perplexity.ofStream(scorer, new int[] {0, 0, 0, 1, 1, 1, 2}, -1, "t", QUIET);
        assertEquals(2, r.windows());
        assertEquals(4, r.tokens());
        assertEquals(2.0, r.ppl(), 1e-6);
        assertEquals(Math.log(2), r.nll(), 1e-6);
    }

    @Test
    void bosWindowsScoreEveryStreamToken() {
        // BOS = 3, windows [3,0,0] [3,0,1] [3,1,1]: probs 1/6,1/2, 1/6,1/6, 1/6,1/2 -> ppl (6^4 2^2)^(1/6).
        Perplexity.Result r = Perplexity.ofStream(scorer, new int[] {0, 0, 0, 1, 1, 1}, 3, "t", QUIET);
        assertEquals(3, r.windows());
        assertEquals(6, r.tokens());
        assertEquals(Math.pow(5184, 1.0 / 6), r.ppl(), 1e-5);
        assertTrue(r.bos());
    }

    @Test
    void batchingDoesNotChangeTheResult() {
        int[] stream = {0, 1, 1, 2, 2, 2, 0, 3, 3, 1, 0, 0, 2, 1};
        double a = Perplexity.ofStream(scorer, stream, -1, "t", QUIET.withSeqLen(4)).ppl();
        double b = Perplexity.ofStream(scorer, stream, -1, "t", new Perplexity.Config(4, 0, 1, false)).ppl();
        assertEquals(a, b, 1e-12);
    }

    @Test
    void textGoesThroughTheTokenizer() {
        // bytes "aab" with BOS: windows [BOS,a,a] and trailing "b" dropped; p(a|BOS), p(a|a) over V = 258.
        BigramScorer bytes = new BigramScorer(258, 16);
        Perplexity.Result r = Perplexity.ofText(bytes, new ByteTokenizer(true), "aab", "t", QUIET);
        double nll = -(Math.log(0.5 / 257) + Math.log(0.5)) / 2;
        assertEquals(Math.exp(nll), r.ppl(), 1e-3);
        assertEquals(1, r.windows());
    }

    @Test
    void windowCounts() {
        assertEquals(3, Perplexity.windowCount(10, 3, false, 0)); // 10 / 3
        assertEquals(5, Perplexity.windowCount(10, 3, true, 0)); // 10 / 2
        assertEquals(2, Perplexity.windowCount(10, 3, true, 5)); // cap 5 tokens / 2 per window
        assertEquals(1, Perplexity.windowCount(10, 3, true, 1)); // at least one window
        assertEquals(0, Perplexity.windowCount(1, 3, true, 0));
    }

    @Test
    void capLimitsScoredTokens() {
        Perplexity.Result r = Perplexity.ofStream(scorer, new int[40], 3, "t", QUIET.withMaxTokens(7));
        assertEquals(3, r.windows());
        assertEquals(6, r.tokens());
    }

    @Test
    void clearErrors() {
        ByteTokenizer tok = new ByteTokenizer(true);
        var e = assertThrows(IllegalArgumentException.class, () -> Perplexity.ofText(scorer, tok, "  ", "empty.txt", QUIET));
        assertTrue(e.getMessage().contains("empty.txt"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Perplexity.ofStream(scorer, new int[100], 3, "t", QUIET.withSeqLen(17)));
        assertTrue(e.getMessage().contains("16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QUIET.withSeqLen(1));
        e = assertThrows(IllegalArgumentException.class, () -> Perplexity.ofStream(scorer, new int[] {1}, 3, "short", QUIET));
        assertTrue(e.getMessage().contains("fewer than one window"), e.getMessage());
    }
}
