package prunekit.experiment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import prunekit.eval.Bootstrap;
import prunekit.eval.PairedComparison;
import prunekit.eval.RecordPivot;
import prunekit.eval.RecordSet;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * One leaderboard over the result records of every pruning family — depth (layers removed: GradMAP,
 * ShortGPT's Block Influence, Shortened-LLaMA's PPL and Taylor+ criteria, the last layers), merge
 * (Sliding Layer Merging) and width (magnitude, Wanda, GBLM-Pruner) — one entry per pruned model, every
 * number read from the records, none typed in.
 *
 * <p>Each {@link RecordSet} passed is one grid with its own dense model (its row of method {@code dense});
 * an entry is compared with that dense model only, on the same windows and items: its perplexity ratio
 * PPL / PPL<sub>dense</sub> with the paired-bootstrap 95 % interval ({@link RecordSet#compare}) where the
 * record kept its units, its share of the dense model's parameters ({@code params}: every parameter
 * after layer removal; the non-zero ones after weight pruning), each task under its metric, and the
 * wall time of pruning: the record's {@code select_s + compensate_s + prune_s}, plus the method's
 * one-off statistics pass ({@code gradient_s} of its {@code statistics} row: GBLM's gradients) — model
 * loading and evaluation are not counted.
 *
 * <p>Across models it gives the Pareto front (no other model keeps fewer parameters at a lower
 * perplexity) and, per size budget, which models are tied with the best one within the paired
 * interval, so that no single "winner" is read off point estimates.
 *
 * <pre>{@code
 * Leaderboard board = Leaderboard.of(Leaderboard.Config.of("ppl sotu@128"),
 *         RecordSet.load("gpu-layers"), RecordSet.load("gpu-weights"));
 * board.table();          // one row per model
 * board.tiedWithBest();   // per budget: best, tied with best, behind best
 * }</pre>
 */
public final class Leaderboard {

    /** What a pruning does to the model. */
    public enum Family {
        /** the unpruned model */
        DENSE,
        /** whole decoder layers removed ({@code remove=k}) */
        DEPTH,
        /** runs of layers merged into one (SLM: {@code merged_windows=}, {@code threshold=}) */
        MERGE,
        /** weights zeroed inside every linear layer ({@code sparsity=}, {@code nm=}) */
        WIDTH,
        /** anything else */
        OTHER;

        /** The family of a model from its method and settings. */
        public static Family of(String method, String settings) {
            if (method.equals("dense")) return DENSE;
            if (method.startsWith("slm") || has(settings, "merged_windows") || has(settings, "threshold")) return MERGE;
            if (has(settings, "remove")) return DEPTH;
            if (has(settings, "sparsity") || has(settings, "nm")) return WIDTH;
            return OTHER;
        }

        /** Lower-case name, as in the table. */
        public String label() {
            return name().toLowerCase();
        }

        private static boolean has(String settings, String key) {
            return !RecordPivot.setting(settings, key).isEmpty();
        }
    }

    /**
     * @param measure      the perplexity that ranks the models, a pivot column such as {@code ppl sotu@128}
     * @param taskMeasures task columns shown beside it, e.g. {@code cloze acc}
     * @param budgetStep   size budgets are parameter shares rounded to this step (0.01: models within
     *                     one percent of the dense model's parameters share a budget)
     */
    public record Config(String measure, List<String> taskMeasures, double budgetStep) {

        /** Every substitute task (data/tasks/) under the metric its tasks.json gives. */
        public static final List<String> TASKS = List.of("cloze", "next-sentence", "minimal-pair");

        public Config {
            taskMeasures = List.copyOf(taskMeasures);
            if (!measure.startsWith("ppl ")) throw new IllegalArgumentException("rank by a perplexity, e.g. 'ppl sotu@128', got '" + measure + "'");
            if (!(budgetStep > 0)) throw new IllegalArgumentException("budgetStep must be > 0, got " + budgetStep);
        }

        /** The board ranked by {@code measure}, with every task under its metric and budgets of one percent. */
        public static Config of(String measure) {
            return new Config(measure, TASKS.stream().map(RecordSet::taskMeasure).toList(), 0.01);
        }
    }

    /**
     * One model on the board.
     *
     * @param family      what the pruning does
     * @param method      the record's method
     * @param settings    its settings without {@code calib=}
     * @param device      cpu or gpu
     * @param calibration the calibration ({@code brown:128x256}), "" for none
     * @param selector    what names the model in its record ({@link RecordSet#compare}), null when the settings
     *                    do not name it alone
     * @param params      parameters kept (non-zero ones for weight pruning), NaN when not recorded
     * @param share       params / the dense model's params in the same record
     * @param value       the ranking perplexity
     * @param ratio       value / the dense model's, in the same record
     * @param ratioCi     the paired 95 % interval of {@code ratio}, {@link Bootstrap.Interval#NONE} without units
     * @param tasks       one value per {@link Config#taskMeasures}, NaN where not measured
     * @param seconds     wall time of pruning, NaN when the record has none
     * @param timeCovers  which recorded times {@code seconds} adds up, e.g. {@code select_s + compensate_s}
     */
    public record Entry(Family family, String method, String settings, String device, String calibration, String selector,
                        double params, double share, double value, double ratio, Bootstrap.Interval ratioCi,
                        double[] tasks, double seconds, String timeCovers) {

        /** The method with its compensation when it has one other than none: {@code gradmap + projection}. */
        public String variant() {
            String comp = RecordPivot.setting(settings, "compensation");
            return comp.isEmpty() || comp.equals("none") ? method : method + " + " + comp;
        }

        /** {@code method [settings]}, as in the tables. */
        public String describe() {
            return method + " [" + settings + "]";
        }
    }

    /** The recorded times that add up to a model's pruning time, in this order. */
    static final List<String> TIMES = List.of("select_s", "compensate_s", "prune_s");

    private final Config config;
    private final List<Entry> entries = new ArrayList<>();
    private final Map<Entry, RecordSet> source = new java.util.IdentityHashMap<>();

    private Leaderboard(Config config) {
        this.config = config;
    }

    /** The board over {@code grids}, each a record with its own dense model. */
    public static Leaderboard of(Config config, RecordSet... grids) {
        Leaderboard board = new Leaderboard(config);
        for (RecordSet grid : grids) board.add(grid);
        board.entries.sort(Comparator.comparing((Entry e) -> e.family().ordinal())
                .thenComparing(e -> -e.share()).thenComparingDouble(Entry::ratio));
        return board;
    }

    private void add(RecordSet grid) {
        Table p = grid.pivot();
        int dense = -1;
        for (int r = 0; r < p.rowCount() && dense < 0; r++) {
            if (p.stringColumn("method").get(r).equals("dense") && !Double.isNaN(at(p, r, config.measure()))) dense = r;
        }
        String denseSelector = dense < 0 ? null : selector(grid, p, dense);
        for (int row = 0; row < p.rowCount(); row++) {
            final int r = row;
            double value = at(p, r, config.measure()), params = at(p, r, "params");
            if (Double.isNaN(value) && Double.isNaN(params)) continue;          // a statistics or timing row, not a model
            String method = p.stringColumn("method").get(r), settings = p.stringColumn("settings").get(r);
            String selector = selector(grid, p, r);
            double ratio = dense < 0 ? Double.NaN : value / at(p, dense, config.measure());
            Bootstrap.Interval ci = Bootstrap.Interval.NONE;
            if (dense >= 0 && r != dense && selector != null && denseSelector != null && hasUnits(grid, method, selector, denseSelector)) {
                PairedComparison c = grid.compare(method, selector, "dense", denseSelector, config.measure());
                ratio = c.estimate();
                ci = c.ci95();
            }
            double[] tasks = config.taskMeasures().stream().mapToDouble(m -> at(p, r, m)).toArray();
            double seconds = 0;
            List<String> covers = new ArrayList<>();
            for (String t : TIMES) {
                if (!Double.isNaN(at(p, r, t))) {
                    seconds += at(p, r, t);
                    covers.add(t);
                }
            }
            double statistics = statisticsSeconds(p, r);
            if (!Double.isNaN(statistics)) {
                seconds += statistics;
                covers.add("gradient_s");
            }
            Entry e = new Entry(Family.of(method, settings), method, settings, p.stringColumn("device").get(r),
                    p.stringColumn("calibration").get(r), selector, params,
                    dense < 0 ? Double.NaN : params / at(p, dense, "params"), value, ratio, ci, tasks,
                    covers.isEmpty() ? Double.NaN : seconds, String.join(" + ", covers));
            entries.add(e);
            source.put(e, grid);
        }
    }

    /** The models, dense first, then depth, merge and width, each by parameters kept (most first) and ratio. */
    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** The measure the board ranks by. */
    public String measure() {
        return config.measure();
    }

    /** One row per model (see the class comment for what each column holds). */
    public Table table() {
        return LeaderboardTable.of(config, config.measure() + ": every model against the dense model of its own record", entries);
    }

    /**
     * The Pareto front in parameters kept against perplexity ratio: the models that no other model
     * beats on both (a budget as small or smaller at a lower ratio, or a smaller one at as low a ratio),
     * most parameters first. Sizes compare by budget ({@link Config#budgetStep}), so a few parameters
     * more or less (2:4 against 50 %) do not put a worse model on the front. Point estimates;
     * {@link #tiedWithBest} says which differences are inside the noise.
     */
    public Table paretoFront() {
        List<Entry> front = new ArrayList<>();
        for (Entry e : ranked()) {
            boolean dominated = false;
            for (Entry o : ranked()) {
                double so = budget(o), se = budget(e);
                if (o != e && so <= se && o.ratio() <= e.ratio() && (so < se || o.ratio() < e.ratio())) {
                    dominated = true;
                }
            }
            if (!dominated) front.add(e);
        }
        front.sort(Comparator.comparingDouble((Entry e) -> -e.share()).thenComparingDouble(Entry::ratio));
        return LeaderboardTable.of(config, "Pareto front: parameters kept vs " + config.measure() + " (no other model keeps fewer at a lower ratio)", front);
    }

    /** The size budgets of a family, smallest first: parameter shares rounded to {@link Config#budgetStep}. */
    public List<Double> budgets(Family family) {
        TreeSet<Double> b = new TreeSet<>();
        for (Entry e : ranked()) {
            if (e.family() == family) b.add(budget(e));
        }
        return List.copyOf(b);
    }

    /** The model of {@code family} at {@code budget} with the lowest ratio. */
    public Entry best(Family family, double budget) {
        return best(e -> e.family() == family && budget(e) == budget, family.label() + " at budget " + budget
                + " (budgets: " + budgets(family) + ")");
    }

    /**
     * The model of {@code family} with the lowest ratio among those whose settings contain every
     * {@code key=value} of {@code selector} (e.g. {@code remove=6;compensation=none}; "" for all).
     */
    public Entry best(Family family, String selector) {
        return best(e -> e.family() == family && contains(e.settings(), selector, false),
                family.label() + " with settings '" + selector + "'");
    }

    /** The model with the lowest ratio among those {@code which} accepts. */
    public Entry best(Predicate<Entry> which) {
        return best(which, "accepted");
    }

    private Entry best(Predicate<Entry> which, String what) {
        return ranked().stream().filter(which).min(Comparator.comparingDouble(Entry::ratio)).orElseThrow(
                () -> new IllegalArgumentException("no model " + what + " with a " + config.measure()));
    }

    /** The one model of {@code method} whose settings contain {@code selector}'s pairs. */
    public Entry entry(String method, String selector) {
        List<Entry> found = entries.stream().filter(e -> e.method().equals(method) && contains(e.settings(), selector, false)).toList();
        if (found.size() != 1) {
            throw new IllegalArgumentException(found.size() + " models of '" + method + "' match '" + selector + "': "
                    + found.stream().map(Entry::describe).toList());
        }
        return found.get(0);
    }

    /** A against B on the board's measure. */
    public PairedComparison compare(Entry a, Entry b) {
        return compare(a, b, config.measure());
    }

    /**
     * A against B on {@code measure}, paired over the windows or items both were measured on: the two
     * records must have kept their units and measured on the same windows (the same protocol and token
     * budget) or items.
     */
    public PairedComparison compare(Entry a, Entry b, String measure) {
        for (Entry e : List.of(a, b)) {
            if (e.selector() == null) throw new IllegalArgumentException(e.describe() + ": its settings do not name it alone in its record");
        }
        double[] ua = source.get(a).units(a.method(), a.selector(), measure);
        double[] ub = source.get(b).units(b.method(), b.selector(), measure);
        return PairedComparison.of(measure + ": " + a.describe() + " vs " + b.describe(), ua, ub,
                measure.startsWith("ppl"), Bootstrap.DEFAULT);
    }

    /**
     * Per size budget, every model against the best one there (lowest ratio), paired: {@code best},
     * {@code tied with best} (the interval of its ratio to the best contains 1) or {@code behind best};
     * {@code no units} where the record kept none. Largest budget first.
     */
    public Table tiedWithBest() {
        Table t = Table.create("Per budget: each model against the best there (" + config.measure() + ", paired 95 % interval)",
                DoubleColumn.create("budget"), StringColumn.create("family"), StringColumn.create("method"),
                StringColumn.create("settings"), DoubleColumn.create("x dense"), DoubleColumn.create("vs best"),
                StringColumn.create("95% interval"), StringColumn.create("verdict"));
        List<Double> all = new ArrayList<>(new TreeSet<>(ranked().stream().map(this::budget).toList()));
        java.util.Collections.reverse(all);
        for (double b : all) {
            List<Entry> at = ranked().stream().filter(e -> budget(e) == b).sorted(Comparator.comparingDouble(Entry::ratio)).toList();
            Entry best = at.get(0);
            for (Entry e : at) {
                String verdict = "best";
                double vs = 1;
                Bootstrap.Interval ci = Bootstrap.Interval.NONE;
                if (e != best) {
                    try {
                        PairedComparison c = compare(e, best);
                        vs = c.estimate();
                        ci = c.ci95();
                        verdict = c.verdict() == PairedComparison.Verdict.TIE ? "tied with best" : "behind best";
                    } catch (IllegalArgumentException noUnits) {
                        vs = e.ratio() / best.ratio();
                        verdict = "no units";
                    }
                }
                t.doubleColumn(0).append(b);
                t.stringColumn(1).append(e.family().label());
                t.stringColumn(2).append(e.method());
                t.stringColumn(3).append(e.settings());
                t.doubleColumn(4).append(LeaderboardTable.round(e.ratio(), 3));
                t.doubleColumn(5).append(LeaderboardTable.round(vs, 3));
                t.stringColumn(6).append(LeaderboardTable.interval(ci));
                t.stringColumn(7).append(verdict);
            }
        }
        return t;
    }

    /**
     * Chart series, one per {@link Entry#variant()}, then the dense models as one series: {@code x} of
     * each model against the board's perplexity, sorted by x. A depth or merge line starts at the dense
     * model of its own record where {@code x} of that model is defined (a parameter share of 1; a dense
     * model has no pruning time). Models whose settings have a key of {@code selector} with another value
     * are left out; keys a model lacks do not exclude it (so {@code compensation=none} keeps every width
     * model). The order of the series is the same for any {@code x}, so two charts colour a method alike.
     */
    public Map<String, double[][]> series(ToDoubleFunction<Entry> x, String selector) {
        Map<String, List<Entry>> by = new LinkedHashMap<>();
        List<Entry> dense = new ArrayList<>();
        for (Entry e : entries) {
            if (Double.isNaN(x.applyAsDouble(e)) || Double.isNaN(e.value()) || !contains(e.settings(), selector, true)) continue;
            if (e.family() == Family.DENSE) {
                dense.add(e);
                continue;
            }
            List<Entry> line = by.computeIfAbsent(e.variant(), k -> new ArrayList<>());
            Entry own = denseOf(e);
            if ((e.family() == Family.DEPTH || e.family() == Family.MERGE) && own != null && line.isEmpty()
                    && !Double.isNaN(x.applyAsDouble(own))) {
                line.add(own);
            }
            line.add(e);
        }
        if (!dense.isEmpty()) by.put("dense", dense);
        Map<String, double[][]> out = new LinkedHashMap<>();
        by.forEach((name, list) -> {
            List<Entry> sorted = list.stream().sorted(Comparator.comparingDouble(x)).toList();
            out.put(name, new double[][] {sorted.stream().mapToDouble(x).toArray(), sorted.stream().mapToDouble(Entry::value).toArray()});
        });
        return out;
    }

    /** The dense model of the record {@code e} comes from, or null. */
    private Entry denseOf(Entry e) {
        RecordSet grid = source.get(e);
        return entries.stream().filter(d -> d.family() == Family.DENSE && source.get(d) == grid).findFirst().orElse(null);
    }

    /** The entries with both a parameter share and a ratio, the ones budgets and the front compare. */
    private List<Entry> ranked() {
        return entries.stream().filter(e -> !Double.isNaN(e.share()) && !Double.isNaN(e.ratio())).toList();
    }

    private double budget(Entry e) {
        return LeaderboardTable.round(Math.round(e.share() / config.budgetStep()) * config.budgetStep(), 6);
    }

    /** GBLM-style one-off statistics: {@code gradient_s} of the same method's {@code statistics} row, same calibration and device. */
    private static double statisticsSeconds(Table p, int r) {
        if (!p.columnNames().contains("gradient_s")) return Double.NaN;
        for (int s = 0; s < p.rowCount(); s++) {
            if (s != r && p.stringColumn("settings").get(s).equals("statistics")
                    && p.stringColumn("method").get(s).equals(p.stringColumn("method").get(r))
                    && p.stringColumn("calibration").get(s).equals(p.stringColumn("calibration").get(r))
                    && p.stringColumn("device").get(s).equals(p.stringColumn("device").get(r))) {
                return at(p, s, "gradient_s");
            }
        }
        return Double.NaN;
    }

    /** The selector that names pivot row r alone in its record (its key=value settings, device, calibration), or null. */
    private static String selector(RecordSet grid, Table p, int r) {
        StringBuilder s = new StringBuilder();
        for (String kv : p.stringColumn("settings").get(r).split(";")) {
            if (kv.indexOf('=') > 0) s.append(kv).append(';');
        }
        s.append("device=").append(p.stringColumn("device").get(r)).append(";calib=").append(p.stringColumn("calibration").get(r));
        return grid.has(p.stringColumn("method").get(r), s.toString()) ? s.toString() : null;
    }

    private boolean hasUnits(RecordSet grid, String method, String selector, String denseSelector) {
        try {
            grid.units(method, selector, config.measure());
            grid.units("dense", denseSelector, config.measure());
            return true;
        } catch (IllegalArgumentException none) {
            return false;
        }
    }

    /** Whether {@code settings} has every key=value of {@code selector}; a missing key passes when {@code lenient}. */
    private static boolean contains(String settings, String selector, boolean lenient) {
        for (String kv : selector.split(";")) {
            int eq = kv.indexOf('=');
            if (eq < 1) continue;
            String have = RecordPivot.setting(settings, kv.substring(0, eq));
            if (!have.equals(kv.substring(eq + 1)) && !(lenient && have.isEmpty())) return false;
        }
        return true;
    }

    private static double at(Table p, int r, String column) {
        return p.columnNames().contains(column) && !p.doubleColumn(column).isMissing(r) ? p.doubleColumn(column).getDouble(r) : Double.NaN;
    }
}
