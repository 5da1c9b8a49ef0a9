package prunekit.sparsity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SparseGPT on small random layers, against independent references: the closed-form least-squares
 * refit of the kept weights, and the reconstruction error of mask-only pruning.
 */
class SparseGptTest {

    private static final int ROWS = 6, COLS = 16, TOKENS = 120;

    /** Inputs with correlated channels (a random mixing of independent ones), (TOKENS, COLS). */
    private static double[] inputs(long seed) {
        Random r = new Random(seed);
        double[] z = new double[TOKENS * COLS];
        double[] mix = new double[COLS * COLS];
        for (int i = 0; i < z.length; i++) z[i] = r.nextGaussian();
        for (int i = 0; i < mix.length; i++) mix[i] = r.nextGaussian() * (i % (COLS + 1) == 0 ? 2 : 0.5);
        double[] x = new double[TOKENS * COLS];
        for (int t = 0; t < TOKENS; t++) {
            for (int j = 0; j < COLS; j++) {
                double s = 0;
                for (int k = 0; k < COLS; k++) s += z[t * COLS + k] * mix[k * COLS + j];
                x[t * COLS + j] = s * (1 + j % 3);                           // unequal channel scales
            }
        }
        return x;
    }

    private static double[] hessian(double[] x) {                               // 2 XᵀX (one "sample")
        double[] h = new double[COLS * COLS];
        for (int t = 0; t < TOKENS; t++) {
            for (int i = 0; i < COLS; i++) {
                for (int j = 0; j < COLS; j++) h[i * COLS + j] += 2 * x[t * COLS + i] * x[t * COLS + j];
            }
        }
        return h;
    }

    private static double[] weight(long seed) {
        Random r = new Random(seed);
        double[] w = new double[ROWS * COLS];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        return w;
    }

    /** ||W X^T − Ŵ X^T||² over the tokens. */
    private static double error(double[] w, double[] what, double[] x) {
        double e = 0;
        for (int r = 0; r < ROWS; r++) {
            for (int t = 0; t < TOKENS; t++) {
                double d = 0;
                for (int j = 0; j < COLS; j++) d += (w[r * COLS + j] - what[r * COLS + j]) * x[t * COLS + j];
                e += d * d;
            }
        }
        return e;
    }

