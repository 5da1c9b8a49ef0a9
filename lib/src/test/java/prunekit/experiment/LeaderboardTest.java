package prunekit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.eval.Bootstrap;
import prunekit.eval.PairedComparison;
import prunekit.eval.RecordSet;
import prunekit.eval.ResultRecord;
import prunekit.eval.Results;
import prunekit.experiment.Leaderboard.Entry;
import prunekit.experiment.Leaderboard.Family;
import tech.tablesaw.api.Table;

/**
 * The leaderboard over two hand-made grids (a layer grid and a weight grid, each with its dense model),
 * checked against ratios, shares, times and dominance worked out here from the numbers written.
 */
class LeaderboardTest {

    @TempDir Path dir;

    private static final int WINDOWS = 300;
    private static final Leaderboard.Config CONFIG = new Leaderboard.Config("ppl sotu@128", List.of("cloze acc"), 0.01);

    private static ResultRecord ppl(String method, String settings, double[] nll) {
        double mean = Arrays.stream(nll).average().orElseThrow();
        return new ResultRecord(Instant.now(), "tiny", method, settings, "sotu/test", 128, 0, "gpu(0)", 1, "ppl",
                Math.exp(mean), Double.NaN, nll.length * 127L, Bootstrap.DEFAULT.mean(nll).map(Math::exp), nll);
    }

    private static ResultRecord number(String method, String settings, String metric, double value) {
        return new ResultRecord(Instant.now(), "tiny", method, settings, "calibration", 8, 0, "gpu(0)", 0, metric, value,
                Double.NaN, 4);
    }

    private static ResultRecord cloze(String method, String settings, double acc) {
        return new ResultRecord(Instant.now(), "tiny", method, settings, "cloze", 0, 0, "gpu(0)", 1, "acc", acc, Double.NaN, 100);
    }

    /** Window NLLs: the dense ones shifted by {@code shift} plus a little per-window noise. */
    private static double[] shifted(double[] dense, double shift, double noise, Random rnd) {
        double[] out = new double[dense.length];
        for (int i = 0; i < out.length; i++) out[i] = dense[i] + shift + noise * rnd.nextGaussian();
        return out;
    }

    private static double mean(double[] x) {
        return Arrays.stream(x).average().orElseThrow();
    }

    @Test
    void entriesReadRatiosSharesAndTimesFromTheRecords() {
        Random rnd = new Random(7);
        double[] dense = new double[WINDOWS];
        for (int i = 0; i < WINDOWS; i++) dense[i] = 3 + rnd.nextGaussian();          // windows differ a lot
        double[] aNone = shifted(dense, 0.30, 0.02, rnd), aProj = shifted(dense, 0.20, 0.02, rnd);
        double[] bNone = shifted(dense, 0.301, 0.02, rnd);                             // a's twin: tied with it
        double[] cDeep = shifted(dense, 0.90, 0.02, rnd);
        double[] wanda = shifted(dense, 0.25, 0.02, rnd), gblm = shifted(dense, 0.60, 0.02, rnd);

        String a = "remove=3;mode=one-shot;compensation=none;removed=5 6 7;calib=brown:4x8";
        String aP = "remove=3;mode=one-shot;compensation=projection;removed=5 6 7;calib=brown:4x8";
        String b = "remove=3;mode=iterative;compensation=none;removed=7 6 5;calib=brown:4x8";
        String c = "remove=6;mode=one-shot;compensation=none;removed=1 2 3 4 5 6;calib=brown:4x8";
        List<ResultRecord> layers = new ArrayList<>(List.of(
                ppl("dense", "remove=0", dense), number("dense", "remove=0", "params", 1000),
                ppl("a", a, aNone), number("a", a, "params", 700), number("a", a, "select_s", 2.0), cloze("a", a, 0.6),
                ppl("a", aP, aProj), number("a", aP, "params", 700), number("a", aP, "select_s", 2.0),
                number("a", aP, "compensate_s", 0.5),
                ppl("b", b, bNone), number("b", b, "params", 700), number("b", b, "select_s", 9.0),
                ppl("c", c, cDeep), number("c", c, "params", 400), number("c", c, "select_s", 2.0)));
        Path layerCsv = dir.resolve("layers.csv");
        Results.append(layerCsv, layers);

        String half = "sparsity=0.5;calib=brown:4x8";
        Path weightCsv = dir.resolve("weights.csv");
        Results.append(weightCsv, List.of(
                ppl("dense", "sparsity=0", dense), number("dense", "sparsity=0", "params", 990),
                number("gblm", "statistics;calib=brown:4x8", "gradient_s", 10.0),
                ppl("wanda", half, wanda), number("wanda", half, "params", 495), number("wanda", half, "prune_s", 1.5),
                ppl("gblm", half, gblm), number("gblm", half, "params", 495), number("gblm", half, "prune_s", 1.25)));

        Leaderboard board = Leaderboard.of(CONFIG, RecordSet.load(layerCsv), RecordSet.load(weightCsv));
        List<Entry> entries = board.entries();
        assertEquals(8, entries.size(), "6 pruned models and 2 dense ones; the statistics row is no model");
        assertEquals(List.of(Family.DENSE, Family.DENSE, Family.DEPTH, Family.DEPTH, Family.DEPTH, Family.DEPTH, Family.WIDTH,
                Family.WIDTH), entries.stream().map(Entry::family).toList());

        Entry ap = board.entry("a", "compensation=projection");
        assertEquals(Family.DEPTH, ap.family());
        assertEquals("a + projection", ap.variant());
        assertEquals(Math.exp(mean(aProj) - mean(dense)), ap.ratio(), 1e-6);          // PPL_a / PPL_dense
        assertTrue(ap.ratioCi().contains(ap.ratio()) && ap.ratioCi().low() > 1);
        assertEquals(0.7, ap.share(), 1e-12);
        assertEquals(2.5, ap.seconds(), 1e-12);
        assertEquals("select_s + compensate_s", ap.timeCovers());
        assertEquals(0.6, board.entry("a", "compensation=none").tasks()[0], 1e-12);
        assertTrue(Double.isNaN(ap.tasks()[0]), "not measured: NaN");

        Entry g = board.entry("gblm", "sparsity=0.5");
        assertEquals(Family.WIDTH, g.family());
        assertEquals(495 / 990.0, g.share(), 1e-12, "against the dense model of its own record");
        assertEquals(11.25, g.seconds(), 1e-12, "prune_s + the statistics pass");
        assertEquals("prune_s + gradient_s", g.timeCovers());
        assertEquals(1.5, board.entry("wanda", "sparsity=0.5").seconds(), 1e-12);

        // Pareto front by hand: the two dense models (1.0, ratio 1: neither beats the other), a + projection (0.7,
        // the lowest ratio there), wanda (0.5, lower than gblm), c (0.4, the fewest parameters); b, a without
        // compensation (0.7, higher ratios) and gblm (0.5) are dominated.
        Table front = board.paretoFront();
        assertEquals(List.of("dense", "dense", "a", "wanda", "c"), front.stringColumn("method").asList());
        assertEquals("compensation=projection", "compensation=" + prunekit.eval.RecordPivot.setting(front.stringColumn("settings").get(2), "compensation"));

        // Budgets: depth at 0.4 and 0.7; the best at 0.7 is a + projection.
        assertEquals(List.of(0.4, 0.7), board.budgets(Family.DEPTH));
        assertEquals("a + projection", board.best(Family.DEPTH, 0.7).variant());
        assertEquals("a", board.best(Family.DEPTH, "remove=3;compensation=none").method());

        // Chart series: a line per variant, a depth line starting at its own record's dense model, dense last.
        var series = board.series(Entry::share, "compensation=none");
        assertEquals(List.of("a", "b", "c", "wanda", "gblm", "dense"), List.copyOf(series.keySet()));
        assertEquals(List.of(0.7, 1.0), Arrays.stream(series.get("a")[0]).boxed().toList());
        assertEquals(Math.exp(mean(dense)), series.get("a")[1][1], 1e-9);
        assertEquals(1, board.series(Entry::seconds, "").get("wanda")[0].length, "width lines do not start at dense");

        // Across the two records: the same windows, paired.
        PairedComparison wVsA = board.compare(board.entry("wanda", ""), board.entry("a", "compensation=none"));
        assertEquals(Math.exp(mean(wanda) - mean(aNone)), wVsA.estimate(), 1e-6);
        assertEquals(PairedComparison.Verdict.BETTER, wVsA.verdict());
    }

