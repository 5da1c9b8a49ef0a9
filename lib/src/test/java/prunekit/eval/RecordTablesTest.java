package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class RecordTablesTest {

    @TempDir Path dir;

    private static ResultRecord ppl(String method, String settings, double value) {
        return new ResultRecord(Instant.now(), "tiny", method, settings + ";calib=brown:4x8", "sotu/test", 128, 0, "cpu",
                1, "ppl", value, Double.NaN, 4);
    }

    private static ResultRecord seconds(String method, String settings, double value) {
        return new ResultRecord(Instant.now(), "tiny", method, settings + ";calib=brown:4x8", "calibration", 8, 0, "cpu",
                value, "select_s", value, Double.NaN, 4);
    }

    private RecordSet grid() {
        Path csv = dir.resolve("grid.csv");
        Results.append(csv, List.of(ppl("dense", "remove=0", 40),
                ppl("a", "remove=3;compensation=none", 50), ppl("a", "remove=3;compensation=projection", 45),
                ppl("a", "remove=6;compensation=none", 80), ppl("b", "remove=6;compensation=none", 1000),
                seconds("a", "remove=3;compensation=none", 2), seconds("a", "remove=6;compensation=none", 4),
                seconds("b", "remove=6;compensation=none", 12)));
        return RecordSet.load(csv);
    }

    @Test
    void modelsTableReadsSettingsAndDividesByTheReference() {
        Table t = RecordTables.models(grid(), List.of("remove", "compensation"), List.of("ppl sotu@128"), "dense");
        assertEquals(List.of("method", "remove", "compensation", "ppl sotu@128", "sotu@128 ÷ dense"), t.columnNames());
        assertEquals(List.of(0, 3, 3, 6, 6), t.intColumn("remove").asList());          // an integer setting stays a number
        assertEquals(List.of("", "none", "projection", "none", "none"), t.stringColumn("compensation").asList());
        assertArrayEquals(new double[] {1, 1.25, 1.125, 2, 25}, t.doubleColumn("sotu@128 ÷ dense").asDoubleArray(), 1e-12);
    }

    @Test
    void wideTableHasARowPerValueAndNaNWhereAMethodLacksTheModel() {
        Table t = RecordTables.wide(grid(), "select_s", "remove", List.of("a", "b"), "compensation=none");
        assertEquals(List.of(3, 6), t.intColumn("remove").asList());
        assertArrayEquals(new double[] {2, 4}, t.doubleColumn("a").asDoubleArray());
        assertTrue(Double.isNaN(t.doubleColumn("b").getDouble(0)));
        assertEquals(12, t.doubleColumn("b").get(1));
    }

    @Test
    void curvesStartAtTheReferenceAndSkipMissingPoints() {
        var c = RecordTables.curves(grid(), "ppl sotu@128", "remove", List.of("a", "b"), "compensation=none", "dense");
        assertArrayEquals(new double[][] {{0, 3, 6}, {40, 50, 80}}, c.get("a"));
        assertArrayEquals(new double[][] {{0, 6}, {40, 1000}}, c.get("b"));
    }

    @Test
    void roundsToFourSignificantDigits() {
        assertArrayEquals(new double[] {1235, 0.0001235, 0, Double.NaN},
                RecordTables.round(new double[] {1234.56, 0.000123456, 0, Double.NaN}));
    }
}
