package prunekit.eval;

import java.util.ArrayList;
import java.util.List;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The models of a {@link RecordSet} beside one reference model (the dense one), one row per model
 * (its method, settings and calibration):
 * each perplexity measure ({@code ppl <corpus>@<seqlen>}) as the ratio to the reference's on the same
 * corpus and window length — below 1 better than the reference, above 1 worse — and every other
 * measure (task accuracies, {@code params}, {@code prune_s}) as recorded. The reference's own
 * perplexities go in the title, so the table reads on its own; the reference's row (ratios 1) stays
 * in, for its task accuracies.
 *
 * <pre>{@code
 * RecordSet grid = RecordSet.load("gpu-weights");
 * DenseRatios.of(grid, "dense", "sparsity=0", List.of("ppl sotu@128", "cloze acc", "prune_s"))
 * }</pre>
 *
 * Rows keep the record's order and drop models that lack every listed measure; values are rounded
 * for reading: ratios and values below 1,000 to three decimals, larger values to whole numbers.
 */
public final class DenseRatios {

    private DenseRatios() {}

    /** The table of {@code measures} for every model of {@code set}, perplexities relative to the reference. */
    public static Table of(RecordSet set, String refMethod, String refSelector, List<String> measures) {
        Table pivot = set.pivot();
        List<String> reference = new ArrayList<>();
        Table t = Table.create(pivot.name(), StringColumn.create("method"), StringColumn.create("settings"),
                StringColumn.create("calibration"));
        for (String m : measures) {
            if (!pivot.columnNames().contains(m)) {
                throw new IllegalArgumentException(pivot.name() + " has no measure '" + m + "' (measures: " + set.measures() + ")");
            }
            boolean ppl = m.startsWith("ppl ");
            if (ppl) reference.add(String.format("%s %.2f", m.substring(4), set.value(refMethod, refSelector, m)));
            t.addColumns(DoubleColumn.create(ppl ? m + " ÷ " + refMethod : m));
        }
        for (int r = 0; r < pivot.rowCount(); r++) {
            final int row = r;
            if (measures.stream().allMatch(m -> pivot.doubleColumn(m).isMissing(row))) continue;
            t.stringColumn("method").append(pivot.stringColumn("method").get(r));
            t.stringColumn("settings").append(pivot.stringColumn("settings").get(r));
            t.stringColumn("calibration").append(pivot.stringColumn("calibration").get(r));
            for (int i = 0; i < measures.size(); i++) {
                String m = measures.get(i);
                double v = pivot.doubleColumn(m).getDouble(r);
                if (m.startsWith("ppl ")) v /= set.value(refMethod, refSelector, m);
                if (Double.isNaN(v)) t.doubleColumn(i + 3).appendMissing();
                else t.doubleColumn(i + 3).append(Math.abs(v) >= 1000 ? Math.round(v) : Math.round(v * 1000) / 1000.0);
            }
        }
        return t.setName(pivot.name() + (reference.isEmpty() ? "" : ": perplexity as a ratio to " + refMethod + "'s ("
                + String.join(", ", reference) + ")"));
    }
}