    /** Solves A y = b by Gaussian elimination with partial pivoting (a reference independent of the code). */
    private static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n] = b[i];
        }
        for (int p = 0; p < n; p++) {
            int best = p;
            for (int i = p + 1; i < n; i++) if (Math.abs(m[i][p]) > Math.abs(m[best][p])) best = i;
            double[] swap = m[p]; m[p] = m[best]; m[best] = swap;
            for (int i = p + 1; i < n; i++) {
                double f = m[i][p] / m[p][p];
                for (int j = p; j <= n; j++) m[i][j] -= f * m[p][j];
            }
        }
        double[] y = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = m[i][n];
            for (int j = i + 1; j < n; j++) s -= m[i][j] * y[j];
            y[i] = s / m[i][i];
        }
        return y;
    }

    /** The optimal kept weights for a fixed mask: per row, Ŵ_K = W_K + H_KK⁻¹ H_KP W_P, Ŵ_P = 0. */
    private static double[] leastSquaresRefit(double[] w, double[] h, float[] keep) {
        double[] out = new double[w.length];
        for (int r = 0; r < ROWS; r++) {
            final int row = r;
            int[] kept = java.util.stream.IntStream.range(0, COLS).filter(j -> keep[row * COLS + j] != 0f).toArray();
            int[] pruned = java.util.stream.IntStream.range(0, COLS).filter(j -> keep[row * COLS + j] == 0f).toArray();
            double[][] hkk = new double[kept.length][kept.length];
            double[] rhs = new double[kept.length];
            for (int a = 0; a < kept.length; a++) {
                for (int b = 0; b < kept.length; b++) hkk[a][b] = h[kept[a] * COLS + kept[b]];
                for (int p : pruned) rhs[a] += h[kept[a] * COLS + p] * w[r * COLS + p];
            }
            double[] delta = solve(hkk, rhs);
            for (int a = 0; a < kept.length; a++) out[r * COLS + kept[a]] = w[r * COLS + kept[a]] + delta[a];
        }
        return out;
    }

    @Test
    void withPrunedColumnsFirstTheObsUpdateIsTheLeastSquaresRefit() {
        // Columns 0..k-1 pruned in every row, the rest kept: every kept column comes after every pruned
        // one, so SparseGPT's left-to-right updates reach all kept weights and must give the exact
        // least-squares refit, with one block and with several (lazy updates across blocks).
        double[] x = inputs(1);
        double[] h = hessian(x);
        double[] w = weight(2);
        float[] keep = new float[ROWS * COLS];
        for (int r = 0; r < ROWS; r++) for (int j = 6; j < COLS; j++) keep[r * COLS + j] = 1;
        double[] want = leastSquaresRefit(w, h, keep);
        for (int block : new int[] {COLS, 4, 3}) {
            double[] got = new SparseGpt(block, 0).prune(w, ROWS, COLS, h, keep);
            assertArrayEquals(want, got, 1e-8, "block size " + block);
        }
    }

    @Test
    void reconstructionErrorIsWellBelowMaskOnlyMethods() {
        double[] x = inputs(3);
        double[] h = hessian(x);
        double[] w = weight(4);
        float[] wf = new float[w.length];
        for (int i = 0; i < w.length; i++) wf[i] = (float) w[i];
        double[] scaler = new double[COLS];
        for (int t = 0; t < TOKENS; t++) for (int j = 0; j < COLS; j++) scaler[j] += x[t * COLS + j] * x[t * COLS + j];
        ModuleStats stats = new ModuleStats(0, "q_proj", wf, ROWS, COLS, scaler, null);
        for (SparsityPattern p : new SparsityPattern[] {SparsityPattern.unstructured(0.5), SparsityPattern.nm(2, 4)}) {
            double[] sgpt = SparseGpt.DEFAULT.prune(w, ROWS, COLS, h, p);
            double eSgpt = error(w, sgpt, x);
            for (WeightImportance metric : new WeightImportance[] {new Magnitude(), new Wanda()}) {
                float[] mask = p.mask(metric.scores(stats), ROWS, COLS);
                double[] masked = new double[w.length];
                for (int i = 0; i < w.length; i++) masked[i] = w[i] * mask[i];
                double eMask = error(w, masked, x);
                assertTrue(eSgpt < 0.7 * eMask, p.label() + ": SparseGPT error " + eSgpt + " vs " + metric.name() + " " + eMask);
            }
            // same density, and no better than the least-squares optimum for its own mask
            float[] own = new float[w.length];
            int zeros = 0;
            for (int i = 0; i < w.length; i++) {
                own[i] = sgpt[i] == 0 ? 0f : 1f;
                if (sgpt[i] == 0) zeros++;
            }
            assertEquals(ROWS * COLS / 2, zeros, p.label());
            double eOpt = error(w, leastSquaresRefit(w, hessianDamped(h, 0.01), own), x);
            assertTrue(eSgpt >= eOpt * (1 - 1e-6), p.label() + ": " + eSgpt + " below the optimum " + eOpt);
        }
    }

    private static double[] hessianDamped(double[] h, double rel) {
        double[] d = h.clone();
        double mean = 0;
        for (int j = 0; j < COLS; j++) mean += h[j * COLS + j] / COLS;
        for (int j = 0; j < COLS; j++) d[j * COLS + j] += rel * mean;
        return d;
    }

    @Test
    void nmPatternHoldsAfterTheUpdates() {
        double[] w = weight(5);
        double[] out = new SparseGpt(8, 0.01).prune(w, ROWS, COLS, hessian(inputs(6)), SparsityPattern.nm(2, 4));
        for (int r = 0; r < ROWS; r++) {
            for (int g = 0; g < COLS; g += 4) {
                int zeros = 0;
                for (int j = g; j < g + 4; j++) if (out[r * COLS + j] == 0) zeros++;
                assertEquals(2, zeros, "row " + r + " group " + g);
            }
        }
    }

    @Test
    void badInputsGiveClearErrors() {
        double[] minusI = new double[COLS * COLS];
        for (int j = 0; j < COLS; j++) minusI[j * COLS + j] = -1;
        var e = assertThrows(IllegalArgumentException.class,
                () -> new SparseGpt(4, 0).prune(weight(1), ROWS, COLS, minusI, SparsityPattern.unstructured(0.5)));
        assertTrue(e.getMessage().contains("positive definite"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> new SparseGpt(6, 0.01).prune(weight(1), ROWS, COLS, hessian(inputs(1)), SparsityPattern.nm(2, 4)));
        assertTrue(e2.getMessage().contains("blockSize 6"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> new SparseGpt(0, 0.01));
        assertTrue(e3.getMessage().contains("blockSize"), e3.getMessage());
    }
}
