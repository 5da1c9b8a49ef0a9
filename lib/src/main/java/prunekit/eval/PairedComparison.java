package prunekit.eval;

import java.util.Arrays;

/**
 * Model A against model B on the same evaluation units — the same perplexity windows or the same
 * task items — with a paired-bootstrap interval of the difference (Koehn 2004, "Statistical
 * significance tests for machine translation evaluation", applied to windows and items). Pairing
 * cancels what the two models share (a hard window is hard for both), so it resolves much smaller
 * differences than two separate intervals would.
 *
 * <p>The verdict is A's: {@code better} when the whole interval lies on A's good side, {@code worse}
 * when it lies on the other, and {@code tie (within noise)} when it contains zero.
 *
 * <ul>
 *   <li>Perplexity: d_w = NLL_A(w) - NLL_B(w) per window; the estimate is mean(d) = log(PPL_A / PPL_B),
 *       reported as the ratio PPL_A / PPL_B with its interval exp(lo), exp(hi). Lower is better.</li>
 *   <li>Multiple choice: d_i = correct_A(i) - correct_B(i) per item under the task's metric; the
 *       estimate is acc_A - acc_B. Higher is better.</li>
 * </ul>
 *
 * @param measure what was compared, e.g. {@code "ppl brown/test"} or {@code "cloze acc_norm"}
 * @param a model A's value (perplexity or accuracy)
 * @param b model B's value
 * @param estimate A relative to B: the ratio PPL_A / PPL_B, or the difference acc_A - acc_B
 * @param ci95 the 95 % paired-bootstrap interval of {@code estimate}
 * @param verdict A's verdict against B
 * @param units number of paired windows or items
 */
public record PairedComparison(String measure, double a, double b, double estimate, Bootstrap.Interval ci95,
                               Verdict verdict, int units) {

    /** A's verdict against B. */
    public enum Verdict {
        BETTER("better"), WORSE("worse"), TIE("tie (within noise)");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Perplexity of A against B on the same windows of the same data. */
    public static PairedComparison of(Perplexity.Result a, Perplexity.Result b) {
        return of(a, b, Bootstrap.DEFAULT);
    }

    /** Perplexity of A against B with another bootstrap. */
    public static PairedComparison of(Perplexity.Result a, Perplexity.Result b, Bootstrap bootstrap) {
        if (!a.data().equals(b.data()) || a.seqLen() != b.seqLen() || a.windows() != b.windows() || a.bos() != b.bos()) {
            throw new IllegalArgumentException("not the same windows: A is " + describe(a) + ", B is " + describe(b)
                    + "; evaluate both on the same data, seqLen and token cap");
        }
        double[] d = difference(a.windowNll(), b.windowNll());
        Bootstrap.Interval logRatio = bootstrap.mean(d);
        return new PairedComparison("ppl " + a.data() + " @" + a.seqLen(), a.ppl(), b.ppl(), a.ppl() / b.ppl(),
                logRatio.map(Math::exp), verdict(logRatio, false), d.length);
    }

    /** Accuracy of A against B on the same items, read with the task's metric. */
    public static PairedComparison of(MultipleChoice.Result a, MultipleChoice.Result b) {
        return of(a, b, Bootstrap.DEFAULT);
    }

    /** Accuracy of A against B with another bootstrap. */
    public static PairedComparison of(MultipleChoice.Result a, MultipleChoice.Result b, Bootstrap bootstrap) {
        if (!a.task().equals(b.task()) || a.items() != b.items() || a.metric() != b.metric()) {
            throw new IllegalArgumentException("not the same items: A is " + a.task() + " (" + a.items() + " items, "
                    + a.metric().label() + "), B is " + b.task() + " (" + b.items() + " items, " + b.metric().label() + ")");
        }
        for (int i = 0; i < a.items(); i++) {
            if (a.scores().get(i).gold() != b.scores().get(i).gold()) {
                throw new IllegalArgumentException("not the same items: item " + i + " of " + a.task()
                        + " has gold " + a.scores().get(i).gold() + " in A and " + b.scores().get(i).gold() + " in B");
            }
        }
        double[] d = difference(a.correct(), b.correct());
        Bootstrap.Interval ci = bootstrap.mean(d);
        return new PairedComparison(a.task() + " " + a.metric().label(), a.value(), b.value(), a.value() - b.value(),
                ci, verdict(ci, true), d.length);
    }

    /**
     * A against B from stored units ({@link RecordSet}): per-window NLLs when {@code perplexity}, whose
     * means give the two perplexities, else per-item 1/0 accuracies.
     *
     * @param measure what is compared, as it should read in a table
     */
    public static PairedComparison of(String measure, double[] a, double[] b, boolean perplexity, Bootstrap bootstrap) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException(measure + ": cannot pair " + a.length + " units of A with " + b.length
                    + " of B; both must be measured on the same windows or items");
        }
        double[] d = difference(a, b);
        Bootstrap.Interval ci = bootstrap.mean(d);
        double meanA = java.util.Arrays.stream(a).average().orElseThrow();
        double meanB = java.util.Arrays.stream(b).average().orElseThrow();
        if (perplexity) {
            return new PairedComparison(measure, Math.exp(meanA), Math.exp(meanB), Math.exp(meanA - meanB),
                    ci.map(Math::exp), verdict(ci, false), d.length);
        }
        return new PairedComparison(measure, meanA, meanB, meanA - meanB, ci, verdict(ci, true), d.length);
    }

    /**
     * The verdict from an interval of A - B: better when it excludes zero on the good side.
     *
     * @param higherIsBetter true for accuracy, false for (log-)perplexity
     */
    static Verdict verdict(Bootstrap.Interval ci, boolean higherIsBetter) {
        if (Double.isNaN(ci.low()) || ci.contains(0)) return Verdict.TIE;
        boolean aHigher = ci.low() > 0;
        return aHigher == higherIsBetter ? Verdict.BETTER : Verdict.WORSE;
    }

    private static double[] difference(double[] a, double[] b) {
        double[] d = Arrays.copyOf(a, a.length);
        for (int i = 0; i < d.length; i++) d[i] -= b[i];
        return d;
    }

    private static String describe(Perplexity.Result r) {
        return r.data() + " (seqLen " + r.seqLen() + ", " + r.windows() + " windows" + (r.bos() ? ", BOS" : "") + ")";
    }

    /**
     * The estimate, its interval and the verdict in one cell: {@code 0.979 [0.968, 0.990] better} for perplexity
     * (ratios as {@link Verdicts#ratio}), {@code +0.020 [-0.015, +0.055] tie (within noise)} for accuracy.
     */
    public String brief() {
        if (!measure.startsWith("ppl")) {
            return String.format(java.util.Locale.ROOT, "%+.3f [%+.3f, %+.3f] %s", estimate, ci95.low(), ci95.high(), verdict);
        }
        return Verdicts.ratio(estimate) + " [" + Verdicts.ratio(ci95.low()) + ", " + Verdicts.ratio(ci95.high()) + "] " + verdict;
    }

    /** e.g. {@code ppl brown/test @128: 101.2 vs 103.4, ratio 0.979 [0.968, 0.990] -> better}. */
    @Override
    public String toString() {
        String what = measure.startsWith("ppl") ? "ratio" : "difference";
        return String.format("%s: %.4g vs %.4g, %s %.4g [%.4g, %.4g] -> %s", measure, a, b, what, estimate,
                ci95.low(), ci95.high(), verdict);
    }
}
