package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.data.DataPaths;
import tech.tablesaw.api.Table;

class ResultsTest {

    @TempDir Path dir;

    @Test
    void appendsWithOneHeaderAndReadsBack() throws Exception {
        Path csv = dir.resolve("sub/results.csv");
        var run = new ResultRecord.Run("wanda", "sparsity=0.5,\"rows\"", 0, "cpu");
        var ppl = new Perplexity.Result(12.5, Math.log(12.5), 1000, 8, 128, true, "tiny, \"quoted\"", "brown/test", 1.5,
                new double[8], new Bootstrap.Interval(11.5, 13.75));
        Results.append(csv, ResultRecord.of(run, ppl));
        var mc = new MultipleChoice.Result("cloze", "tiny", 10, 0.4, 0.16, 0.5, 0.17, 0.25, 2.0, List.of(),
                ChoiceTask.Metric.ACC_NORM, Bootstrap.Interval.NONE);
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
        assertEquals(11.5, t.doubleColumn("ci_low").get(0), 1e-12);
        assertEquals(13.75, t.doubleColumn("ci_high").get(0), 1e-12);
        assertTrue(t.doubleColumn("ci_low").isMissing(1));
        Instant.parse(t.stringColumn("timestamp").get(1));
    }

    @Test
    void readsAndUpgradesAFileWrittenBeforeIntervals() throws Exception {
        Path csv = dir.resolve("old.csv");
        Files.writeString(csv, String.join(",", ResultRecord.COLUMNS_WITHOUT_CI) + "\n"
                + "2026-01-01T00:00:00Z,m,dense,,brown/test,128,-1,cpu,1.0,ppl,42.0,NaN,100\n");
        Table before = Results.load(csv);
        assertEquals(42.0, before.doubleColumn("value").get(0), 1e-12);
        assertTrue(before.doubleColumn("ci_high").isMissing(0));
        Results.append(csv, new ResultRecord(Instant.now(), "m", "wanda", "", "brown/test", 128, 0, "cpu", 1, "ppl",
                50, Double.NaN, 100, new Bootstrap.Interval(48, 52)));
        assertEquals(String.join(",", ResultRecord.COLUMNS), Files.readAllLines(csv).get(0));
        Table after = Results.load(csv);
        assertEquals(2, after.rowCount());
        assertTrue(after.doubleColumn("ci_low").isMissing(0));
        assertEquals(52.0, after.doubleColumn("ci_high").get(1), 1e-12);
    }
    /** One run's file: the earlier record and its units gone; under CI a temporary file outside data/results. */
    @Test
    void aFreshFileHoldsOnlyTheNextRun() throws Exception {
        String before = System.getProperty("prunekit.root");
        System.setProperty("prunekit.root", dir.toString());
        try {
            Path csv = Results.file("run");
            Files.createDirectories(csv.getParent());
            Files.writeString(csv, "old\n");
            Files.writeString(Results.unitsFile(csv), "old\n");
            assertEquals(csv, Results.fresh("run", false));
            assertFalse(Files.exists(csv));
            assertFalse(Files.exists(Results.unitsFile(csv)));
            Path temporary = Results.fresh("run", true);
            assertTrue(Files.exists(temporary) && temporary.getFileName().toString().startsWith("run-"), temporary.toString());
            assertFalse(temporary.startsWith(DataPaths.results()), temporary.toString());
            Files.delete(temporary);
        } finally {
            if (before == null) System.clearProperty("prunekit.root");
            else System.setProperty("prunekit.root", before);
        }
    }
}
