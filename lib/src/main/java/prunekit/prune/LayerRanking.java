package prunekit.prune;

import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import prunekit.model.LlamaModel;
import prunekit.importance.LayerImportance;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * One metric's scores of the layers of one model and the wall time they took: the unit in which
 * the GradMAP notebook compares metrics ("which layers would each remove first, at what cost",
 * GradMAP arXiv 2602.14649's speed claim) and how far their rankings agree (Spearman's ρ).
 *
 * @param name    the metric's {@link LayerImportance#name()}
 * @param scores  one score per layer, higher = more important
 * @param seconds wall time of the scoring pass(es)
 */
public record LayerRanking(String name, double[] scores, double seconds) {

    /** Scores {@code model}'s layers with {@code metric} on {@code calibration}, timed. */
    public static LayerRanking measure(LayerImportance metric, LlamaModel model, int[][] calibration) {
        long t0 = System.nanoTime();
        double[] s = metric.scores(model, calibration);
        return new LayerRanking(metric.name(), s, (System.nanoTime() - t0) / 1e9);
    }

    /** The {@code n} layers a one-shot removal would take first ({@link LayerPruner#ascending}). */
    public int[] firstToGo(int n) {
        return Arrays.copyOf(LayerPruner.ascending(scores), Math.min(n, scores.length));
    }

    /** metric | the first {@code n} to go | seconds, one row per ranking. */
    public static Table table(String title, List<LayerRanking> rankings, int n) {
        return Table.create(title,
                StringColumn.create("metric", rankings.stream().map(LayerRanking::name).toList()),
                StringColumn.create("first " + n + " to go", rankings.stream().map(r -> Arrays.toString(r.firstToGo(n))).toList()),
                DoubleColumn.create("seconds", rankings.stream().mapToDouble(r -> Math.round(r.seconds * 10) / 10.0).toArray()));
    }

    /**
     * Spearman's rank correlation of every pair of rankings (commons-math3, ties at their average
     * rank), rounded to two decimals: {@code rho[i][j]} of rankings i and j.
     */
    public static double[][] spearman(List<LayerRanking> rankings) {
        SpearmansCorrelation spearman = new SpearmansCorrelation();
        double[][] rho = new double[rankings.size()][rankings.size()];
        for (int i = 0; i < rho.length; i++) {
            for (int j = 0; j < rho.length; j++) {
                rho[i][j] = Math.round(spearman.correlation(rankings.get(i).scores, rankings.get(j).scores) * 100) / 100.0;
            }
        }
        return rho;
    }
}
