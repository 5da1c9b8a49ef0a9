package prunekit.eval;

/**
 * How much evaluation would settle a {@link PairedComparison} — what a tie asks for. The paired
 * bootstrap's 95 % interval of a mean difference over n units (perplexity windows or task items) has
 * half-width h ≈ 1.96 σ / √n. If the estimate e stayed where it was measured, the interval clears
 * zero once 1.96 σ / √n' < |e|, that is at
 *
 * <pre>  n' = n · (h / |e|)²</pre>
 *
 * units (the usual sample-size rule for a mean, e.g. Koehn 2004's paired bootstrap read backwards).
 * Perplexity is compared on the log scale, where the bootstrap ran: e = log(PPL_A / PPL_B) and h is
 * half the interval's width in log units; accuracy on the difference itself. An estimate of exactly
 * zero needs infinitely many units. The answer is a planning figure, not a promise: the estimate
 * itself moves as units are added.
 */
public final class Resolution {

    private Resolution() {}

    /** n': the units (windows or items) at which the interval would exclude zero; +∞ for a zero estimate. */
    public static double unitsNeeded(PairedComparison c) {
        boolean ppl = c.measure().startsWith("ppl");
        double e = ppl ? Math.log(c.estimate()) : c.estimate();
        double halfWidth = ppl ? Math.log(c.ci95().high() / c.ci95().low()) / 2 : (c.ci95().high() - c.ci95().low()) / 2;
        if (!(halfWidth >= 0)) throw new IllegalArgumentException(c.measure() + ": no interval to scale (fewer than two units)");
        return e == 0 ? Double.POSITIVE_INFINITY : c.units() * Math.pow(halfWidth / e, 2);
    }

    /** {@link #unitsNeeded} relative to the units measured: how many times more text (or items) it takes. */
    public static double factor(PairedComparison c) {
        return unitsNeeded(c) / c.units();
    }
}
