package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Against the closed-form sample size n' = (1.96 σ / μ)² for differences of known mean and spread. */
class ResolutionTest {

    /** n differences alternating μ + σ, μ − σ: mean μ, (population) standard deviation σ exactly. */
    private static double[] alternating(int n, double mu, double sigma) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = mu + (i % 2 == 0 ? sigma : -sigma);
        return d;
    }

    @Test
    void perplexityOnTheLogScale() {
        int n = 400;
        double mu = 0.05, sigma = 1.0;
        double[] b = new double[n], a = alternating(n, mu, sigma);
        for (int i = 0; i < n; i++) {               // per-window NLLs: B's arbitrary, A = B + d
            b[i] = 3 + 0.5 * Math.sin(i);
            a[i] += b[i];
        }
        PairedComparison c = PairedComparison.of("ppl x@128", a, b, true, Bootstrap.DEFAULT);
        double expected = Math.pow(1.96 * sigma / mu, 2);            // 1,537 windows
        assertEquals(expected, Resolution.unitsNeeded(c), 0.08 * expected);
        assertEquals(Resolution.unitsNeeded(c) / n, Resolution.factor(c), 1e-12);
    }

    @Test
    void accuracyOnTheDifference() {
        int n = 1000;                               // A right and B wrong on 150 items, the reverse on 100
        double[] a = new double[n], b = new double[n];
        for (int i = 0; i < 150; i++) a[i] = 1;
        for (int i = 150; i < 250; i++) b[i] = 1;
        PairedComparison c = PairedComparison.of("cloze acc", a, b, false, Bootstrap.DEFAULT);
        double mu = 0.05, sigma = Math.sqrt(0.25 - mu * mu);         // E[d²] = 0.25, mean 0.05
        double expected = Math.pow(1.96 * sigma / mu, 2);            // 384 items
        assertEquals(expected, Resolution.unitsNeeded(c), 0.08 * expected);
    }

    @Test
    void zeroEstimateNeedsEverythingAndOneUnitIsRefused() {
        double[] same = {1, 2, 3, 4};
        assertEquals(Double.POSITIVE_INFINITY,
                Resolution.unitsNeeded(PairedComparison.of("cloze acc", same, same, false, Bootstrap.DEFAULT)));
        PairedComparison one = PairedComparison.of("cloze acc", new double[] {1}, new double[] {0}, false, Bootstrap.DEFAULT);
        assertThrows(IllegalArgumentException.class, () -> Resolution.unitsNeeded(one));
    }
}
