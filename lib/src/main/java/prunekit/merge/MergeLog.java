package prunekit.merge;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** The decision log of one Sliding Layer Merging search ({@link SlidingMerge}) as a table, one row per window tried. */
public final class MergeLog {

    private MergeLog() {}

    /**
     * step | window | layers | similarity | decision, where the decision is {@code fail}, {@code pass, grow}
     * (the window grows one layer down next) or {@code pass, merged} (the last window that passed, merged for good).
     */
    public static Table of(SlidingMerge.Result r) {
        Table t = Table.create(String.format("Merge log: rule %s, T = %.4g, merge range %d..%d", r.rule(),
                r.config().threshold(), r.config().protectLow(), r.config().protectHigh()),
                IntColumn.create("step"), StringColumn.create("window"), IntColumn.create("layers"),
                DoubleColumn.create("similarity"), StringColumn.create("decision"));
        for (int i = 0; i < r.decisions().size(); i++) {
            SlidingMerge.Decision d = r.decisions().get(i);
            t.intColumn(0).append(i + 1);
            t.stringColumn(1).append(d.window().toString());
            t.intColumn(2).append(d.window().size());
            t.doubleColumn(3).append(Math.round(d.similarity() * 10000) / 10000.0);
            t.stringColumn(4).append(!d.accepted() ? "fail" : r.merges().contains(d.window()) ? "pass, merged" : "pass, grow");
        }
        return t;
    }
}
