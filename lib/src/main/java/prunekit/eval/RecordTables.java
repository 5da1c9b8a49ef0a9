package prunekit.eval;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A results grid ({@link RecordSet}) read as the tables and curves a paper notebook shows, so that no
 * notebook cell builds a table row by row. Models are named as in {@link RecordSet}: a method and a
 * settings selector ({@code "compensation=none"}); values are rounded to four significant digits.
 *
 * <ul>
 *   <li>{@link #models}: one row per model with chosen settings and measurements, each perplexity
 *       followed by its ratio to a reference model (the dense one) — the long table of a grid;</li>
 *   <li>{@link #wide}: one measurement of several methods against one setting (e.g. selection time
 *       per depth): rows are the setting's values, columns the methods;</li>
 *   <li>{@link #curves}: the same as line-chart series, starting from the reference model at x = 0.</li>
 * </ul>
 */
public final class RecordTables {

    private RecordTables() {}

    /**
     * One row per model of the record: {@code method}, then each of {@code keys} read from its
     * settings (an integer column when every value is an integer, e.g. {@code remove}), then each of
     * {@code measures}; a perplexity measure ({@code ppl sotu@128}) is followed by {@code sotu@128 ÷ <reference>},
     * its ratio to the reference model's value.
     *
     * @param reference the method whose one model the ratios divide by (e.g. {@code "dense"}); null for none
     */
    public static Table models(RecordSet set, List<String> keys, List<String> measures, String reference) {
        Table pivot = set.pivot();
        Table out = Table.create(set.pivot().name(), StringColumn.create("method", pivot.stringColumn("method").asList()));
        for (String key : keys) {
            List<String> values = new ArrayList<>();
            for (int r = 0; r < pivot.rowCount(); r++) values.add(RecordPivot.setting(pivot.stringColumn("settings").get(r), key));
            out.addColumns(values.stream().allMatch(v -> v.matches("-?\\d{1,9}"))
                    ? IntColumn.create(key, values.stream().mapToInt(Integer::parseInt).toArray())
                    : StringColumn.create(key, values));
        }
        for (String measure : measures) {
            double[] v = column(pivot, measure);
            out.addColumns(DoubleColumn.create(measure, round(v)));
            if (reference != null && measure.startsWith("ppl")) {
                double ref = set.value(reference, "", measure);
                double[] ratio = new double[v.length];
                for (int r = 0; r < v.length; r++) ratio[r] = v[r] / ref;
                out.addColumns(DoubleColumn.create(measure.substring(4) + " ÷ " + reference, round(ratio)));
            }
        }
        return out;
    }

    /**
     * {@code measure} of each of {@code methods} (the model that {@code selector} plus
     * {@code rowKey=value} names) for every value of {@code rowKey} that those models have, in
     * increasing order: a row per value, a column per method, NaN where a method lacks the model.
     */
    public static Table wide(RecordSet set, String measure, String rowKey, List<String> methods, String selector) {
        TreeSet<Integer> values = new TreeSet<>();
        Table pivot = set.pivot();
        for (int r = 0; r < pivot.rowCount(); r++) {
            String v = RecordPivot.setting(pivot.stringColumn("settings").get(r), rowKey);
            if (methods.contains(pivot.stringColumn("method").get(r)) && v.matches("-?\\d{1,9}")) values.add(Integer.parseInt(v));
        }
        Table out = Table.create(measure + " by " + rowKey + " (" + set.pivot().name() + ")",
                IntColumn.create(rowKey, values.stream().mapToInt(Integer::intValue).toArray()));
        for (String method : methods) {
            double[] v = new double[values.size()];
            int i = 0;
            for (int value : values) {
                String s = (selector.isBlank() ? "" : selector + ";") + rowKey + "=" + value;
                v[i++] = set.has(method, s) ? set.value(method, s, measure) : Double.NaN;
            }
            out.addColumns(DoubleColumn.create(method, round(v)));
        }
        return out;
    }

    /**
     * {@link #wide} as line-chart series ({@code {xs, ys}} per method, for {@code Charts.line}),
     * each starting at x = 0 with the reference model's value; a method's missing points are left out.
     *
     * @param reference the method of the unpruned model (e.g. {@code "dense"}); null for no x = 0 point
     */
    public static Map<String, double[][]> curves(RecordSet set, String measure, String xKey, List<String> methods,
                                                 String selector, String reference) {
        Table wide = wide(set, measure, xKey, methods, selector);
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (String method : methods) {
            List<double[]> points = new ArrayList<>();
            if (reference != null) points.add(new double[] {0, set.value(reference, "", measure)});
            for (int r = 0; r < wide.rowCount(); r++) {
                double y = wide.doubleColumn(method).getDouble(r);
                if (!Double.isNaN(y)) points.add(new double[] {wide.intColumn(xKey).get(r), y});
            }
            if (points.size() > (reference == null ? 0 : 1)) {
                series.put(method, new double[][] {points.stream().mapToDouble(p -> p[0]).toArray(),
                        points.stream().mapToDouble(p -> p[1]).toArray()});
            }
        }
        return series;
    }

    /** A pivot column as doubles, NaN where missing or when the pivot has no such column. */
    private static double[] column(Table pivot, String measure) {
        double[] v = new double[pivot.rowCount()];
        java.util.Arrays.fill(v, Double.NaN);
        if (!pivot.columnNames().contains(measure)) return v;
        DoubleColumn c = pivot.doubleColumn(measure);
        for (int r = 0; r < v.length; r++) v[r] = c.getDouble(r);
        return v;
    }

    /** Four significant digits (NaN and infinities kept). */
    static double[] round(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Double.isFinite(v[i]) && v[i] != 0
                    ? new BigDecimal(v[i]).round(new MathContext(4)).doubleValue() : v[i];
        }
        return out;
    }
}