    @Test
    void tiedWithBestSplitsEachBudgetByThePairedInterval() {
        Random rnd = new Random(3);
        double[] dense = new double[WINDOWS];
        for (int i = 0; i < WINDOWS; i++) dense[i] = 3 + rnd.nextGaussian();
        double[] best = shifted(dense, 0.10, 0.05, rnd), twin = new double[WINDOWS];
        for (int i = 0; i < WINDOWS; i++) twin[i] = best[i] + 0.001 + (i % 2 == 0 ? 0.05 : -0.05);   // 0.001 behind, noisy
        double[] behind = shifted(dense, 0.40, 0.05, rnd);
        Path csv = dir.resolve("grid.csv");
        List<ResultRecord> records = new ArrayList<>(List.of(ppl("dense", "remove=0", dense), number("dense", "remove=0", "params", 100)));
        String[][] models = {{"x", "remove=2;compensation=none"}, {"y", "remove=2;compensation=none"}, {"z", "remove=2;compensation=none"}};
        double[][] nll = {best, twin, behind};
        for (int i = 0; i < 3; i++) {
            records.add(ppl(models[i][0], models[i][1], nll[i]));
            records.add(number(models[i][0], models[i][1], "params", 80));
        }
        Results.append(csv, records);
        Table t = Leaderboard.of(CONFIG, RecordSet.load(csv)).tiedWithBest();
        Table at = t.where(t.doubleColumn("budget").isEqualTo(0.8));
        assertEquals(List.of("x", "y", "z"), at.stringColumn("method").asList());
        assertEquals(List.of("best", "tied with best", "behind best"), at.stringColumn("verdict").asList());
        // z against x: exp(mean(z) - mean(x)), worked out here
        assertEquals(Math.exp(mean(behind) - mean(best)), at.doubleColumn("vs best").get(2), 1e-3);
    }

    @Test
    void familiesFollowTheSettings() {
        assertEquals(Family.DEPTH, Family.of("block-influence", "remove=6;mode=one-shot;compensation=none"));
        assertEquals(Family.WIDTH, Family.of("wanda", "nm=2:4"));
        assertEquals(Family.WIDTH, Family.of("magnitude", "sparsity=0.5"));
        assertEquals(Family.MERGE, Family.of("slm-paper", "merge_rule=paper;threshold=0.9;merged_windows=26..27"));
        assertEquals(Family.DENSE, Family.of("dense", "sparsity=0"));
    }
}
