package prunekit.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import prunekit.eval.PairedComparison;
import prunekit.eval.RecordSet;
import prunekit.eval.Verdicts;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * GradMAP's variants ({@code gradmap}, {@code gradmap-taylor}, ... of
 * {@link prunekit.importance.GradientMagnitude#VARIANTS}) side by side, from one layer-pruning record: for each
 * variant and depth, the iterative model (one backward pass per decision), the same with the projection
 * compensation, and the {@code -oneshot} model, each judged by a paired comparison on the same windows —
 * iterative against one-shot, projection against none, and the iterative model against each baseline
 * method at that depth.
 *
 * <pre>{@code
 * var t = VariantTable.of(RecordSet.load("cpu-variants"), "ppl sotu@128",
 *         List.of("gradmap", "gradmap-taylor"), List.of(3, 6, 9), List.of("block-influence", "ppl"));
 * t.table();         // one row per variant and depth, every comparison as "ratio [95 %] verdict"
 * t.verdicts(6);     // the claims at one depth, as a Verdicts table
 * t.summary();       // per claim: how many variants and depths hold, fail or tie
 * }</pre>
 *
 * @param measure   what is compared, e.g. {@code ppl sotu@128}
 * @param baselines the methods every variant is compared with, in the order given
 * @param rows      one row per variant and depth
 */
public record VariantTable(String measure, List<String> baselines, List<Row> rows) {

    /**
     * One variant at one depth. A comparison is null, and a value NaN, where the record lacks the model.
     *
     * @param iterative          the variant, iterative, uncompensated
     * @param projection         the same with the projection compensation
     * @param oneShot            {@code <variant>-oneshot}, uncompensated
     * @param iterativeVsOneShot iterative against one-shot
     * @param projectionVsNone   projection against the uncompensated iterative model
     * @param vsBaselines        the iterative model against each baseline, uncompensated
     */
    public record Row(String variant, int depth, double iterative, double projection, double oneShot,
                      PairedComparison iterativeVsOneShot, PairedComparison projectionVsNone,
                      Map<String, PairedComparison> vsBaselines) {}

    private static final String NONE = "compensation=none", PROJECTION = "compensation=projection";

    /**
     * The table of {@code variants} at {@code depths} on {@code measure}. Each variant's uncompensated iterative
     * model must be in {@code set} at every depth; its projection and one-shot twins and the baselines may be
     * missing (their cells stay empty).
     */
    public static VariantTable of(RecordSet set, String measure, List<String> variants, List<Integer> depths,
            List<String> baselines) {
        if (variants.isEmpty() || depths.isEmpty()) throw new IllegalArgumentException("name at least one variant and one depth");
        List<Row> rows = new ArrayList<>();
        for (String v : variants) {
            for (int k : depths) {
                String none = NONE + ";remove=" + k, projection = PROJECTION + ";remove=" + k;
                if (!set.has(v, none)) {
                    throw new IllegalArgumentException("no uncompensated '" + v + "' at " + k + " layers (run experiment"
                            + " layer-pruning --methods " + v + " --remove " + k + ")");
                }
                String oneShot = v + "-oneshot";
                Map<String, PairedComparison> vs = new LinkedHashMap<>();
                for (String b : baselines) vs.put(b, set.has(b, none) ? set.compare(v, none, b, none, measure) : null);
                rows.add(new Row(v, k, set.value(v, none, measure), value(set, v, projection, measure),
                        value(set, oneShot, none, measure),
                        set.has(oneShot, none) ? set.compare(v, none, oneShot, none, measure) : null,
                        set.has(v, projection) ? set.compare(v, projection, v, none, measure) : null, vs));
            }
        }
        return new VariantTable(measure, List.copyOf(baselines), List.copyOf(rows));
    }

    private static double value(RecordSet set, String method, String selector, String measure) {
        return set.has(method, selector) ? set.value(method, selector, measure) : Double.NaN;
    }

    /**
     * variant | layers | iterative | + projection | one-shot | iterative vs one-shot | projection vs none | vs
     * each baseline: every comparison as {@code ratio [95 %] verdict}, the verdict the first model's.
     */
    public Table table() {
        Table t = Table.create(measure + ": GradMAP's variants, iterative against one-shot, projection and the baselines",
                StringColumn.create("variant"), IntColumn.create("layers"), DoubleColumn.create("iterative"),
                DoubleColumn.create("+ projection"), DoubleColumn.create("one-shot"),
                StringColumn.create("iterative vs one-shot"), StringColumn.create("projection vs none"));
        for (String b : baselines) t.addColumns(StringColumn.create("vs " + b));
        for (Row r : rows) {
            t.stringColumn("variant").append(r.variant());
            t.intColumn("layers").append(r.depth());
            t.doubleColumn("iterative").append(round(r.iterative()));
            t.doubleColumn("+ projection").append(round(r.projection()));
            t.doubleColumn("one-shot").append(round(r.oneShot()));
            t.stringColumn("iterative vs one-shot").append(brief(r.iterativeVsOneShot()));
            t.stringColumn("projection vs none").append(brief(r.projectionVsNone()));
            for (String b : baselines) t.stringColumn("vs " + b).append(brief(r.vsBaselines().get(b)));
        }
        return t;
    }

    /** The claims at one depth, one row per variant and claim, for {@link Verdicts#table()}. */
    public Verdicts verdicts(int depth) {
        Verdicts v = new Verdicts("GradMAP's variants at " + depth + " layers removed (" + measure + ")");
        for (Row r : rows) {
            if (r.depth() != depth) continue;
            if (r.iterativeVsOneShot() != null) v.claim(r.variant() + ": iterative beats one-shot", r.iterativeVsOneShot());
            if (r.projectionVsNone() != null) v.claim(r.variant() + ": projection improves it", r.projectionVsNone());
            r.vsBaselines().forEach((b, c) -> {
                if (c != null) v.claim(r.variant() + ": beats " + b, c);
            });
        }
        return v;
    }

    /** Per claim, over every variant and depth: how many hold, fail and tie, every number from the rows. */
    public String summary() {
        Map<String, int[]> counts = new LinkedHashMap<>();             // claim -> holds, fails, ties
        for (Row r : rows) {
            count(counts, "iterative beats one-shot", r.iterativeVsOneShot());
            count(counts, "projection improves the variant", r.projectionVsNone());
            r.vsBaselines().forEach((b, c) -> count(counts, "beats " + b, c));
        }
        Map<Integer, Double> lowest = new TreeMap<>();                // depth -> the lowest iterative value there
        for (Row r : rows) lowest.merge(r.depth(), r.iterative(), Math::min);
        Map<Integer, List<String>> best = new TreeMap<>();             // depth -> the variants that reach it
        for (Row r : rows) {
            if (r.iterative() == lowest.get(r.depth())) best.computeIfAbsent(r.depth(), d -> new ArrayList<>()).add(r.variant());
        }
        StringBuilder s = new StringBuilder(measure + ", " + rows.size() + " variant-depth pairs (holds / fails / tie):");
        counts.forEach((claim, c) -> s.append(String.format(Locale.ROOT, "%n  %-34s %2d / %2d / %2d", claim, c[0], c[1], c[2])));
        best.forEach((d, vs) -> s.append(String.format(Locale.ROOT, "%n  lowest iterative at %d layers: %s", d, vs)));
        return s.toString();
    }

    private static void count(Map<String, int[]> counts, String claim, PairedComparison c) {
        if (c == null) return;
        int[] n = counts.computeIfAbsent(claim, k -> new int[3]);
        n[switch (c.verdict()) { case BETTER -> 0; case WORSE -> 1; case TIE -> 2; }]++;
    }

    private static String brief(PairedComparison c) {
        return c == null ? "" : c.brief();
    }

    private static double round(double v) {
        return Double.isNaN(v) ? Double.NaN : Math.abs(v) >= 1000 ? Math.round(v) : Math.round(v * 100) / 100.0;
    }
}
