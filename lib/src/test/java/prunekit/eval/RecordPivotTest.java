package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class RecordPivotTest {

    @TempDir Path dir;

    private static ResultRecord rec(String method, String settings, String data, String device, String metric, double v) {
        return new ResultRecord(Instant.now(), "tiny", method, settings, data, 0, 0, device, 0, metric, v, Double.NaN, 1);
    }

    @Test
    void oneRowPerModelAndAColumnPerMeasurement() {
        Path csv = dir.resolve("r.csv");
        Results.append(csv, List.of(
                rec("dense", "sparsity=0", "brown/test", "gpu(0)", "ppl", 50),
                rec("wanda", "sparsity=0.5;calib=brown:128x256", "calibration", "gpu(0)", "prune_s", 10),
                rec("wanda", "sparsity=0.5;calib=brown:128x256", "brown/test", "gpu(0)", "ppl", 101),
                rec("wanda", "sparsity=0.5;calib=brown:128x256", "cloze", "gpu(0)", "acc", 0.89),
                rec("wanda", "sparsity=0.5;calib=brown:16x256", "brown/test", "cpu()", "ppl", 105),
                rec("wanda", "sparsity=0.5;calib=brown:128x256", "brown/test", "gpu(0)", "ppl", 102)));   // rerun: last wins
        Table p = RecordPivot.of(Results.load(csv));
        assertEquals(3, p.rowCount());
        assertEquals(List.of("device", "method", "settings", "calibration", "ppl brown@0", "prune_s", "cloze acc"), p.columnNames());
        assertEquals("gpu", p.stringColumn("device").get(1));
        assertEquals("sparsity=0.5", p.stringColumn("settings").get(1));
        assertEquals("brown:128x256", p.stringColumn("calibration").get(1));
        assertEquals(102, p.doubleColumn("ppl brown@0").get(1));
        assertEquals(0.89, p.doubleColumn("cloze acc").get(1));
        assertEquals("cpu", p.stringColumn("device").get(2));
        assertTrue(p.doubleColumn("prune_s").isMissing(0));     // not measured for that model
        assertEquals(105, RecordPivot.lookup(p, "wanda", "sparsity=0.5", "brown:16x256", "ppl"));
        assertEquals(102, RecordPivot.lookup(p, "wanda", "sparsity=0.5", null, "ppl"));   // the one perplexity
        assertEquals(102, RecordPivot.lookup(p, "wanda", "sparsity=0.5", null, "ppl brown@0"));
        assertTrue(Double.isNaN(RecordPivot.lookup(p, "dense", "sparsity=0", null, "prune_s")));
        assertTrue(Double.isNaN(RecordPivot.lookup(p, "gblm", "sparsity=0.5", null, "ppl")));
        assertEquals("16", RecordPivot.setting("a=1;b=16;c=", "b"));
        assertEquals("", RecordPivot.setting("a=1", "z"));
    }

    @Test
    void aTableThatIsNotARecordIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> RecordPivot.of(Table.create("x")));
        assertTrue(e.getMessage().contains("'method'"), e.getMessage());
    }
}
