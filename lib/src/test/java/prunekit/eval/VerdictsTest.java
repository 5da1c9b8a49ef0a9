package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class VerdictsTest {

    private static PairedComparison acc(double a, double b, double lo, double hi) {
        Bootstrap.Interval ci = new Bootstrap.Interval(lo, hi);
        return new PairedComparison("cloze acc", a, b, a - b, ci, PairedComparison.verdict(ci, true), 100);
    }

    @Test
    void theOutcomeFollowsTheIntervalAndTheExpectation() {
        Table t = new Verdicts("claims")
                .claim("A beats B", acc(0.7, 0.6, 0.02, 0.18))
                .claim("A beats B, but not here", acc(0.6, 0.7, -0.18, -0.02))
                .claim("A beats B within noise", acc(0.62, 0.60, -0.03, 0.07))
                .claim("A keeps B's quality", acc(0.62, 0.60, -0.03, 0.07), Verdicts.Expect.NOT_WORSE)
                .claim("A keeps B's quality, but loses", acc(0.5, 0.6, -0.15, -0.05), Verdicts.Expect.NOT_WORSE)
                .table();
        assertEquals(java.util.List.of("holds", "fails", "tie", "holds (tie)", "fails"), t.stringColumn("verdict").asList());
        assertEquals("+0.100", t.stringColumn("A vs B").get(0));
        assertEquals("[+0.020, +0.180]", t.stringColumn("95% interval").get(0));
    }

    @Test
    void tinyRatiosKeepTheirDigits() {
        assertEquals("0.925", Verdicts.ratio(0.92512));
        assertEquals("0.0001310", Verdicts.ratio(0.000131));
        assertEquals("5.017", Verdicts.ratio(5.0171));
    }
}
