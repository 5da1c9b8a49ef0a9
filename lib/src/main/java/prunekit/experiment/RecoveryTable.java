package prunekit.experiment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import prunekit.eval.PairedComparison;
import prunekit.eval.PairedComparison.Verdict;
import prunekit.eval.RecordSet;
import prunekit.eval.Verdicts;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The layer-pruning papers' second table: each method at one depth right after pruning and after the same
 * recovery budget (the grids' {@code <method>+lora} rows, {@link LayerPruningGrid.Config#withRecovery},
 * {@link MergeDepthGrid.Config#withRecovery}), and whether recovery changes which method is better.
 *
 * <p>Per method: the measure before and after, the paired ratio after / before with its 95 % interval (the
 * same windows), and the rank of each among the methods. Per pair of methods (A, B): A against B before,
 * paired, and A+lora against B+lora after. The ranking <b>changes</b> only where a pair separated beyond its
 * interval before is separated the other way after (a flip); a pair that separates before and ties after
 * has <b>closed</b>; point-estimate ranks that move inside the noise are not a change.
 *
 * <pre>{@code
 * var t = RecoveryTable.of(RecordSet.load("gpu-recover-grid"), "ppl sotu@128", 6,
 *         List.of("gradmap", "block-influence", "ppl", "last"));
 * t.table();        // one row per method
 * t.pairs();        // one row per pair, before and after
 * t.summary();      // "ranking after recovery: ... ; of 6 pairs separated before, ..."
 * }</pre>
 *
 * @param measure what is compared, e.g. {@code ppl sotu@128} (perplexity: lower is better)
 * @param depth   layers removed (the records' {@code remove=K})
 * @param rows    one row per method, in the order given
 * @param pairs   every pair of methods, before and after
 * @param curves  each recovered method's training loss per step ({@code train_loss} units; methods whose run
 *                did not keep the curve are absent), as {@code {steps, losses}} for {@code Charts.line}
 */
public record RecoveryTable(String measure, int depth, List<Row> rows, List<Pair> pairs, Map<String, double[][]> curves) {

    /** One method: before, after, the paired ratio after / before, and its ranks (1 = best). */
    public record Row(String method, double before, double after, PairedComparison recovery, int rankBefore,
                      int rankAfter) {}

    /** Two methods, A against B, before recovery and after it. */
    public record Pair(String a, String b, PairedComparison before, PairedComparison after) {

        /** Separated beyond the interval before and the other way after. */
        public boolean flipped() {
            return before.verdict() != Verdict.TIE && after.verdict() != Verdict.TIE && before.verdict() != after.verdict();
        }

        /** Separated before, a tie after. */
        public boolean closed() {
            return before.verdict() != Verdict.TIE && after.verdict() == Verdict.TIE;
        }

        /** A tie before, separated after. */
        public boolean opened() {
            return before.verdict() == Verdict.TIE && after.verdict() != Verdict.TIE;
        }
    }

    /**
     * The table of {@code methods} at {@code depth} on {@code measure} from {@code set}, which must hold each
     * method and its {@code <method>+lora} twin at that depth (uncompensated where the grid also compensated).
     */
    public static RecoveryTable of(RecordSet set, String measure, int depth, List<String> methods) {
        if (methods.size() < 1) throw new IllegalArgumentException("name at least one method");
        boolean higherIsBetter = !measure.startsWith("ppl");
        List<String> selectors = new ArrayList<>();
        for (String m : methods) {
            String sel = "remove=" + depth + ";compensation=none";
            if (!set.has(m, sel)) sel = "remove=" + depth;
            if (!set.has(m + "+lora", sel)) {
                throw new IllegalArgumentException("no recovered twin '" + m + "+lora' with " + sel + " for " + measure
                        + " (run the grid with --recover-steps N)");
            }
            selectors.add(sel);
        }
        double[] before = IntStream.range(0, methods.size())
                .mapToDouble(i -> set.value(methods.get(i), selectors.get(i), measure)).toArray();
        double[] after = IntStream.range(0, methods.size())
                .mapToDouble(i -> set.value(methods.get(i) + "+lora", selectors.get(i), measure)).toArray();
        for (int i = 0; i < methods.size(); i++) {
            if (Double.isNaN(before[i]) || Double.isNaN(after[i])) {
                throw new IllegalArgumentException("no " + measure + " for " + methods.get(i)
                        + (Double.isNaN(before[i]) ? "" : "+lora") + " with " + selectors.get(i) + " (measures: "
                        + set.measures() + ")");
            }
        }
        int[] rankBefore = ranks(before, higherIsBetter), rankAfter = ranks(after, higherIsBetter);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < methods.size(); i++) {
            String m = methods.get(i), sel = selectors.get(i);
            rows.add(new Row(m, before[i], after[i], set.compare(m + "+lora", sel, m, sel, measure), rankBefore[i],
                    rankAfter[i]));
        }
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < methods.size(); i++) {
            for (int j = i + 1; j < methods.size(); j++) {
                String a = methods.get(i), b = methods.get(j), sa = selectors.get(i), sb = selectors.get(j);
                pairs.add(new Pair(a, b, set.compare(a, sa, b, sb, measure),
                        set.compare(a + "+lora", sa, b + "+lora", sb, measure)));
            }
        }
        Map<String, double[][]> curves = new LinkedHashMap<>();
        for (int i = 0; i < methods.size(); i++) {
            double[] loss = curve(set, methods.get(i) + "+lora", selectors.get(i));
            if (loss != null) {
                curves.put(methods.get(i), new double[][] {IntStream.rangeClosed(1, loss.length).asDoubleStream().toArray(), loss});
            }
        }
        return new RecoveryTable(measure, depth, List.copyOf(rows), List.copyOf(pairs), Collections.unmodifiableMap(curves));
    }

    private static double[] curve(RecordSet set, String method, String selector) {
        try {
            return set.units(method, selector, "train_loss");
        } catch (IllegalArgumentException noCurve) {          // a run from before the curve was recorded
            return null;
        }
    }

    /** 1 = best; equal values share the better rank. */
    static int[] ranks(double[] v, boolean higherIsBetter) {
        Integer[] order = IntStream.range(0, v.length).boxed().toArray(Integer[]::new);
        Comparator<Integer> byValue = Comparator.comparingDouble(i -> v[i]);
        java.util.Arrays.sort(order, higherIsBetter ? byValue.reversed() : byValue);
        int[] rank = new int[v.length];
        for (int p = 0; p < order.length; p++) {
            rank[order[p]] = p > 0 && v[order[p]] == v[order[p - 1]] ? rank[order[p - 1]] : p + 1;
        }
        return rank;
    }

    /** One row per method: before, after, after / before [95 %], ranks. */
    public Table table() {
        boolean ppl = measure.startsWith("ppl");
        Table t = Table.create(measure + " at " + depth + " layers removed, before and after recovery",
                StringColumn.create("method"), DoubleColumn.create("before"), DoubleColumn.create("after"),
                DoubleColumn.create(ppl ? "after ÷ before" : "after − before"), StringColumn.create("95 % interval"),
                IntColumn.create("rank before"), IntColumn.create("rank after"));
        for (Row r : rows) {
            t.stringColumn("method").append(r.method());
            t.doubleColumn("before").append(round(r.before()));
            t.doubleColumn("after").append(round(r.after()));
            double x = r.recovery().estimate();
            t.doubleColumn(3).append(ppl && Math.abs(x) < 0.01 ? Double.parseDouble(Verdicts.ratio(x)) : Math.round(x * 1000) / 1000.0);
            t.stringColumn("95 % interval").append(ppl ? "[" + Verdicts.ratio(r.recovery().ci95().low()) + ", "
                    + Verdicts.ratio(r.recovery().ci95().high()) + "]" : String.format(java.util.Locale.ROOT, "[%+.3f, %+.3f]",
                    r.recovery().ci95().low(), r.recovery().ci95().high()));
            t.intColumn("rank before").append(r.rankBefore());
            t.intColumn("rank after").append(r.rankAfter());
        }
        return t;
    }

    /** One row per pair: A against B before and after, each with its interval and verdict. */
    public Table pairTable() {
        Table t = Table.create(measure + " at " + depth + " layers: A against B, before and after recovery (paired)",
                StringColumn.create("A"), StringColumn.create("B"), StringColumn.create("before"),
                StringColumn.create("after"), StringColumn.create("change"));
        for (Pair p : pairs) {
            t.stringColumn("A").append(p.a());
            t.stringColumn("B").append(p.b());
            t.stringColumn("before").append(p.before().brief());
            t.stringColumn("after").append(p.after().brief());
            t.stringColumn("change").append(p.flipped() ? "flipped" : p.closed() ? "closed (tie after)"
                    : p.opened() ? "opened (tie before)" : "kept");
        }
        return t;
    }

    /** Whether any pair separated before is separated the other way after. */
    public boolean rankingChanges() {
        return pairs.stream().anyMatch(Pair::flipped);
    }

    /** The verdict in one paragraph, every number from the records. */
    public String summary() {
        long separated = pairs.stream().filter(p -> p.before().verdict() != Verdict.TIE).count();
        long flipped = pairs.stream().filter(Pair::flipped).count();
        long closed = pairs.stream().filter(Pair::closed).count();
        long opened = pairs.stream().filter(Pair::opened).count();
        String order = rows.stream().sorted(Comparator.comparingInt(Row::rankAfter)).map(Row::method).toList().toString();
        String orderBefore = rows.stream().sorted(Comparator.comparingInt(Row::rankBefore)).map(Row::method).toList()
                .toString();
        long helped = rows.stream().filter(r -> r.recovery().verdict() == Verdict.BETTER).count();
        return String.format(java.util.Locale.ROOT, "%s, %d layers removed: recovery improves %d of %d models beyond"
                + " the interval. Order before %s, after %s. Of %d pairs separated before, %d keep their order, %d close"
                + " to a tie and %d flip; %d tied pairs separate after. The ranking %s.", measure, depth, helped,
                rows.size(), orderBefore, order, separated, separated - flipped - closed, closed, flipped, opened,
                flipped > 0 ? "changes after recovery" : "does not change beyond the noise");
    }

    private static double round(double v) {
        return Math.abs(v) >= 1000 ? Math.round(v) : Math.round(v * 100) / 100.0;
    }
}
