package prunekit.eval;

import java.util.ArrayList;
import java.util.List;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The table that ends every paper notebook: claim | measured | interval | verdict, each verdict
 * computed from a {@link PairedComparison} and never typed in. A claim says that model A does better
 * than model B (or, for {@link Expect#NOT_WORSE}, no worse); it <b>holds</b> when the paired interval
 * lies wholly on A's good side, <b>fails</b> when it lies wholly on the other, and is a <b>tie</b> when
 * it spans zero — the difference is inside the noise of the windows or items measured.
 */
public final class Verdicts {

    /** What a claim expects of A against B. */
    public enum Expect {
        /** A better than B: holds only when the interval excludes zero on A's good side */
        BETTER,
        /** A no worse than B (e.g. "compression keeps quality"): a tie holds too */
        NOT_WORSE
    }

    /** One judged claim. */
    public record Claim(String claim, PairedComparison comparison, Expect expect) {

        /** holds, fails or tie, from the comparison's verdict and what was expected. */
        public String outcome() {
            return switch (comparison.verdict()) {
                case BETTER -> "holds";
                case WORSE -> "fails";
                case TIE -> expect == Expect.NOT_WORSE ? "holds (tie)" : "tie";
            };
        }
    }

    private final String title;
    private final List<Claim> claims = new ArrayList<>();

    /** An empty table with this title. */
    public Verdicts(String title) {
        this.title = title;
    }

    /** Adds a claim that A is better than B. */
    public Verdicts claim(String claim, PairedComparison comparison) {
        return claim(claim, comparison, Expect.BETTER);
    }

    /** Adds a claim with its expectation. */
    public Verdicts claim(String claim, PairedComparison comparison, Expect expect) {
        claims.add(new Claim(claim, comparison, expect));
        return this;
    }

    /** The claims in the order added. */
    public List<Claim> claims() {
        return List.copyOf(claims);
    }

    /**
     * claim | compared | A | B | A vs B | 95 % interval | verdict. "A vs B" is the perplexity ratio
     * A / B (below 1: A better) or the accuracy difference A − B (above 0: A better).
     */
    public Table table() {
        Table t = Table.create(title, StringColumn.create("claim"), StringColumn.create("compared"),
                StringColumn.create("A"), StringColumn.create("B"), StringColumn.create("A vs B"),
                StringColumn.create("95% interval"), StringColumn.create("verdict"));
        for (Claim c : claims) {
            PairedComparison p = c.comparison();
            boolean ppl = p.measure().startsWith("ppl");
            t.stringColumn(0).append(c.claim());
            t.stringColumn(1).append(p.measure());
            t.stringColumn(2).append(String.format(ppl ? "%.2f" : "%.3f", p.a()));
            t.stringColumn(3).append(String.format(ppl ? "%.2f" : "%.3f", p.b()));
            t.stringColumn(4).append(ppl ? "ratio " + ratio(p.estimate()) : String.format("%+.3f", p.estimate()));
            t.stringColumn(5).append(ppl ? "[" + ratio(p.ci95().low()) + ", " + ratio(p.ci95().high()) + "]"
                    : String.format("[%+.3f, %+.3f]", p.ci95().low(), p.ci95().high()));
            t.stringColumn(6).append(c.outcome());
        }
        return t;
    }

    /** A ratio to three decimals, or to four significant digits when three decimals would hide it (below 0.01). */
    public static String ratio(double x) {
        return Math.abs(x) < 0.01 && x != 0 ? String.format(java.util.Locale.ROOT, "%.4g", x)
                : String.format(java.util.Locale.ROOT, "%.3f", x);
    }
}
