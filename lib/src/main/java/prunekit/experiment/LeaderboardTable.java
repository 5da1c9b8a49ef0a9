package prunekit.experiment;

import java.util.List;
import prunekit.eval.Bootstrap;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** How {@link Leaderboard} entries read as a table: one row per model, rounded for display. */
final class LeaderboardTable {

    private LeaderboardTable() {}

    /** One row per entry: family, method, settings, size, the measure and its ratio to dense, tasks, time. */
    static Table of(Leaderboard.Config config, String title, List<Leaderboard.Entry> list) {
        Table t = Table.create(title, StringColumn.create("family"), StringColumn.create("method"), StringColumn.create("settings"),
                StringColumn.create("device"), StringColumn.create("calibration"), DoubleColumn.create("params (M)"),
                DoubleColumn.create("params kept"), DoubleColumn.create(config.measure()), DoubleColumn.create("x dense"),
                StringColumn.create("x dense 95%"));
        for (String m : config.taskMeasures()) t.addColumns(DoubleColumn.create(m));
        t.addColumns(DoubleColumn.create("prune s"), StringColumn.create("time covers"));
        for (Leaderboard.Entry e : list) {
            t.stringColumn("family").append(e.family().label());
            t.stringColumn("method").append(e.method());
            t.stringColumn("settings").append(e.settings());
            t.stringColumn("device").append(e.device());
            t.stringColumn("calibration").append(e.calibration());
            t.doubleColumn("params (M)").append(round(e.params() / 1e6, 2));
            t.doubleColumn("params kept").append(round(e.share(), 3));
            t.doubleColumn(config.measure()).append(round(e.value(), 2));
            t.doubleColumn("x dense").append(round(e.ratio(), 3));
            t.stringColumn("x dense 95%").append(interval(e.ratioCi()));
            for (int i = 0; i < e.tasks().length; i++) t.doubleColumn(config.taskMeasures().get(i)).append(round(e.tasks()[i], 3));
            t.doubleColumn("prune s").append(round(e.seconds(), 1));
            t.stringColumn("time covers").append(e.timeCovers());
        }
        return t;
    }

    static String interval(Bootstrap.Interval ci) {
        return Double.isNaN(ci.low()) ? "" : String.format("[%.3f, %.3f]", ci.low(), ci.high());
    }

    static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Double.isNaN(v) ? v : Math.round(v * scale) / scale;
    }
}
