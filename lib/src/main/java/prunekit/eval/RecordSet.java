package prunekit.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.Table;

/**
 * One or more result files read together: the {@link RecordPivot} (one row per model, one column per
 * measurement), each measurement's interval, and — where the run kept them ({@link Results#loadUnits})
 * — the per-window and per-item units that let two models be compared pairwise long after they were
 * measured. The notebooks judge every claim through {@link #compare}.
 *
 * <p><b>Naming a model.</b> A model is its method and a settings selector: {@code key=value} pairs
 * separated by {@code ;}, each of which the model's settings must contain, in any order — so
 * {@code "remove=6;compensation=none"} names the row whose settings are
 * {@code remove=6;mode=iterative;compensation=none;removed=...}. Two special keys match the row's
 * other columns: {@code device=gpu} and {@code calib=brown:128x256}. A selector that matches no row
 * or several is an error listing the candidates.
 *
 * <p><b>Measurements</b> are named as in the pivot: {@code ppl sotu@128}, {@code cloze acc_norm},
 * {@code params}, {@code select_s}, ...; {@link #taskMeasure} gives a task's own metric.
 */
public final class RecordSet {

    private final String name;
    private final Table records;
    private final Table pivot;
    /** row key (device|method|settings|calibration) + "|" + measure → interval / units */
    private final Map<String, Bootstrap.Interval> intervals = new HashMap<>();
    private final Map<String, double[]> units = new HashMap<>();

    private RecordSet(String name, Table records, List<ResultRecord> unitRows) {
        this.name = name;
        this.records = records;
        this.pivot = RecordPivot.of(records).setName(name);
        for (int r = 0; r < records.rowCount(); r++) {
            String key = rowKey(records.stringColumn("device").get(r), records.stringColumn("method").get(r),
                    records.stringColumn("settings").get(r)) + "|" + RecordPivot.measure(records.stringColumn("metric").get(r),
                    records.stringColumn("data").get(r), records.intColumn("seqlen").get(r));
            intervals.put(key, new Bootstrap.Interval(records.doubleColumn("ci_low").getDouble(r),
                    records.doubleColumn("ci_high").getDouble(r)));
        }
        for (ResultRecord u : unitRows) {
            units.put(rowKey(u.device(), u.method(), u.settings()) + "|"
                    + RecordPivot.measure(u.metric(), u.data(), u.seqLen()), u.units());
        }
    }

    /** {@code data/results/<name>.csv} for each name, read as one set. */
    public static RecordSet load(String... names) {
        if (names.length == 0) throw new IllegalArgumentException("name at least one result file");
        Table all = null;
        List<ResultRecord> unitRows = new ArrayList<>();
        for (String n : names) {
            Path csv = Results.file(n);
            Table t = Results.load(csv);
            all = all == null ? t : all.append(t);
            unitRows.addAll(Results.loadUnits(csv));
        }
        return new RecordSet(String.join(" + ", names), all, unitRows);
    }

    /** One result file at any path, with its units file if it has one. */
    public static RecordSet load(Path csv) {
        return new RecordSet(csv.getFileName().toString(), Results.load(csv), Results.loadUnits(csv));
    }

    /** The records, one measured number per row. */
    public Table records() {
        return records;
    }

    /** One row per model, one column per measurement ({@link RecordPivot}). */
    public Table pivot() {
        return pivot;
    }

    /** The measurement columns of the pivot, in first-seen order. */
    public List<String> measures() {
        return pivot.columnNames().subList(4, pivot.columnCount());
    }

    /** A task's measurement under the metric its {@code tasks.json} entry gives, e.g. {@code cloze acc_norm}. */
    public static String taskMeasure(String task) {
        return task + " " + TaskLoader.load(task).metric().label();
    }

    /** Whether a model matches {@code selector}. */
    public boolean has(String method, String selector) {
        return matches(method, selector).size() == 1;
    }

