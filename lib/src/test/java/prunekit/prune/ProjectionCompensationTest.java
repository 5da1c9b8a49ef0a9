package prunekit.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import prunekit.importance.PerplexityCriterion;
import prunekit.model.DeepTinyModels;
import prunekit.model.LlamaModel;
import prunekit.model.Trace;

class ProjectionCompensationTest {

    private static final int[][] TOKENS = DeepTinyModels.WINDOWS;

    @Test
    void ridgeRecoversAKnownLinearMap() {
        int n = 300, c = 6;
        Random r = new Random(1);
        double[] x = new double[n * c];
        double[] truth = new double[c * c];
        for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian();
        for (int i = 0; i < truth.length; i++) truth[i] = r.nextGaussian();
        double[] y = matMul(x, truth, n, c, c);
        double[] xtx = matMul(transpose(x, n, c), x, c, n, c);
        double[] xty = matMul(transpose(x, n, c), y, c, n, c);
        assertArrayEquals(truth, ProjectionCompensation.ridge(xtx, xty, 1e-9, c), 1e-8);
        // with λ > 0 the normal equations (XᵀX + λI) P = XᵀY + λI hold
        double lambda = 50;
        double[] p = ProjectionCompensation.ridge(xtx, xty, lambda, c);
        double[] lhs = matMul(xtx, p, c, c, c);
        for (int i = 0; i < c; i++) {
            for (int j = 0; j < c; j++) {
                double want = xty[i * c + j] + (i == j ? lambda : 0);
                assertEquals(want, lhs[i * c + j] + lambda * p[i * c + j], 1e-9 * Math.abs(want) + 1e-9);
            }
        }
        // a huge λ pulls P to the identity
        assertArrayEquals(ProjectionCompensation.identity(c), ProjectionCompensation.ridge(xtx, xty, 1e12, c), 1e-6);
    }

    @Test
    void unprunedCopyGetsTheIdentityAndKeepsItsPerplexity() {
        try (LlamaModel original = DeepTinyModels.model(3, 5, DataType.FLOAT64); LlamaModel copy = original.copy()) {
            double before = PerplexityCriterion.meanNll(original, TOKENS, 3);
            ProjectionCompensation.Result r = ProjectionCompensation.apply(original, copy, 1, 1, TOKENS,
                    new ProjectionCompensation.Config(1e-3, 2));
            assertArrayEquals(ProjectionCompensation.identity(16), r.map(), 1e-9);
            assertEquals(0, r.errorBefore(), 1e-10, "moments cancel to rounding");
            assertEquals(before, PerplexityCriterion.meanNll(copy, TOKENS, 3), 1e-10);
            MeanShift shift = MeanShift.measure(original, copy, new int[] {0, 1, 2}, TOKENS, 2);
            assertArrayEquals(new double[3], shift.shift(), 1e-12);
        }
    }

    @Test
    void heldOutRidgeChoiceNeverWorsensTheHeldOutWindowsAndRefitsOnAll() {
        try (LlamaModel original = DeepTinyModels.model(5, 9, DataType.FLOAT64); LlamaModel pruned = original.copy()) {
            pruned.removeLayers(Set.of(2));
            double raw = outputError(original, 3, pruned, 2);
            ProjectionCompensation.Result r = ProjectionCompensation.apply(original, pruned, 2, 3, TOKENS,
                    new ProjectionCompensation.Config(1e-3, 2, 3, 0)); // window 2 held out, 0 and 1 fit
            assertTrue(r.heldOutAfter() <= r.heldOutBefore(), r.heldOutAfter() + " > " + r.heldOutBefore());
            assertEquals((long) TOKENS.length * TOKENS[0].length, r.tokens(), "the final map is refitted on every window");
            assertEquals(raw, r.errorBefore(), 1e-9 * raw);
            double measured = outputError(original, 3, pruned, 2);
            if (Double.isInfinite(r.ridge())) {
                assertArrayEquals(ProjectionCompensation.identity(r.map().length == 0 ? 0 : (int) Math.sqrt(r.map().length)),
                        r.map(), 0);
                assertEquals(raw, measured, 1e-12 * raw, "no map chosen: the model must be unchanged");
            } else {
                assertTrue(java.util.Arrays.stream(ProjectionCompensation.RIDGE_GRID).anyMatch(g -> g == r.ridge()));
                assertEquals(r.errorAfter(), measured, 1e-8 * raw);
            }
        }
    }

