package prunekit.similarity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Linear centred kernel alignment (CKA) with the unbiased HSIC estimator, accumulated over
 * minibatches.
 *
 * <p>For two representations of the same n examples, X (n × p) and Y (n × q), with linear-kernel
 * Gram matrices K = XXᵀ and L = YYᵀ (Kornblith et al., "Similarity of Neural Network
 * Representations Revisited", ICML 2019, arXiv 1905.00414):
 * <pre>  CKA(K, L) = HSIC(K, L) / sqrt(HSIC(K, K) · HSIC(L, L))</pre>
 * HSIC is estimated without bias (Song et al., JMLR 2012, Eq. 5), with K̃ and L̃ the Gram matrices
 * with their diagonals set to zero:
 * <pre>  HSIC₁(K, L) = 1/(n(n−3)) · [ tr(K̃L̃) + (1ᵀK̃1)(1ᵀL̃1)/((n−1)(n−2)) − 2/(n−2) · 1ᵀK̃L̃1 ]</pre>
 * Minibatch CKA (Nguyen et al., "Do Wide and Deep Networks Learn the Same Things?", ICLR 2021,
 * arXiv 2010.15327, Eq. 3) averages each HSIC term over k minibatches before taking the ratio:
 * <pre>  CKA = (1/k Σ HSIC₁(K_i, L_i)) / sqrt((1/k Σ HSIC₁(K_i, K_i)) · (1/k Σ HSIC₁(L_i, L_i)))</pre>
 * It is invariant to orthogonal transforms and isotropic scaling of either representation, but
 * not to arbitrary invertible linear maps. Everything after the features is in float64; HSIC
 * values are real numbers (the official SLM code casts them to integers: not done here).
 */
public final class Cka {

    /** The unbiased estimator divides by n(n−3) and (n−2): it needs at least 4 examples. */
    public static final int MIN_EXAMPLES = 4;

    private Cka() {}

    /**
     * The linear-kernel Gram matrix K = XXᵀ in float64, with X the features flattened per example.
     *
     * @param features (n, ...) one row of any shape per example
     * @return n × n
     */
    public static double[][] gram(NDArray features) {
        int n = Math.toIntExact(features.getShape().get(0));
        try (NDArray x = features.toType(DataType.FLOAT64, true).reshape(n, -1);   // (n, p)
             NDArray k = x.matMul(x.transpose())) {                                  // (n, n)
            double[] flat = k.toDoubleArray();
            double[][] out = new double[n][n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(flat, i * n, out[i], 0, n);
            }
            return out;
        }
    }

    /** The unbiased HSIC estimate HSIC₁(K, L) of two n × n Gram matrices of the same examples, n ≥ 4. */
    public static double hsic(double[][] k, double[][] l) {
        int n = k.length;
        if (n < MIN_EXAMPLES) {
            throw new IllegalArgumentException("unbiased HSIC needs at least " + MIN_EXAMPLES
                    + " examples per minibatch, got " + n);
        }
        if (l.length != n) {
            throw new IllegalArgumentException("Gram matrices of different sizes: " + n + " and " + l.length);
        }
        double trace = 0;       // tr(K̃L̃) = Σ_ij K̃_ij L̃_ij (both symmetric)
        double sumK = 0;        // 1ᵀK̃1
        double sumL = 0;        // 1ᵀL̃1
        double rowDot = 0;      // 1ᵀK̃L̃1 = (K̃1)·(L̃1)
        for (int i = 0; i < n; i++) {
            double rowK = 0;
            double rowL = 0;
            for (int j = 0; j < n; j++) {
                if (i == j) {
                    continue;   // the tilde: diagonal set to zero
                }
                trace += k[i][j] * l[i][j];
                rowK += k[i][j];
                rowL += l[i][j];
            }
            sumK += rowK;
            sumL += rowL;
            rowDot += rowK * rowL;
        }
        return (trace + sumK * sumL / ((n - 1.0) * (n - 2.0)) - 2.0 / (n - 2.0) * rowDot) / (n * (n - 3.0));
    }

    /** CKA of two representations of the same examples, one minibatch: rows are examples. */
    public static double of(NDArray x, NDArray y) {
        Minibatch acc = new Minibatch(2);
        acc.add(new double[][][] {gram(x), gram(y)});
        return acc.matrix()[0][1];
    }

    /**
     * Accumulates the HSIC terms of m representations over minibatches (Nguyen et al., Eq. 3) and
     * returns the m × m CKA matrix.
     */
    public static final class Minibatch {

        private final int sets;
        private final double[][] hsicSum;   // Σ over minibatches of HSIC₁(K_a, K_b)
        private int batches;

        /** @param sets m, the number of representations compared */
        public Minibatch(int sets) {
            if (sets < 1) throw new IllegalArgumentException("sets must be >= 1, got " + sets);
            this.sets = sets;
            this.hsicSum = new double[sets][sets];
        }

        /** Adds one minibatch: the Gram matrix of each representation on the same examples. */
        public void add(double[][][] grams) {
            if (grams.length != sets) {
                throw new IllegalArgumentException("expected " + sets + " Gram matrices, got " + grams.length);
            }
            for (int a = 0; a < sets; a++) {
                for (int b = a; b < sets; b++) {
                    double h = hsic(grams[a], grams[b]);
                    hsicSum[a][b] += h;
                    if (a != b) hsicSum[b][a] += h;
                }
            }
            batches++;
        }

        public int batches() {
            return batches;
        }

        /** CKA between every pair of representations (the 1/k factors cancel). */
        public double[][] matrix() {
            if (batches == 0) throw new IllegalStateException("no minibatch added");
            double[][] cka = new double[sets][sets];
            for (int a = 0; a < sets; a++) {
                for (int b = 0; b < sets; b++) {
                    cka[a][b] = hsicSum[a][b] / Math.sqrt(hsicSum[a][a] * hsicSum[b][b]);
                }
            }
            return cka;
        }
    }
}
