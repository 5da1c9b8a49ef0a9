package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import prunekit.data.tasks.ChoiceItem;

class MultipleChoiceTest {

    private static final double SAME = Math.log(0.5); // bigram over 258 byte ids
    private static final double OTHER = Math.log(0.5 / 257);
    private final BigramScorer scorer = new BigramScorer(258, 64);
    private final ByteTokenizer tok = new ByteTokenizer(true);

    @Test
    void accAndAccNormDisagreeOnByteLength() {
        // Item 1, context "x": "y" has ll = OTHER (1 byte); "yyyy" has OTHER + 3 SAME (4 bytes).
        // Sum prefers "y" (-6.24 > -8.32); per byte prefers "yyyy" (-2.08 > -6.24). Gold = "yyyy".
        // Item 2, context "ab": "b" (SAME) beats "c" (OTHER) both ways. Gold = "b".
        ChoiceTask task = new ChoiceTask("t", List.of(
                new ChoiceItem("x", List.of("y", "yyyy"), 1),
                new ChoiceItem("ab", List.of("b", "c"), 0)));
        MultipleChoice.Result r = MultipleChoice.evaluate(scorer, tok, task, new MultipleChoice.Config(3, false));
        assertEquals(OTHER, r.scores().get(0).logLik()[0], 1e-5);
        assertEquals(OTHER + 3 * SAME, r.scores().get(0).logLik()[1], 1e-5);
        assertEquals(SAME, r.scores().get(1).logLik()[0], 1e-5);
        assertEquals(0.5, r.acc(), 1e-12);
        assertEquals(1.0, r.accNorm(), 1e-12);
        // stderr of [0, 1]: sample sd sqrt(0.5), over sqrt(2) -> 0.5; of [1, 1] -> 0.
        assertEquals(0.5, r.accStderr(), 1e-12);
        assertEquals(0.0, r.accNormStderr(), 1e-12);
        assertEquals(0.5, r.chance(), 1e-12);
    }

    @Test
    void normalisesByUtf8BytesNotCharacters() {
        // "é" is 1 character but 2 bytes (2 tokens, both OTHER after "a"): per byte = OTHER.
        // "ab" is 2 bytes: OTHER + OTHER, per byte OTHER too; per character "é" would lose. Tie -> index 0.
        ChoiceTask task = new ChoiceTask("t", List.of(new ChoiceItem("a", List.of("é", "bc"), 0)));
        MultipleChoice.Result r = MultipleChoice.evaluate(scorer, tok, task, new MultipleChoice.Config(1, false));
        assertArrayEquals(new int[] {2, 2}, r.scores().get(0).bytes());
        assertEquals(2 * OTHER, r.scores().get(0).logLik()[0], 1e-5);
        assertEquals(1.0, r.accNorm(), 1e-12);
    }

    @Test
    void batchSizeDoesNotChangeScores() {
        ChoiceTask task = new ChoiceTask("t", List.of(
                new ChoiceItem("hello there", List.of(" you", " general kenobi", " x"), 1),
                new ChoiceItem("", List.of("aaa", "abc"), 0),
                new ChoiceItem("zz ", List.of("z", "zzzzz"), 1)));
        var one = MultipleChoice.evaluate(scorer, tok, task, new MultipleChoice.Config(1, false));
        var many = MultipleChoice.evaluate(scorer, tok, task, new MultipleChoice.Config(16, false));
        for (int i = 0; i < 3; i++) assertArrayEquals(one.scores().get(i).logLik(), many.scores().get(i).logLik(), 0);
    }

    @Test
    void encodesAsLmEval() {
        // Trailing space of the context moves to the continuation: "a " + "b" -> [BOS, a, ' ', b], 2 scored.
        MultipleChoice.Request q = MultipleChoice.encode(tok, "a ", "b", 64, 0, 0);
        assertArrayEquals(new int[] {ByteTokenizer.BOS, 'a', ' ', 'b'}, q.sequence());
        assertEquals(2, q.continuationTokens());
        // No BOS and empty context: condition on EOS.
        q = MultipleChoice.encode(new ByteTokenizer(false), "", "b", 64, 0, 0);
        assertArrayEquals(new int[] {ByteTokenizer.EOS, 'b'}, q.sequence());
        // Too long: keep the right end.
        q = MultipleChoice.encode(tok, "abcdef", "g", 4, 0, 0);
        assertArrayEquals(new int[] {'d', 'e', 'f', 'g'}, q.sequence());
    }

    @Test
    void meanStderrMatchesHandComputation() {
        // mean 0.6, Σ(x-m)² = 3(0.16) + 2(0.36) = 1.2, /4 = 0.3 -> sqrt(0.3)/sqrt(5).
        assertEquals(Math.sqrt(0.3) / Math.sqrt(5), MultipleChoice.meanStderr(new double[] {1, 0, 0, 1, 1}), 1e-12);
    }

    @Test
    void summariseTiesGoToTheFirstChoice() {
        var s = new MultipleChoice.ItemScore(new double[] {-2, -2, -3}, new int[] {1, 1, 1}, new int[] {1, 1, 1}, 1);
        assertEquals(0, s.predicted());
        var r = MultipleChoice.summarise("t", "m", List.of(s), 1.0 / 3, 0, ChoiceTask.Metric.ACC);
        assertEquals(0.0, r.acc());
    }

    @Test
    void rejectsBadItems() {
        assertThrows(IllegalArgumentException.class, () -> new ChoiceItem("c", List.of("a"), 0));
        assertThrows(IllegalArgumentException.class, () -> new ChoiceItem("c", List.of("a", "b"), 2));
    }
}
