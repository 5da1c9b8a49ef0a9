package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.importance.PerplexityCriterion;
import prunekit.model.DeepTinyModels;
import prunekit.model.LlamaModel;
import prunekit.prune.ProjectionCompensation;

class CompensationTrainingTest {

    @TempDir Path dir;

    /** 8 steps of 2 windows, lr 1e-2, AdamW's ε 1e-3 (as RecoveryTest, for the tiny model's tiny gradients). */
    private static final CompensationTraining.Config TINY = new CompensationTraining.Config(
            CompensationTraining.Init.IDENTITY, 8, 2, 1, 1e-2, 2, 1.0, new AdamW(0.9, 0.999, 1e-3, 0.01), 4, 0,
            new ProjectionCompensation.Config(1e-2, 2));

    /** 8 windows of 12 tokens from a pattern the model can learn: runs of consecutive ids, a random jump every 4th. */
    private static int[][] windows() {
        Random r = new Random(9);
        int[][] out = new int[8][12];
        for (int[] w : out) {
            w[0] = 1;
            for (int t = 1; t < w.length; t++) w[t] = 3 + (t % 4 == 0 ? r.nextInt(37) : (w[t - 1] + 1 - 3) % 37);
        }
        return out;
    }

    @Test
    void aFewStepsFromTheIdentityLowerTheCalibrationLoss() {
        int[][] calibration = windows();
        try (LlamaModel original = DeepTinyModels.model(4, 41, DataType.FLOAT32); LlamaModel pruned = original.copy()) {
            pruned.removeLayers(Set.of(2));
            double prunedLoss = PerplexityCriterion.meanNll(pruned, calibration, 2);
            var r = CompensationTraining.apply(null, pruned, 1, 2, calibration, TINY, dir);
            assertNull(r.stopped());
            assertNull(r.closedForm());
            assertEquals(8, r.losses().size());
            assertEquals(prunedLoss, r.lossBefore(), 1e-6, "D = 0 starts from the pruned model");
            assertTrue(r.lossAfter() < r.lossBefore() - 0.02, r.lossBefore() + " -> " + r.lossAfter());
            assertEquals(r.lossAfter(), PerplexityCriterion.meanNll(pruned, calibration, 2), 1e-6, "the map is folded in");
        }
    }

    @Test
    void fromTheClosedFormAtTheLargestShiftLayer() {
        int[][] calibration = windows();
        try (LlamaModel original = DeepTinyModels.model(4, 42, DataType.FLOAT32); LlamaModel pruned = original.copy();
             LlamaModel closedForm = original.copy()) {
            pruned.removeLayers(Set.of(2));
            closedForm.removeLayers(Set.of(2));
            int[] survivors = {0, 1, 3};
            var config = TINY.withInit(CompensationTraining.Init.CLOSED_FORM);
            int j = ProjectionCompensation.largestShiftLayer(original, pruned, survivors, calibration, config.closedForm());
            var closed = ProjectionCompensation.apply(original, closedForm, j, survivors[j], calibration, config.closedForm());
            var r = CompensationTraining.apply(original, pruned, survivors, calibration, config);
            assertEquals(j, r.prunedLayer());
            assertEquals(survivors[j], r.originalLayer());
            assertNotNull(r.closedForm());
            assertArrayEquals(closed.map(), r.closedForm().map(), 1e-9, "the same closed form, on a copy");
            assertEquals(PerplexityCriterion.meanNll(closedForm, calibration, 2), r.lossBefore(), 1e-5,
                    "training starts where the closed form ends");
            assertTrue(r.lossAfter() < r.lossBefore(), r.lossBefore() + " -> " + r.lossAfter());
        }
    }

    @Test
    void passesVisitEveryWindowOncePerPass() {
        int[][] calibration = windows();
        List<int[]> w = CompensationTraining.passes(calibration, 20, 3);
        assertEquals(20, w.size());
        for (int pass = 0; pass < 2; pass++) {
            List<int[]> one = w.subList(8 * pass, 8 * pass + 8);
            for (int[] c : calibration) assertEquals(1, one.stream().filter(x -> x == c).count(), Arrays.toString(c));
        }
        assertEquals(w, CompensationTraining.passes(calibration, 20, 3), "seeded");
    }
}
