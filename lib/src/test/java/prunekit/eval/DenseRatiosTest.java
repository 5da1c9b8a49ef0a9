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

class DenseRatiosTest {

    @TempDir Path dir;

    private static ResultRecord rec(String method, String settings, String data, int seqLen, String metric, double v) {
        return new ResultRecord(Instant.now(), "tiny", method, settings, data, seqLen, 0, "cpu()", 1, metric, v,
                Double.NaN, 10);
    }

    @Test
    void perplexitiesBecomeRatiosToTheReferenceOthersStayAsRecorded() {
        Path csv = dir.resolve("grid.csv");
        Results.append(csv, List.of(
                rec("dense", "sparsity=0", "sotu/test", 128, "ppl", 20), rec("dense", "sparsity=0", "cloze", 0, "acc", 0.9),
                rec("gblm", "statistics;calib=brown:4x8", "calibration", 8, "gradient_s", 3),    // no listed measure: dropped
                rec("wanda", "sparsity=0.5;calib=brown:4x8", "sotu/test", 128, "ppl", 50),
                rec("wanda", "sparsity=0.5;calib=brown:4x8", "cloze", 0, "acc", 0.8),
                rec("wanda", "sparsity=0.5;calib=brown:4x8", "model", 0, "params", 81_430_848.4),
                rec("gblm", "nm=2:4;calib=brown:4x8", "sotu/test", 128, "ppl", 70)));           // no cloze: missing
        Table t = DenseRatios.of(RecordSet.load(csv), "dense", "sparsity=0", List.of("ppl sotu@128", "cloze acc", "params"));

        assertEquals(List.of("method", "settings", "calibration", "ppl sotu@128 ÷ dense", "cloze acc", "params"), t.columnNames());
        assertEquals(List.of("dense", "wanda", "gblm"), t.stringColumn("method").asList());
        assertEquals(List.of(1.0, 2.5, 3.5), t.doubleColumn(3).asList());                      // 20/20, 50/20, 70/20
        assertEquals(List.of("", "brown:4x8", "brown:4x8"), t.stringColumn("calibration").asList());
        assertEquals(0.8, t.doubleColumn("cloze acc").get(1), 1e-12);
        assertTrue(t.doubleColumn("cloze acc").isMissing(2));
        assertEquals(81_430_848.0, t.doubleColumn("params").get(1), 1e-6);                    // whole number
        assertTrue(t.name().endsWith("ratio to dense's (sotu@128 20.00)"), t.name());
        assertThrows(IllegalArgumentException.class,
                () -> DenseRatios.of(RecordSet.load(csv), "dense", "sparsity=0", List.of("ppl brown@256")));
    }
}
