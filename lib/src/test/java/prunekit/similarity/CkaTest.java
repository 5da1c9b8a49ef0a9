package prunekit.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import prunekit.model.DeepTinyModels;
import prunekit.model.LlamaModel;
import prunekit.model.OwnedArrays;
import prunekit.model.Trace;

/** Linear CKA with the unbiased HSIC estimator against a direct computation and its known properties. */
class CkaTest {

    private static final int N = 9;   // examples
    private static final int P = 6;   // features of X
    private static final int Q = 4;   // features of Y

    @Test
    void matchesDirectComputationOnRandomMatrices() {
        Random r = new Random(1);
        double[][] x = random(r, N, P);
        double[][] y = random(r, N, Q);
        double expected = directHsic(x, y) / Math.sqrt(directHsic(x, x) * directHsic(y, y));
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(expected, Cka.of(nd(m, x), nd(m, y)), 1e-12);
            assertEquals(directHsic(x, y), Cka.hsic(Cka.gram(nd(m, x)), Cka.gram(nd(m, y))), 1e-9);
        }
    }

    @Test
    void minibatchAveragesEachHsicTermBeforeTheRatio() {
        Random r = new Random(2);
        double[][] x1 = random(r, 5, P), y1 = random(r, 5, Q), x2 = random(r, 6, P), y2 = random(r, 6, Q);
        double num = directHsic(x1, y1) + directHsic(x2, y2);
        double den = Math.sqrt((directHsic(x1, x1) + directHsic(x2, x2)) * (directHsic(y1, y1) + directHsic(y2, y2)));
        try (NDManager m = NDManager.newBaseManager()) {
            Cka.Minibatch acc = new Cka.Minibatch(2);
            acc.add(new double[][][] {Cka.gram(nd(m, x1)), Cka.gram(nd(m, y1))});
            acc.add(new double[][][] {Cka.gram(nd(m, x2)), Cka.gram(nd(m, y2))});
            assertEquals(num / den, acc.matrix()[0][1], 1e-12);
            assertEquals(acc.matrix()[0][1], acc.matrix()[1][0], 0.0);
            assertEquals(1.0, acc.matrix()[0][0], 1e-12);
        }
    }

    @Test
    void knownProperties() {
        Random r = new Random(3);
        double[][] x = random(r, N, P);
        double[][] y = random(r, N, Q);
        double[][] q = orthogonal(r, P);
        double[][] a = random(r, P, P);                   // invertible with probability 1
        try (NDManager m = NDManager.newBaseManager()) {
            double base = Cka.of(nd(m, x), nd(m, y));
            assertEquals(1.0, Cka.of(nd(m, x), nd(m, x)), 1e-12, "CKA(X, X) = 1");
            assertEquals(base, Cka.of(nd(m, matmul(x, q)), nd(m, y)), 1e-10, "invariant to X -> XQ, Q orthogonal");
            assertEquals(base, Cka.of(nd(m, scale(x, 7.5)), nd(m, scale(y, 0.01))), 1e-10,
                    "invariant to isotropic scaling");
            double mapped = Cka.of(nd(m, matmul(x, a)), nd(m, y));
            assertTrue(Math.abs(mapped - base) > 1e-3,
                    "not invariant to an arbitrary invertible map: " + base + " vs " + mapped);
            assertTrue(base > -1 && base < 1);
        }
    }

    @Test
    void tooFewExamplesIsAClearError() {
        double[][] k = new double[3][3];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cka.hsic(k, k));
        assertTrue(e.getMessage().contains("at least 4") && e.getMessage().contains("got 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CkaMatrix.Config(3, 0));
    }

    @Test
    void layerMatrixMatchesPairwiseCkaOfTracedOutputs() {
        int[][] windows = new int[6][];
        for (int i = 0; i < 6; i++) windows[i] = DeepTinyModels.WINDOWS[i % 3].clone();
        for (int i = 3; i < 6; i++) windows[i][2] = 10 + i;   // six distinct windows
        try (LlamaModel model = DeepTinyModels.model(4, 5, DataType.FLOAT64)) {
            CkaMatrix.Result r = CkaMatrix.compute(model, windows, new CkaMatrix.Config(4, 1));   // one batch of 6
            assertEquals(1, r.batches());
            try (NDManager step = model.manager().newSubManager()) {
                List<NDArray> h = model.forward(step, windows, Trace.HIDDEN_STATES_ONLY).hiddenStates();
                for (int i = 0; i < 4; i++) {
                    assertEquals(1.0, r.cka()[i][i], 1e-12);
                    for (int j = 0; j < 4; j++) {
                        double[][] xi = rows(h.get(i + 1), 1), xj = rows(h.get(j + 1), 1);
                        double direct = directHsic(xi, xj) / Math.sqrt(directHsic(xi, xi) * directHsic(xj, xj));
                        assertEquals(direct, r.cka()[i][j], 1e-9, "layers " + i + ", " + j);
                    }
                }
            }
        }
    }

    @Test
    void csvHoldsTheMatrix(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        double[][] m = {{1.0, 0.25}, {0.25, 1.0}};
        java.nio.file.Path file = dir.resolve("sub/cka.csv");
        new CkaMatrix.Result(m, "tiny", 4, 8, 1, 0, 0.1).writeCsv(file);
        List<String> lines = java.nio.file.Files.readAllLines(file);
        assertEquals(List.of("layer,0,1", "0,1.000000,0.250000", "1,0.250000,1.000000"), lines);
    }

    @Test
    void remainderJoinsTheLastMinibatch() {
        assertEquals(List.of("0-8", "8-18"), ranges(18, 8));   // 2 left over -> joins
        assertEquals(List.of("0-8", "8-12"), ranges(12, 8));   // 4 left over -> its own batch
        assertEquals(List.of("0-5"), ranges(5, 8));
    }

    private static List<String> ranges(int n, int size) {
        return CkaMatrix.minibatches(n, size).stream().map(a -> a[0] + "-" + a[1]).toList();
    }

    // ---- the direct computation: explicit centred-diagonal Gram matrices, matrix products, traces

    /** HSIC₁ from explicit matrices: K̃ = XXᵀ with zero diagonal, the products K̃L̃ written out. */
    static double directHsic(double[][] x, double[][] y) {
        int n = x.length;
        double[][] k = gramWithZeroDiagonal(x);
        double[][] l = gramWithZeroDiagonal(y);
        double[][] kl = new double[n][n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int s = 0; s < n; s++) kl[i][j] += k[i][s] * l[s][j];
        double trace = 0, onesKL = 0, onesK = 0, onesL = 0;
        for (int i = 0; i < n; i++) {
            trace += kl[i][i];
            for (int j = 0; j < n; j++) {
                onesKL += kl[i][j];
                onesK += k[i][j];
                onesL += l[i][j];
            }
        }
        return (trace + onesK * onesL / ((n - 1) * (n - 2)) - 2.0 * onesKL / (n - 2)) / (n * (n - 3));
    }

    private static double[][] gramWithZeroDiagonal(double[][] x) {
        int n = x.length;
        double[][] k = new double[n][n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                if (i == j) continue;
                for (int f = 0; f < x[0].length; f++) k[i][j] += x[i][f] * x[j][f];
            }
        return k;
    }

    /** Random orthogonal matrix: Gram–Schmidt on random columns. */
    private static double[][] orthogonal(Random r, int n) {
        double[][] cols = random(r, n, n);
        for (int c = 0; c < n; c++) {
            for (int prev = 0; prev < c; prev++) {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += cols[c][i] * cols[prev][i];
                for (int i = 0; i < n; i++) cols[c][i] -= dot * cols[prev][i];
            }
            double norm = 0;
            for (int i = 0; i < n; i++) norm += cols[c][i] * cols[c][i];
            for (int i = 0; i < n; i++) cols[c][i] /= Math.sqrt(norm);
        }
        return cols;   // rows orthonormal, hence orthogonal
    }

    private static double[][] random(Random r, int rows, int cols) {
        double[][] a = new double[rows][cols];
        for (double[] row : a) for (int j = 0; j < cols; j++) row[j] = r.nextGaussian();
        return a;
    }

    private static double[][] matmul(double[][] a, double[][] b) {
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++)
            for (int j = 0; j < b[0].length; j++)
                for (int s = 0; s < b.length; s++) c[i][j] += a[i][s] * b[s][j];
        return c;
    }

    private static double[][] scale(double[][] a, double s) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
            for (int j = 0; j < c[i].length; j++) c[i][j] *= s;
        }
        return c;
    }

    /** (B, T, C) hidden states as B rows of (T - skip)·C features, skipping the first positions. */
    private static double[][] rows(NDArray h, int skip) {
        long[] s = h.getShape().getShape();
        int b = (int) s[0], t = (int) s[1], c = (int) s[2];
        double[] flat = h.toType(DataType.FLOAT64, false).toDoubleArray();
        double[][] out = new double[b][(t - skip) * c];
        for (int i = 0; i < b; i++) System.arraycopy(flat, (i * t + skip) * c, out[i], 0, (t - skip) * c);
        return out;
    }

    private static NDArray nd(NDManager m, double[][] a) {
        double[] flat = new double[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) System.arraycopy(a[i], 0, flat, i * a[0].length, a[0].length);
        return OwnedArrays.of(m, flat, new Shape(a.length, a[0].length));
    }
}
