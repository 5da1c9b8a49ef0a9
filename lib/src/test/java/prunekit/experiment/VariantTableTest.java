package prunekit.experiment;

import static prunekit.experiment.PerplexityRecords.ppl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.eval.PairedComparison.Verdict;
import prunekit.eval.RecordSet;
import prunekit.eval.ResultRecord;
import prunekit.eval.Results;
import tech.tablesaw.api.Table;

/** GradMAP's variant table from a record whose window NLLs are built so that every verdict is known. */
class VariantTableTest {

    @TempDir Path dir;

    private static String at(int k, String mode, String compensation) {
        return "remove=" + k + ";mode=" + mode + ";compensation=" + compensation + ";removed=1;calib=brown:4x8";
    }

    @Test
    void everyCellIsThePairedComparisonOfTheNamedModels() {
        IntToDoubleFunction wobble = i -> 0.05 * Math.sin(i);
        IntToDoubleFunction noise = i -> 0.2 * (i % 2 == 0 ? 1 : -1);              // same mean, paired spread: a tie
        List<ResultRecord> recs = new ArrayList<>();
        recs.add(ppl("gradmap", at(3, "iterative", "none"), i -> 3.0 + wobble.applyAsDouble(i)));
        recs.add(ppl("gradmap", at(3, "iterative", "projection"), i -> 2.8 + wobble.applyAsDouble(i)));   // projection helps
        recs.add(ppl("gradmap-oneshot", at(3, "one-shot", "none"), i -> 3.4 + wobble.applyAsDouble(i)));  // one-shot worse
        recs.add(ppl("gradmap-taylor", at(3, "iterative", "none"), i -> 3.6 + wobble.applyAsDouble(i)));
        recs.add(ppl("gradmap-taylor-oneshot", at(3, "one-shot", "none"), i -> 3.6 + noise.applyAsDouble(i)));   // tie
        recs.add(ppl("block-influence", at(3, "one-shot", "none"), i -> 3.2 + wobble.applyAsDouble(i)));
        Path csv = dir.resolve("variants.csv");
        Results.append(csv, recs);

        VariantTable t = VariantTable.of(RecordSet.load(csv), "ppl sotu@128", List.of("gradmap", "gradmap-taylor"),
                List.of(3), List.of("block-influence", "ppl"));
        VariantTable.Row g = t.rows().get(0), taylor = t.rows().get(1);
        assertEquals(Math.exp(3.0 - 3.4), g.iterativeVsOneShot().estimate(), 1e-6);
        assertEquals(Verdict.BETTER, g.iterativeVsOneShot().verdict());
        assertEquals(Math.exp(2.8 - 3.0), g.projectionVsNone().estimate(), 1e-6);
        assertEquals(Verdict.BETTER, g.projectionVsNone().verdict());
        assertEquals(Verdict.BETTER, g.vsBaselines().get("block-influence").verdict());
        assertNull(g.vsBaselines().get("ppl"));                                     // not in the record: empty cell
        assertEquals(Verdict.TIE, taylor.iterativeVsOneShot().verdict());
        assertNull(taylor.projectionVsNone());
        assertEquals(Verdict.WORSE, taylor.vsBaselines().get("block-influence").verdict());
        assertTrue(Double.isNaN(taylor.projection()));

        Table table = t.table();
        assertEquals(2, table.rowCount());
        assertEquals(List.of("variant", "layers", "iterative", "+ projection", "one-shot", "iterative vs one-shot",
                "projection vs none", "vs block-influence", "vs ppl"), table.columnNames());
        assertTrue(table.stringColumn("iterative vs one-shot").get(0).endsWith("better"), table.print());
        assertEquals("", table.stringColumn("projection vs none").get(1));
        assertEquals(5, t.verdicts(3).claims().size());                             // 3 for gradmap, 2 for taylor
        assertEquals(0, t.verdicts(6).claims().size());
        String s = t.summary().replaceAll("\\s+", " ");
        assertTrue(s.contains("iterative beats one-shot 1 / 0 / 1"), s);
        assertTrue(s.contains("beats block-influence 1 / 1 / 0"), s);
        assertTrue(s.contains("lowest iterative at 3 layers: [gradmap]"), s);
    }

    @Test
    void aVariantMissingAtADepthIsAnErrorNamingIt() {
        Path csv = dir.resolve("one.csv");
        Results.append(csv, List.of(ppl("gradmap", at(3, "iterative", "none"), i -> 3.0)));
        var e = assertThrows(IllegalArgumentException.class, () -> VariantTable.of(RecordSet.load(csv), "ppl sotu@128",
                List.of("gradmap"), List.of(3, 6), List.of()));
        assertTrue(e.getMessage().contains("'gradmap' at 6 layers"), e.getMessage());
    }
}
