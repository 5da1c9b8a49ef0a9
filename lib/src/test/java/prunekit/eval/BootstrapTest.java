package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BootstrapTest {

    private static final Perplexity.Config QUIET = new Perplexity.Config(8, 0, 16, false);

    @Test
    void perplexityIntervalCoversTheKnownMeanAboutNinetyFivePercentOfTheTime() {
        // 300 independent evaluations of 60 windows each; per-window NLL uniform in 3 ± 1, so the
        // true perplexity is exp(3). A 95 % interval must contain it in about 95 % of them.
        Bootstrap quick = new Bootstrap(1000, 7, 0.95);
        int covered = 0;
        int runs = 300;
        for (int run = 0; run < runs; run++) {
            Perplexity.Result r = Perplexity.ofStream(new NoisyScorer(3.0, 1.0, run), NoisyScorer.stream(60, 8), -1,
                    "synthetic", QUIET);
            Bootstrap.Interval ci = r.ci(quick);
            assertTrue(ci.low() < r.ppl() && r.ppl() < ci.high(), "ppl inside its own interval: " + r.ppl() + " " + ci);
            if (ci.contains(Math.exp(3.0))) covered++;
        }
        double coverage = covered / (double) runs;
        // binomial sd at 0.95 over 300 runs is 0.013; the percentile bootstrap of a mean of 60 runs a little narrow
        assertTrue(coverage > 0.90 && coverage < 0.99, "coverage " + coverage);
    }

    @Test
    void accuracyIntervalMatchesTheNormalApproximation() {
        // 1,000 items, 70 % right: the 95 % interval is about 0.7 ± 1.96 sqrt(0.21 / 1000) = 0.7 ± 0.0284.
        double[] correct = new double[1000];
        for (int i = 0; i < 700; i++) correct[i] = 1;
        Bootstrap.Interval ci = Bootstrap.DEFAULT.mean(correct);
        assertEquals(0.7 - 0.0284, ci.low(), 0.004);
        assertEquals(0.7 + 0.0284, ci.high(), 0.004);
    }

    @Test
    void sameSeedSameIntervalOtherSeedOtherInterval() {
        double[] xs = new SplittableRandom(1).doubles(50).toArray();
        assertEquals(Bootstrap.DEFAULT.mean(xs), Bootstrap.DEFAULT.mean(xs));
        assertNotEquals(Bootstrap.DEFAULT.mean(xs), new Bootstrap(2000, 1, 0.95).mean(xs));
    }

    @Test
    void fewerThanTwoUnitsHaveNoInterval() {
        assertTrue(Double.isNaN(Bootstrap.DEFAULT.mean(new double[] {1.0}).low()));
    }

    @Test
    void quantileInterpolatesLikeNumpy() {
        // numpy.quantile([1, 2, 3, 4], 0.25) = 1.75
        assertEquals(1.75, Bootstrap.quantile(new double[] {1, 2, 3, 4}, 0.25), 1e-12);
    }
}
