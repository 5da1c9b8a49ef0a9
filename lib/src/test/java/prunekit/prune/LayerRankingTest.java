package prunekit.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import prunekit.importance.LayerImportance;
import tech.tablesaw.api.Table;

class LayerRankingTest {

    @Test
    void firstToGoIsTheLowestScoresAndTheTableSaysSo() {
        LayerImportance metric = LayerImportance.named("toy", (model, calibration) -> new double[] {5, 1, 4, 2, 3});
        LayerRanking r = LayerRanking.measure(metric, null, null);
        assertEquals("toy", r.name());
        assertArrayEquals(new int[] {1, 3, 4}, r.firstToGo(3));
        Table t = LayerRanking.table("t", List.of(r), 3);
        assertEquals("[1, 3, 4]", t.stringColumn("first 3 to go").get(0));
    }

    @Test
    void spearmanIsPearsonOfTheRanks() {
        // ranks by hand: a -> 1 2 3 4 5, b -> 2 1 4 3 5; d = -1 1 -1 1 0, sum d^2 = 4
        // rho = 1 - 6 * 4 / (5 * (25 - 1)) = 0.8
        var a = new LayerRanking("a", new double[] {0.1, 0.2, 0.3, 0.4, 0.5}, 0);
        var b = new LayerRanking("b", new double[] {20, 10, 40, 30, 50}, 0);
        var c = new LayerRanking("c", new double[] {5, 4, 3, 2, 1}, 0);
        double[][] rho = LayerRanking.spearman(List.of(a, b, c));
        assertEquals(1.0, rho[0][0]);
        assertEquals(0.8, rho[0][1], 1e-12);
        assertEquals(0.8, rho[1][0], 1e-12);
        assertEquals(-1.0, rho[0][2], 1e-12);
    }
}