    /** The pivot row of the one model that {@code method} and {@code selector} name. */
    public int row(String method, String selector) {
        List<Integer> rows = matches(method, selector);
        if (rows.size() == 1) return rows.get(0);
        List<String> candidates = new ArrayList<>();
        for (int r = 0; r < pivot.rowCount(); r++) {
            if (pivot.stringColumn("method").get(r).equals(method) || rows.contains(r)) candidates.add(describe(r));
        }
        throw new IllegalArgumentException(name + ": " + (rows.isEmpty() ? "no" : rows.size()) + " models match method '"
                + method + "' with settings '" + selector + "'; " + (candidates.isEmpty()
                ? "methods here: " + pivot.stringColumn("method").unique().asList()
                : "candidates: " + String.join(" | ", candidates)));
    }

    /** A measurement of one model; NaN when the model lacks it. */
    public double value(String method, String selector, String measure) {
        int r = row(method, selector);
        return pivot.columnNames().contains(measure) ? pivot.doubleColumn(measure).getDouble(r) : Double.NaN;   // missing: NaN
    }

    /** The 95 % interval recorded with a measurement, {@link Bootstrap.Interval#NONE} if none. */
    public Bootstrap.Interval interval(String method, String selector, String measure) {
        return intervals.getOrDefault(key(row(method, selector)) + "|" + measure, Bootstrap.Interval.NONE);
    }

    /**
     * Model A against model B on {@code measure}, paired over the windows or items both were measured
     * on; an error naming what is missing when the file holds no units for either.
     */
    public PairedComparison compare(String methodA, String selectorA, String methodB, String selectorB, String measure) {
        double[] a = units(methodA, selectorA, measure), b = units(methodB, selectorB, measure);
        return PairedComparison.of(measure + ": " + methodA + label(selectorA) + " vs " + methodB + label(selectorB),
                a, b, measure.startsWith("ppl"), Bootstrap.DEFAULT);
    }

    /** The per-unit values behind one measurement. */
    public double[] units(String method, String selector, String measure) {
        double[] u = units.get(key(row(method, selector)) + "|" + measure);
        if (u == null) {
            throw new IllegalArgumentException(name + ": no units for " + measure + " of " + method + label(selector)
                    + " (the run did not keep them, or the measurement is not there; measures: " + measures() + ")");
        }
        return u;
    }

    private List<Integer> matches(String method, String selector) {
        Map<String, String> want = new LinkedHashMap<>();
        for (String kv : selector.split(";")) {
            if (kv.isBlank()) continue;
            int eq = kv.indexOf('=');
            if (eq < 1) throw new IllegalArgumentException("settings selector '" + selector + "': '" + kv + "' is not key=value");
            want.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        List<Integer> rows = new ArrayList<>();
        for (int r = 0; r < pivot.rowCount(); r++) {
            if (!pivot.stringColumn("method").get(r).equals(method)) continue;
            String settings = pivot.stringColumn("settings").get(r);
            boolean ok = true;
            for (var e : want.entrySet()) {
                String have = switch (e.getKey()) {
                    case "device" -> pivot.stringColumn("device").get(r);
                    case "calib" -> pivot.stringColumn("calibration").get(r);
                    default -> RecordPivot.setting(settings, e.getKey());
                };
                if (!have.equals(e.getValue())) ok = false;
            }
            if (ok) rows.add(r);
        }
        return rows;
    }

    private String key(int r) {
        return pivot.stringColumn("device").get(r) + "|" + pivot.stringColumn("method").get(r) + "|"
                + pivot.stringColumn("settings").get(r) + "|" + pivot.stringColumn("calibration").get(r);
    }

    private static String rowKey(String device, String method, String settings) {
        return String.join("|", RecordPivot.key(device, method, settings));
    }

    private String describe(int r) {
        return pivot.stringColumn("method").get(r) + " [" + pivot.stringColumn("settings").get(r) + "] "
                + pivot.stringColumn("device").get(r) + " calib=" + pivot.stringColumn("calibration").get(r);
    }

    private static String label(String selector) {
        return selector.isBlank() ? "" : " [" + selector + "]";
    }
}
