package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordSetTest {

    @TempDir Path dir;

    /** A perplexity record whose windows have the given NLLs (as Evaluation writes it). */
    private static ResultRecord ppl(String method, String settings, double[] nll) {
        double mean = java.util.Arrays.stream(nll).average().orElseThrow();
        return new ResultRecord(Instant.now(), "tiny", method, settings, "sotu/test", 128, 0, "gpu(0)", 1, "ppl",
                Math.exp(mean), Double.NaN, nll.length * 127L, Bootstrap.DEFAULT.mean(nll).map(Math::exp), nll);
    }

    private static ResultRecord acc(String method, String settings, double[] correct) {
        double mean = java.util.Arrays.stream(correct).average().orElseThrow();
        return new ResultRecord(Instant.now(), "tiny", method, settings, "cloze", 0, 0, "gpu(0)", 1, "acc",
                mean, Double.NaN, correct.length, Bootstrap.DEFAULT.mean(correct), correct);
    }

    @Test
    void unitsSurviveTheFileAndPairTheSameWindows() throws Exception {
        Random rnd = new Random(1);
        int n = 200;
        double[] dense = new double[n], better = new double[n], same = new double[n];
        double[] right = new double[n], wrong = new double[n];
        for (int i = 0; i < n; i++) {
            dense[i] = 3 + rnd.nextGaussian();                 // windows differ a lot from one another ...
            better[i] = dense[i] - 0.05 + 0.01 * rnd.nextGaussian();   // ... the model's shift is small and steady
            same[i] = dense[i] + 0.01 * rnd.nextGaussian();
            right[i] = i % 4 == 0 ? 0 : 1;
            wrong[i] = i % 2 == 0 ? 0 : 1;
        }
        Path csv = dir.resolve("grid.csv");
        Results.append(csv, List.of(ppl("dense", "remove=0;calib=brown:4x8", dense),
                ppl("m", "remove=3;mode=iterative;compensation=none;calib=brown:4x8", better),
                ppl("m", "remove=3;mode=iterative;compensation=projection;calib=brown:4x8", same),
                acc("dense", "remove=0;calib=brown:4x8", right), acc("m", "remove=3;mode=iterative;compensation=none;calib=brown:4x8", wrong)));
        assertTrue(Files.isRegularFile(dir.resolve("grid.units.csv")));

        RecordSet set = RecordSet.load(csv);
        double[] back = set.units("m", "compensation=none", "ppl sotu@128");
        for (int i = 0; i < n; i++) assertEquals(better[i], back[i], 1e-6 * Math.abs(better[i]));
        assertArrayEquals(wrong, set.units("m", "compensation=none;remove=3", "cloze acc"));   // any order of keys
        assertEquals(Math.exp(java.util.Arrays.stream(better).average().orElseThrow()),
                set.value("m", "compensation=none", "ppl sotu@128"), 1e-9);
        assertTrue(set.interval("m", "compensation=none", "ppl sotu@128").low() > 0);

        PairedComparison c = set.compare("m", "compensation=none", "dense", "", "ppl sotu@128");
        assertEquals(PairedComparison.Verdict.BETTER, c.verdict());
        assertEquals(Math.exp(-0.05), c.estimate(), 0.01);
        assertEquals(PairedComparison.Verdict.TIE, set.compare("m", "compensation=projection", "dense", "", "ppl sotu@128").verdict());
        assertEquals(PairedComparison.Verdict.WORSE, set.compare("m", "compensation=none", "dense", "", "cloze acc").verdict());
    }

    @Test
    void aSelectorNamesTheOneModelOrListsTheCandidates() {
        Path csv = dir.resolve("g.csv");
        double[] u = {1, 2, 3};
        Results.append(csv, List.of(ppl("m", "remove=3;compensation=none", u), ppl("m", "remove=3;compensation=projection", u)));
        RecordSet set = RecordSet.load(csv);
        var several = assertThrows(IllegalArgumentException.class, () -> set.value("m", "remove=3", "ppl sotu@128"));
        assertTrue(several.getMessage().contains("2 models match") && several.getMessage().contains("compensation=projection"),
                several.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> set.value("x", "", "ppl sotu@128"));
        assertTrue(none.getMessage().contains("no models match") && none.getMessage().contains("[m]"), none.getMessage());
        var noUnits = assertThrows(IllegalArgumentException.class, () -> set.units("m", "compensation=none", "cloze acc"));
        assertTrue(noUnits.getMessage().contains("no units for cloze acc"), noUnits.getMessage());
        assertTrue(set.has("m", "compensation=none;device=gpu"));
    }

    @Test
    void aRecordFileWithoutUnitsStillReads() {
        Path csv = dir.resolve("old.csv");
        Results.append(csv, new ResultRecord(Instant.now(), "tiny", "dense", "", "brown/test", 256, 0, "cpu", 1, "ppl",
                40, Double.NaN, 100));
        RecordSet set = RecordSet.load(csv);
        assertEquals(40, set.value("dense", "", "ppl brown@256"));
        assertTrue(Double.isNaN(set.interval("dense", "", "ppl brown@256").low()));
    }
}