    @Test
    void foldedMapGivesThePredictedErrorOnFreshForwardPasses() {
        try (LlamaModel original = DeepTinyModels.model(5, 9, DataType.FLOAT64); LlamaModel pruned = original.copy()) {
            pruned.removeLayers(Set.of(2));                 // survivors 0, 1, 3, 4
            double raw = outputError(original, 3, pruned, 2);
            ProjectionCompensation.Result r = ProjectionCompensation.apply(original, pruned, 2, 3, TOKENS,
                    new ProjectionCompensation.Config(1e-3, 2));
            assertEquals(raw, r.errorBefore(), 1e-9 * raw);
            double measured = outputError(original, 3, pruned, 2);
            assertEquals(r.errorAfter(), measured, 1e-8 * raw, "the fold must do exactly what was regressed");
            assertTrue(measured < 0.9 * raw, "compensation must reduce the error: " + measured + " vs " + raw);
        }
    }

    @Test
    void meanOnlyMapRemovesTheMeanShiftAtItsLayer() {
        try (LlamaModel original = DeepTinyModels.model(5, 9, DataType.FLOAT64); LlamaModel pruned = original.copy()) {
            pruned.removeLayers(Set.of(2));
            int[] survivors = {0, 1, 3, 4};
            MeanShift before = MeanShift.measure(original, pruned, survivors, TOKENS, 2);
            assertEquals(0, before.shift()[0], 1e-12, "layers before the gap do not move");
            assertEquals(0, before.shift()[1], 1e-12);
            assertTrue(before.shift()[2] > 1e-3, "the layer after the gap moves: " + before.shift()[2]);
            ProjectionCompensation.applyMeanOnly(original, pruned, 2, 3, TOKENS, new ProjectionCompensation.Config(0, 3));
            MeanShift after = MeanShift.measure(original, pruned, survivors, TOKENS, 3);
            assertEquals(0, after.shift()[2], 1e-10);
        }
    }

    @Test
    void meanShiftMatchesHandComputedMeans() {
        try (LlamaModel original = DeepTinyModels.model(4, 2, DataType.FLOAT64); LlamaModel pruned = original.copy()) {
            pruned.removeLayers(Set.of(1));
            int[] survivors = {0, 2, 3};
            MeanShift s = MeanShift.measure(original, pruned, survivors, TOKENS, 2);
            double[] mo = channelMeans(original, 3);        // original layer 2's output
            double[] mp = channelMeans(pruned, 2);          // pruned layer 1's output
            double diff = 0, norm = 0;
            for (int k = 0; k < mo.length; k++) {
                diff += (mp[k] - mo[k]) * (mp[k] - mo[k]);
                norm += mo[k] * mo[k];
            }
            assertArrayEquals(mo, s.originalMeans()[1], 1e-12);
            assertEquals(Math.sqrt(diff / norm), s.shift()[1], 1e-12);
            assertEquals(s.largest(1)[0], s.shift()[1] >= s.shift()[2] ? 1 : 2);
        }
    }

    /** Σ over tokens of ||h^pruned_{j} − h^orig_{o}||², layer outputs. */
    private static double outputError(LlamaModel original, int o, LlamaModel pruned, int j) {
        try (NDManager step = original.manager().newSubManager()) {
            double[] a = original.forward(step, TOKENS, Trace.HIDDEN_STATES_ONLY).hiddenStates().get(o + 1).toDoubleArray();
            double[] b = pruned.forward(step, TOKENS, Trace.HIDDEN_STATES_ONLY).hiddenStates().get(j + 1).toDoubleArray();
            double e = 0;
            for (int i = 0; i < a.length; i++) e += (a[i] - b[i]) * (a[i] - b[i]);
            return e;
        }
    }

    /** Per-channel mean of hidden state {@code index} (0 = embedding) over all tokens, in Java. */
    private static double[] channelMeans(LlamaModel model, int index) {
        try (NDManager step = model.manager().newSubManager()) {
            List<ai.djl.ndarray.NDArray> h = model.forward(step, TOKENS, Trace.HIDDEN_STATES).hiddenStates();
            double[] v = h.get(index).toDoubleArray();
            int c = model.config().hidden();
            double[] mean = new double[c];
            for (int i = 0; i < v.length; i++) mean[i % c] += v[i] / (v.length / c);
            return mean;
        }
    }

    private static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    private static double[] matMul(double[] a, double[] b, int n, int k, int m) {
        double[] out = new double[n * m];
        for (int i = 0; i < n; i++) for (int p = 0; p < k; p++) for (int j = 0; j < m; j++) out[i * m + j] += a[i * k + p] * b[p * m + j];
        return out;
    }
}
