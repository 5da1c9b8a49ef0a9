package prunekit.experiment;

import static prunekit.experiment.PerplexityRecords.ppl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.eval.Bootstrap;
import prunekit.eval.PairedComparison.Verdict;
import prunekit.eval.RecordSet;
import prunekit.eval.ResultRecord;
import prunekit.eval.Results;
import tech.tablesaw.api.Table;

/** Before/after-recovery tables from records whose window NLLs are built so that each verdict is known. */
class RecoveryTableTest {

    @TempDir Path dir;

    @Test
    void ranksRatiosAndPairVerdictsComeFromThePairedWindows() {
        String s = "remove=6;mode=one-shot;compensation=none;removed=1 2 3 4 5 6;calib=brown:4x8";
        String r = s + ";recovery=lora;recovery_steps=100;recovery_corpus=brown";
        IntToDoubleFunction wobble = i -> 0.05 * Math.sin(i);
        List<ResultRecord> recs = new ArrayList<>();
        recs.add(ppl("a", s, i -> 3.0 + wobble.applyAsDouble(i)));                    // best before
        recs.add(ppl("b", s, i -> 3.5 + wobble.applyAsDouble(i)));
        recs.add(ppl("c", s, i -> 3.5 + wobble.applyAsDouble(i) + 0.1 * (i % 2 == 0 ? 1 : -1)));   // tied with b (same mean: same rank)
        recs.add(ppl("a", s.replace("none", "projection"), i -> 2.0));               // another compensation: ignored
        recs.add(ppl("a+lora", r, i -> 3.3 + wobble.applyAsDouble(i)));               // worst after: a vs b flips
        recs.add(ppl("b+lora", r, i -> 3.0 + wobble.applyAsDouble(i)));
        recs.add(ppl("c+lora", r, i -> 3.2 + wobble.applyAsDouble(i)));               // c separates from b after
        recs.add(new ResultRecord(Instant.now(), "tiny", "b+lora", r, "calibration", 8, 0, "cpu()", 1, "train_loss", 2.5,
                Double.NaN, 4, Bootstrap.Interval.NONE, new double[] {4, 3.5, 3, 2.5}));   // b's run kept its curve
        Path csv = dir.resolve("grid.csv");
        Results.append(csv, recs);

        RecoveryTable t = RecoveryTable.of(RecordSet.load(csv), "ppl sotu@128", 6, List.of("a", "b", "c"));
        assertEquals(List.of(1, 2, 2), t.rows().stream().map(RecoveryTable.Row::rankBefore).toList());
        assertEquals(List.of(3, 1, 2), t.rows().stream().map(RecoveryTable.Row::rankAfter).toList());
        assertEquals(Math.exp(0.3), t.rows().get(0).recovery().estimate(), 1e-6);      // a got worse: ratio e^0.3 (units kept as float)
        assertEquals(Verdict.WORSE, t.rows().get(0).recovery().verdict());
        assertEquals(Verdict.BETTER, t.rows().get(1).recovery().verdict());

        RecoveryTable.Pair ab = t.pairs().get(0), ac = t.pairs().get(1), bc = t.pairs().get(2);
        assertEquals("a", ab.a());
        assertEquals("b", ab.b());
        assertTrue(ab.flipped());
        assertTrue(ac.flipped());
        assertTrue(bc.opened());
        assertFalse(bc.flipped());
        assertTrue(t.rankingChanges());
        assertTrue(t.summary().contains("Of 2 pairs separated before, 0 keep their order, 0 close to a tie and 2 flip;"
                + " 1 tied pairs separate after. The ranking changes after recovery."), t.summary());

        assertEquals(List.of("b"), List.copyOf(t.curves().keySet()));
        assertEquals(List.of(1.0, 2.0, 3.0, 4.0), Arrays.stream(t.curves().get("b")[0]).boxed().toList());
        assertEquals(2.5, t.curves().get("b")[1][3], 1e-6);

        Table rows = t.table();
        assertEquals(3, rows.rowCount());
        assertEquals(Math.round(Math.exp(3.3) * 100) / 100.0, rows.doubleColumn("after").get(0), 0.02);
        assertEquals(List.of("flipped", "flipped", "opened (tie before)"), t.pairTable().stringColumn("change").asList());

        var e = assertThrows(IllegalArgumentException.class,
                () -> RecoveryTable.of(RecordSet.load(csv), "ppl sotu@128", 9, List.of("a")));
        assertTrue(e.getMessage().contains("a+lora"), e.getMessage());

        // a recovered twin still being measured (no perplexity yet): an error naming it, not a null
        Results.append(csv, List.of(ppl("d", s, i -> 3.0), new ResultRecord(Instant.now(), "tiny", "d+lora", r,
                "calibration", 8, 0, "cpu()", 1, "train_loss", 2.5, Double.NaN, 4)));
        var missing = assertThrows(IllegalArgumentException.class,
                () -> RecoveryTable.of(RecordSet.load(csv), "ppl sotu@128", 6, List.of("a", "d")));
        assertTrue(missing.getMessage().startsWith("no ppl sotu@128 for d+lora"), missing.getMessage());
    }

    @Test
    void equalValuesShareTheBetterRank() {
        assertEquals(List.of(1, 1, 3), Arrays.stream(RecoveryTable.ranks(new double[] {2, 2, 5}, false)).boxed().toList());
        assertEquals(List.of(3, 1, 1), Arrays.stream(RecoveryTable.ranks(new double[] {2, 5, 5}, true)).boxed().toList());
    }
}
