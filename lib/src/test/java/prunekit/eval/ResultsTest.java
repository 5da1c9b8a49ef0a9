package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class ResultsTest {

    @TempDir Path dir;

    @Test
    void appendsWithOneHeaderAndReadsBack() throws Exception {
        Path csv = dir.resolve("sub/results.csv");
        var run = new ResultRecord.Run("wanda", "sparsity=0.5,\"rows\"", 0, "cpu");
        var ppl = new Perplexity.Result(12.5, Math.log(12.5), 1000, 8, 128, true, "tiny, \"quoted\"", "brown/test", 1.5);
        Results.append(csv, ResultRecord.of(run, ppl));
        var mc = new MultipleChoice.Result("cloze", "tiny", 10, 0.4, 0.16, 0.5, 0.17, 0.25, 2.0, List.of());
        Results.append(csv, ResultRecord.of(run, mc, 512));
        assertEquals(4, Files.readAllLines(csv).size());
        Table t = Results.load(csv);
        assertEquals(3, t.rowCount());
        assertEquals("sparsity=0.5,\"rows\"", t.stringColumn("settings").get(0));
        assertEquals("tiny, \"quoted\"", t.stringColumn("model").get(0));
        assertEquals(12.5, t.doubleColumn("value").get(0), 1e-12);
        assertTrue(t.doubleColumn("stderr").isMissing(0));
        assertEquals("acc_norm", t.stringColumn("metric").get(2));
        assertEquals(0.17, t.doubleColumn("stderr").get(2), 1e-12);
        assertEquals(1000L, t.longColumn("n").get(0));
        Instant.parse(t.stringColumn("timestamp").get(1));
    }
}
