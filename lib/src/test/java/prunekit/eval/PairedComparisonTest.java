package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PairedComparisonTest {

    private static final Perplexity.Config QUIET = new Perplexity.Config(8, 0, 16, false);
    private static final int[] STREAM = NoisyScorer.stream(80, 8);

    private static Perplexity.Result ppl(double mean) {
        return Perplexity.ofStream(new NoisyScorer(mean, 1.5, 42), STREAM, -1, "synthetic", QUIET);
    }

    @Test
    void findsAKnownPerplexityDifferenceThatSeparateIntervalsCannot() {
        // Same windows, same noise, A 0.03 nats per token lower: ratio exp(-0.03) exactly.
        Perplexity.Result a = ppl(3.0);
        Perplexity.Result b = ppl(3.03);
        assertTrue(a.ci95().high() > b.ci95().low(), "the separate intervals overlap");
        PairedComparison c = PairedComparison.of(a, b);
        assertEquals(Math.exp(-0.03), c.estimate(), 1e-5);
        assertTrue(c.ci95().contains(Math.exp(-0.03)));
        assertEquals(PairedComparison.Verdict.BETTER, c.verdict());
        assertEquals(PairedComparison.Verdict.WORSE, PairedComparison.of(b, a).verdict());
    }

    @Test
    void zeroPerplexityDifferenceIsATie() {
        // Independent noise around the same mean: no difference to find.
        Perplexity.Result a = Perplexity.ofStream(new NoisyScorer(3.0, 0.5, 1), STREAM, -1, "synthetic", QUIET);
        Perplexity.Result b = Perplexity.ofStream(new NoisyScorer(3.0, 0.5, 2), STREAM, -1, "synthetic", QUIET);
        PairedComparison c = PairedComparison.of(a, b);
        assertEquals(PairedComparison.Verdict.TIE, c.verdict(), c.toString());
        assertTrue(c.ci95().contains(1.0));
        assertEquals("tie (within noise)", c.verdict().toString());
        assertEquals(PairedComparison.Verdict.TIE, PairedComparison.of(a, a).verdict());
    }

    @Test
    void rejectsDifferentWindows() {
        Perplexity.Result a = ppl(3.0);
        Perplexity.Result b = Perplexity.ofStream(new NoisyScorer(3.0, 1.5, 42), STREAM, -1, "synthetic",
                QUIET.withMaxTokens(7 * 40));
        var e = assertThrows(IllegalArgumentException.class, () -> PairedComparison.of(a, b));
        assertTrue(e.getMessage().contains("40 windows"), e.getMessage());
    }

    @Test
    void findsAKnownAccuracyDifferenceAndCallsNoneATie() {
        // 1,000 two-choice items: A right on 75 %, B on the same items except 60 of them (-6 points).
        SplittableRandom rng = new SplittableRandom(3);
        List<MultipleChoice.ItemScore> a = new ArrayList<>();
        List<MultipleChoice.ItemScore> b = new ArrayList<>();
        List<MultipleChoice.ItemScore> b2 = new ArrayList<>();
        int lost = 0;
        for (int i = 0; i < 1000; i++) {
            boolean right = rng.nextDouble() < 0.75;
            a.add(item(right));
            boolean loses = right && lost < 60;
            if (loses) lost++;
            b.add(item(right && !loses));
            b2.add(item(right));
        }
        var ra = MultipleChoice.summarise("t", "a", a, 0.5, 0, ChoiceTask.Metric.ACC);
        var rb = MultipleChoice.summarise("t", "b", b, 0.5, 0, ChoiceTask.Metric.ACC);
        PairedComparison c = PairedComparison.of(ra, rb);
        assertEquals(0.06, c.estimate(), 1e-12);
        assertEquals(PairedComparison.Verdict.BETTER, c.verdict(), c.toString());
        assertTrue(c.ci95().contains(0.06));
        var same = PairedComparison.of(ra, MultipleChoice.summarise("t", "b2", b2, 0.5, 0, ChoiceTask.Metric.ACC));
        assertEquals(PairedComparison.Verdict.TIE, same.verdict());
    }

    @Test
    void accuracyUsesTheTasksMetric() {
        // logLik favours choice 0, per byte favours choice 1 (the gold): acc 0, acc_norm 1.
        var s = new MultipleChoice.ItemScore(new double[] {-4, -6}, new int[] {1, 3}, new int[] {2, 6}, 1);
        var acc = MultipleChoice.summarise("t", "m", List.of(s, s), 0.5, 0, ChoiceTask.Metric.ACC);
        var norm = MultipleChoice.summarise("t", "m", List.of(s, s), 0.5, 0, ChoiceTask.Metric.ACC_NORM);
        assertEquals(0.0, acc.value());
        assertEquals(1.0, norm.value());
        assertThrows(IllegalArgumentException.class, () -> PairedComparison.of(acc, norm));
    }

    private static MultipleChoice.ItemScore item(boolean right) {
        return new MultipleChoice.ItemScore(right ? new double[] {-1, -2} : new double[] {-2, -1}, new int[] {1, 1},
                new int[] {1, 1}, 0);
    }
}
