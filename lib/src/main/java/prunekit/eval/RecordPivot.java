package prunekit.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Result records (one measured number per row, {@link ResultRecord}) turned into one row per pruned
 * model: {@code device, method, settings, calibration} and a column per measurement —
 * {@code ppl <corpus>@<seqlen>} (e.g. {@code ppl sotu@128}; the corpus is the data without its
 * {@code /test}), {@code <task> acc}, {@code <task> acc_norm}, and every other metric by its name
 * ({@code params}, {@code prune_s}, {@code select_s}, {@code sparsity}, ...). The leaderboard and
 * the paper notebooks read their records through it ({@link RecordSet} adds intervals and pairing).
 *
 * <p>Settings are the record's {@code key=value;...} text without its {@code calib=} entry, which
 * becomes the {@code calibration} column; the device is shortened to {@code cpu} or {@code gpu}.
 * When one model has the same measurement twice (a record appended by two runs), the last wins.
 */
public final class RecordPivot {

    private RecordPivot() {}

    /** The pivot of a {@link Results#load} table. */
    public static Table of(Table records) {
        for (String c : List.of("method", "settings", "data", "device", "metric", "value")) {
            if (!records.columnNames().contains(c)) {
                throw new IllegalArgumentException("not a result-record table: no column '" + c + "' (columns: "
                        + records.columnNames() + ")");
            }
        }
        Map<String, String[]> keys = new LinkedHashMap<>();
        Map<String, Map<String, Double>> values = new HashMap<>();
        List<String> measures = new ArrayList<>();
        for (int r = 0; r < records.rowCount(); r++) {
            String[] row = key(records.stringColumn("device").get(r), records.stringColumn("method").get(r),
                    records.stringColumn("settings").get(r));
            String key = String.join("|", row);
            keys.putIfAbsent(key, row);
            String measure = measure(records.stringColumn("metric").get(r), records.stringColumn("data").get(r),
                    records.intColumn("seqlen").get(r));
            if (!measures.contains(measure)) measures.add(measure);
            values.computeIfAbsent(key, k -> new HashMap<>()).put(measure, records.doubleColumn("value").get(r));
        }
        Table out = Table.create("results", StringColumn.create("device"), StringColumn.create("method"),
                StringColumn.create("settings"), StringColumn.create("calibration"));
        for (String m : measures) out.addColumns(DoubleColumn.create(m));
        keys.forEach((key, k) -> {
            for (int i = 0; i < 4; i++) out.stringColumn(i).append(k[i]);
            Map<String, Double> v = values.get(key);
            for (String m : measures) out.doubleColumn(m).append(v.getOrDefault(m, Double.NaN));
        });
        return out;
    }

    /**
     * One measurement of a pivot table: the row with this method, settings and (unless null)
     * calibration; NaN when there is no such row or the row lacks the column.
     */
    public static double lookup(Table pivot, String method, String settings, String calibration, String column) {
        if (column.equals("ppl") && !pivot.columnNames().contains(column)) {   // the perplexity, when there is one
            List<String> ppl = pivot.columnNames().stream().filter(c -> c.startsWith("ppl ")).toList();
            if (ppl.size() == 1) column = ppl.get(0);
        }
        if (!pivot.columnNames().contains(column)) return Double.NaN;
        for (int r = 0; r < pivot.rowCount(); r++) {
            if (pivot.stringColumn("method").get(r).equals(method) && pivot.stringColumn("settings").get(r).equals(settings)
                    && (calibration == null || pivot.stringColumn("calibration").get(r).equals(calibration))
                    && !pivot.doubleColumn(column).isMissing(r)) {
                return pivot.doubleColumn(column).get(r);
            }
        }
        return Double.NaN;
    }

    /** The value of {@code key} in a {@code key=value;...} settings text, or "" when absent. */
    public static String setting(String settings, String key) {
        for (String kv : settings.split(";")) {
            if (kv.startsWith(key + "=")) return kv.substring(key.length() + 1);
        }
        return "";
    }

    /** A record's measurement name in the pivot (see the class comment). */
    static String measure(String metric, String data, int seqLen) {
        if (metric.equals("acc") || metric.equals("acc_norm")) return data + " " + metric;
        if (metric.equals("ppl")) return "ppl " + (data.endsWith("/test") ? data.substring(0, data.length() - 5) : data) + "@" + seqLen;
        return metric;
    }

    /** {device (cpu or gpu), method, settings without calib=, the calib value}: the row a record belongs to. */
    static String[] key(String device, String method, String settings) {
        String[] split = splitCalibration(settings);
        return new String[] {device.startsWith("gpu") ? "gpu" : "cpu", method, split[0], split[1]};
    }

    /** {settings without calib=, the calib value}. */
    private static String[] splitCalibration(String settings) {
        StringBuilder rest = new StringBuilder();
        String calib = "";
        for (String kv : settings.split(";")) {
            if (kv.isEmpty()) continue;
            if (kv.startsWith("calib=")) {
                calib = kv.substring("calib=".length());
                continue;
            }
            if (rest.length() > 0) rest.append(';');
            rest.append(kv);
        }
        return new String[] {rest.toString(), calib};
    }
}
