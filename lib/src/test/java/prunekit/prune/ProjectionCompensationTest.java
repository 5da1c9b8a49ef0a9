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
import prunekit.model.TensorNames;
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
        assertArrayEquals(identity(c), ProjectionCompensation.ridge(xtx, xty, 1e12, c), 1e-6);
    }

    @Test
    void unprunedCopyGetsTheIdentityAndKeepsItsPerplexity() {
        try (LlamaModel original = DeepTinyModels.model(3, 5, DataType.FLOAT64); LlamaModel copy = original.copy()) {
            double before = PerplexityCriterion.meanNll(original, TOKENS, 3);
            ProjectionCompensation.Result r = ProjectionCompensation.apply(original, copy, 1, 1, TOKENS,
                    new ProjectionCompensation.Config(1e-3, 2));
            assertArrayEquals(identity(16), r.map(), 1e-9);
            assertEquals(0, r.errorBefore(), 1e-10, "moments cancel to rounding");
            assertEquals(before, PerplexityCriterion.meanNll(copy, TOKENS, 3), 1e-10);
            MeanShift shift = MeanShift.measure(original, copy, new int[] {0, 1, 2}, TOKENS, 2);
            assertArrayEquals(new double[3], shift.shift(), 1e-12);
        }
    }

    /**
     * The pruned copy's layer 3 writes half of the original's MLP output (down_proj × 0.5), so the
     * target is exactly Y = 2X on every window and P = 2I fits it. The held-out error of a ridge fit,
     * Σ_i ||X_h u_i||² (λ / (σ_i + λ))² over the eigenpairs (σ_i, u_i) of the fit windows' XᵀX,
     * grows with λ: the smallest ridge of the grid must win; and since σ λ² / (σ + λ)² ≤ λ/4 for
     * every σ ≥ 0, the map refitted on every window must leave at most
     * Σ_i σ_i λ² / (σ_i + λ)² ≤ Cλ/4 = 4e-4 · mean diag(XᵀX) of the error tr(XᵀX) = 16 · mean diag.
     */
    @Test
    void heldOutChoiceTakesTheSmallestRidgeWhenTheMapGeneralises() {
        try (LlamaModel original = DeepTinyModels.model(5, 9, DataType.FLOAT64); LlamaModel pruned = original.copy()) {
            try (NDManager tmp = pruned.manager().newSubManager()) {
                var down = pruned.layer(3).all().get("down_proj");
                pruned.setTensor(3, "down_proj", tmp.create(down.toDoubleArray(), down.getShape()).mul(0.5));
            }
            double raw = outputError(original, 3, pruned, 3);
            ProjectionCompensation.Result r = ProjectionCompensation.apply(original, pruned, 3, 3, TOKENS,
                    new ProjectionCompensation.Config(1e-3, 2, 3, 0)); // window 2 held out, 0 and 1 fit
            assertEquals(ProjectionCompensation.RIDGE_GRID[0], r.ridge(), "the smallest ridge generalises best");
            // 16 fit tokens (two share the BOS state) leave directions of XᵀX empty, where P stays I:
            // the held-out error drops, not to zero (here by 120x)
            assertTrue(r.heldOutAfter() < 0.1 * r.heldOutBefore(), r.heldOutAfter() + " vs " + r.heldOutBefore());
            assertEquals((long) TOKENS.length * TOKENS[0].length, r.tokens(), "the final map is refitted on every window");
            assertEquals(raw, r.errorBefore(), 1e-9 * raw);
            assertTrue(r.errorAfter() <= 4e-4 / 16 * r.errorBefore(), r.errorAfter() + " vs " + r.errorBefore());
            assertEquals(r.errorAfter(), outputError(original, 3, pruned, 3), 1e-8 * raw,
                    "the fold must do exactly what was regressed");
        }
    }

    /**
     * The original differs from the pruned copy only in token 5's embedding, which the fit windows hold
     * and the held-out window does not: there the two models agree exactly, so the identity is the best
     * map on the held-out window, every fitted map is worse, and none is folded (ridge +∞).
     */
    @Test
    void heldOutChoiceFoldsNoMapWhenEveryMapWorsensTheHeldOutWindow() {
        int[][] windows = {{1, 5, 9, 13, 22, 7, 31, 3}, {1, 8, 5, 30, 2, 17, 4, 11}, {1, 39, 12, 6, 6, 25, 19, 33}};
        try (LlamaModel original = DeepTinyModels.model(3, 9, DataType.FLOAT64, t -> {
                    float[] embedding = t.get(TensorNames.EMBED).data();
                    for (int k = 0; k < 16; k++) embedding[5 * 16 + k] *= -2;
                });
                LlamaModel pruned = DeepTinyModels.model(3, 9, DataType.FLOAT64)) {
            double[] before = hiddenState(pruned, windows, 2);
            ProjectionCompensation.Result r = ProjectionCompensation.apply(original, pruned, 1, 1, windows,
                    new ProjectionCompensation.Config(1e-3, 3, 3, 0)); // window 2 held out
            assertEquals(Double.POSITIVE_INFINITY, r.ridge(), "no map beats the identity on the held-out window");
            assertEquals(r.heldOutBefore(), r.heldOutAfter(), 0);
            assertEquals(0, r.heldOutBefore(), 1e-9, "the models agree on the held-out window");
            assertTrue(r.errorBefore() > 1e-3, "the fit windows do differ: " + r.errorBefore());
            assertArrayEquals(identity(16), r.map(), 0);
            assertArrayEquals(before, hiddenState(pruned, windows, 2), 0, "no map chosen: the model must be unchanged");
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
    void severalLayersAreCompensatedFromTheLowestUpAsSingleFitsInThatOrder() {
        var config = new ProjectionCompensation.Config(1e-3, 2);
        int[] survivors = {0, 1, 3, 4};
        try (LlamaModel original = DeepTinyModels.model(5, 9, DataType.FLOAT64); LlamaModel several = original.copy()) {
            several.removeLayers(Set.of(2));
            try (LlamaModel byHand = several.copy()) {
                var results = ProjectionCompensation.applyAt(original, several, new int[] {3, 2}, survivors, TOKENS, config);
                assertEquals(List.of(2, 3), results.stream().map(ProjectionCompensation.Result::prunedLayer).toList());
                assertEquals(List.of(3, 4), results.stream().map(ProjectionCompensation.Result::originalLayer).toList());
                ProjectionCompensation.apply(original, byHand, 2, 3, TOKENS, config);
                var second = ProjectionCompensation.apply(original, byHand, 3, 4, TOKENS, config);   // sees layer 2 compensated
                assertArrayEquals(second.map(), results.get(1).map(), 1e-12);
                for (int l : new int[] {2, 3}) {
                    assertArrayEquals(byHand.layer(l).down().toDoubleArray(), several.layer(l).down().toDoubleArray(), 1e-12);
                }
            }
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ProjectionCompensation.applyAt(original, several, new int[] {1, 1}, survivors, TOKENS, config));
            assertTrue(e.getMessage().contains("repeat a layer"), e.getMessage());
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

    /** Hidden state {@code index} (0 = embedding) of a forward pass over {@code windows}. */
    private static double[] hiddenState(LlamaModel model, int[][] windows, int index) {
        try (NDManager step = model.manager().newSubManager()) {
            return model.forward(step, windows, Trace.HIDDEN_STATES_ONLY).hiddenStates().get(index).toDoubleArray();
        }
    }

    private static double[] identity(int c) {
        double[] id = new double[c * c];
        for (int i = 0; i < c; i++) id[i * c + i] = 1;
        return id;
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
