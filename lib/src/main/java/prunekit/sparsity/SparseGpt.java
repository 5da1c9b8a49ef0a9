package prunekit.sparsity;

import java.util.Arrays;
import prunekit.linalg.Linalg;

/**
 * SparseGPT (Frantar &amp; Alistarh, "SparseGPT: Massive Language Models Can Be Accurately Pruned in
 * One-Shot", arXiv 2301.00774, Algorithm 1): prune a linear weight W (rows × cols) and update the
 * weights that remain so that the layer output on the calibration inputs X changes little,
 * <pre>
 *   min ||W X − Ŵ X||²_F  subject to Ŵ's sparsity pattern,      H = (2/N) Σ_s X_sᵀ X_s  (cols × cols)
 * </pre>
 * with the Optimal Brain Surgeon update applied column by column: when column i is pruned,
 * {@code err = (w_i − q_i) / U[i,i]} and {@code W[:, i:] −= err · U[i, i:]}, where
 * {@code U = chol(H⁻¹)ᵀ} (upper), whose row i holds the inverse Hessian of the columns not yet
 * passed (§3.4). Columns are processed in blocks of {@code blockSize}: the update inside a block is
 * applied at once, the rest lazily after the block ("lazy batch updates", §4).
 *
 * <p>Steps, as the reference code: (1) dead inputs ({@code H[j,j] = 0}) get {@code H[j,j] = 1} and
 * their weights zeroed; (2) dampening {@code H += λ·mean(diag H)·I}; (3) {@code U = chol(H⁻¹)} upper;
 * (4) per block, the mask is chosen by the OBS saliency {@code w² / U[j,j]²}: unstructured, the lowest
 * {@code floor(rows·block·s)} of the whole block (adaptive: rows differ in sparsity, the total is
 * exact); N:M, the N lowest of each row's group of M, chosen when the group's first column is
 * reached (from the already updated weights).
 *
 * <p>Dense linear algebra (Cholesky, the lazy matrix products) runs in float64 through {@link Linalg}
 * (ND4J's OpenBLAS/LAPACK, or without ND4J a plain-Java Cholesky and DJL's float64 products): DJL has
 * no Cholesky. The column loop inside a block and the triangular inverse are plain Java. (ND4J's general {@code InvertMatrix} failed on a 288×288 Hessian of stories15M, so
 * H⁻¹ is never formed: see {@link #upperCholeskyOfInverse}.)
 *
 * @param blockSize  columns per lazy-update block (paper and code: 128)
 * @param dampening  λ, relative to the mean diagonal of H (paper and code: 0.01)
 */
public record SparseGpt(int blockSize, double dampening) implements WeightPruningMethod {

    /** Block 128, dampening 1% (the reference defaults). */
    public static final SparseGpt DEFAULT = new SparseGpt(128, 0.01);

    public SparseGpt {
        if (blockSize < 1) throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
        if (!(dampening >= 0)) throw new IllegalArgumentException("dampening must be >= 0, got " + dampening);
    }

    /**
     * Steps 1–3 for one Hessian, reusable by every weight that reads the same input (q/k/v, gate/up).
     *
     * @param u    chol(H⁻¹) of the dampened Hessian, upper, row-major (cols × cols)
     * @param dead input columns never seen non-zero ({@code H[j,j] = 0}): their weights are zeroed
     */
    public record Factor(double[] u, boolean[] dead, int cols) {}

    /** Steps 1–3: dead inputs, dampening {@code λ·mean(diag H)}, {@code U = chol(H⁻¹)}. */
    public Factor factor(double[] hessian, int cols) {
        if ((long) cols * cols != hessian.length) {
            throw new IllegalArgumentException("SparseGPT: Hessian has " + hessian.length + " values for " + cols + "x" + cols);
        }
        double[] h = hessian.clone();
        boolean[] dead = new boolean[cols];
        // 1. dead inputs: never seen non-zero, so their weights cannot matter; keep H invertible
        for (int j = 0; j < cols; j++) {
            if (h[j * cols + j] == 0) {
                h[j * cols + j] = 1;
                dead[j] = true;
            }
        }
        // 2. dampening λ·mean(diag H)
        double mean = 0;
        for (int j = 0; j < cols; j++) mean += h[j * cols + j];
        double damp = dampening * mean / cols;
        for (int j = 0; j < cols; j++) h[j * cols + j] += damp;
        // 3. U = chol(H⁻¹), upper triangular
        return new Factor(upperCholeskyOfInverse(h, cols), dead, cols);
    }

    /**
     * Prunes one module of the pruning loop from the Hessian of its input, factored once for the
     * modules that share it (q/k/v, gate/up).
     */
    @Override
    public float[] prune(ModuleStats stats, SparsityPattern pattern) {
        Factor factor = stats.requireHessian(name()).factor(this);
        double[] w = new double[stats.weight().length];
        for (int i = 0; i < w.length; i++) w[i] = stats.weight()[i];
        double[] out = prune(w, stats.rows(), stats.cols(), factor, pattern);
        float[] f = new float[out.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) out[i];
        return f;
    }

    @Override
    public String name() {
        return this.equals(DEFAULT) ? "sparsegpt" : "sparsegpt(block=" + blockSize + ",λ=" + dampening + ")";
    }

    @Override
    public boolean needsHessian() {
        return true;
    }

    /**
     * Prunes {@code w} to {@code pattern}, choosing the mask as it goes.
     *
     * @param w       row-major (rows × cols) weight, float64 (not modified)
     * @param hessian row-major (cols × cols) {@code H = (2/N) Σ XᵀX} (not modified)
     * @return the pruned and updated weight, row-major
     */
    public double[] prune(double[] w, int rows, int cols, double[] hessian, SparsityPattern pattern) {
        return prune(w, rows, cols, factor(hessian, cols), pattern);
    }

    /** As above with the Hessian already factored. */
    public double[] prune(double[] w, int rows, int cols, Factor factor, SparsityPattern pattern) {
        return run(w, rows, cols, factor, pattern, null);
    }

    /**
     * Applies a fixed keep-mask (1 keep, 0 prune) with the OBS updates, as the reference code does
     * when it is given a mask.
     */
    public double[] prune(double[] w, int rows, int cols, double[] hessian, float[] keepMask) {
        if (keepMask.length != w.length) {
            throw new IllegalArgumentException("mask has " + keepMask.length + " entries for a " + rows + "x" + cols + " weight");
        }
        return run(w, rows, cols, factor(hessian, cols), null, keepMask);
    }

    private double[] run(double[] w0, int rows, int cols, Factor factor, SparsityPattern pattern, float[] fixedMask) {
        if ((long) rows * cols != w0.length || factor.cols() != cols) {
            throw new IllegalArgumentException("SparseGPT: weight " + w0.length + " values for " + rows + "x" + cols
                    + ", Hessian factor " + factor.cols() + "x" + factor.cols());
        }
        if (pattern != null) pattern.check(cols, rows + "x" + cols + " weight");
        if (pattern != null && pattern.isNm() && blockSize % pattern.m() != 0) {
            throw new IllegalArgumentException("SparseGPT: blockSize " + blockSize + " is not a multiple of M = "
                    + pattern.m() + " of the " + pattern.label() + " pattern: N:M groups must not straddle blocks");
        }
        double[] w = w0.clone();
        for (int j = 0; j < cols; j++) {
            if (factor.dead()[j]) for (int r = 0; r < rows; r++) w[r * cols + j] = 0;
        }
        double[] u = factor.u();
        // 4. blocks of columns
        boolean[] pruned = new boolean[w.length];
        for (int i1 = 0; i1 < cols; i1 += blockSize) {
            int i2 = Math.min(i1 + blockSize, cols);
            int count = i2 - i1;
            double[] err = new double[rows * count];                       // (rows, count)
            if (fixedMask != null) {
                for (int r = 0; r < rows; r++) {
                    for (int j = i1; j < i2; j++) pruned[r * cols + j] = fixedMask[r * cols + j] == 0f;
                }
            } else if (!pattern.isNm()) {
                chooseBlockMask(w, u, rows, cols, i1, i2, pattern.sparsity(), pruned);
            }
            for (int i = i1; i < i2; i++) {
                if (pattern != null && pattern.isNm() && i % pattern.m() == 0) {
                    chooseNmMask(w, u, rows, cols, i, pattern, pruned);
                }
                double d = u[i * cols + i];
                for (int r = 0; r < rows; r++) {
                    double wi = w[r * cols + i];
                    double q = pruned[r * cols + i] ? 0 : wi;
                    double e = (wi - q) / d;
                    w[r * cols + i] = q;
                    err[r * count + (i - i1)] = e;
                    if (e != 0) {
                        // OBS update of the rest of this block: W[r, i+1:i2] -= e · U[i, i+1:i2]
                        for (int j = i + 1; j < i2; j++) w[r * cols + j] -= e * u[i * cols + j];
                    }
                }
            }
            // 5. lazy batch update of the columns after the block: W[:, i2:] -= Err · U[i1:i2, i2:]
            if (i2 < cols) lazyUpdate(w, u, err, rows, cols, i1, i2);
        }
        return w;
    }

    /** Unstructured: the floor(rows·count·s) lowest OBS saliencies w²/U[j,j]² of the block. */
    private static void chooseBlockMask(double[] w, double[] u, int rows, int cols, int i1, int i2, double s,
            boolean[] pruned) {
        int count = i2 - i1;
        int k = (int) Math.floor((double) rows * count * s);
        long[] keys = new long[rows * count];
        for (int r = 0; r < rows; r++) {
            for (int j = i1; j < i2; j++) {
                double d = u[j * cols + j];
                float saliency = (float) (w[r * cols + j] * w[r * cols + j] / (d * d));
                keys[r * count + j - i1] = ((long) SparsityPattern.orderedBits(saliency) << 32) | (r * count + j - i1);
            }
        }
        Arrays.sort(keys);
        for (int n = 0; n < k; n++) {
            int idx = (int) (keys[n] & 0xffffffffL);
            pruned[(idx / count) * cols + i1 + idx % count] = true;
        }
    }

    /** N:M: in each row, the N lowest saliencies among columns i..i+M−1. */
    private static void chooseNmMask(double[] w, double[] u, int rows, int cols, int i, SparsityPattern p,
            boolean[] pruned) {
        long[] keys = new long[p.m()];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < p.m(); j++) {
                int c = i + j;
                double d = u[c * cols + c];
                float saliency = (float) (w[r * cols + c] * w[r * cols + c] / (d * d));
                keys[j] = ((long) SparsityPattern.orderedBits(saliency) << 32) | j;
            }
            Arrays.sort(keys);
            for (int n = 0; n < p.n(); n++) pruned[r * cols + i + (int) (keys[n] & 0xffffffffL)] = true;
        }
    }

    private static void lazyUpdate(double[] w, double[] u, double[] err, int rows, int cols, int i1, int i2) {
        int count = i2 - i1;
        int rest = cols - i2;
        double[] block = new double[count * rest];                          // U[i1:i2, i2:]
        for (int r = 0; r < count; r++) System.arraycopy(u, (i1 + r) * cols + i2, block, r * rest, rest);
        double[] delta = Linalg.multiply(err, rows, count, block, rest);    // (rows, rest)
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < rest; j++) w[r * cols + i2 + j] -= delta[r * rest + j];
        }
    }

    /**
     * chol(H⁻¹) as an upper-triangular U with H⁻¹ = UᵀU, row-major: the reference computes it as
     * {@code cholesky(cholesky_inverse(cholesky(H)), upper=True)}. Here without forming H⁻¹: with J the
     * reversal permutation, factor JHJ = KKᵀ (LAPACK potrf, K lower); then H = (JKJ)(JKJ)ᵀ with JKJ
     * upper triangular, so H⁻¹ = UᵀU for U = (JKJ)⁻¹ = J K⁻¹ J. One Cholesky and one triangular inverse.
     */
    static double[] upperCholeskyOfInverse(double[] h, int n) {
        double[] reversed = new double[n * n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) reversed[r * n + c] = h[(n - 1 - r) * n + (n - 1 - c)];
        }
        double[] k;
        try {
            k = Linalg.cholesky(reversed, n, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SparseGPT: the dampened Hessian: " + e.getMessage()
                    + "; raise the dampening or add calibration samples", e);
        }
        double[] kInv = lowerInverse(k, n);
        double[] u = new double[n * n];
        for (int r = 0; r < n; r++) {
            for (int c = r; c < n; c++) u[r * n + c] = kInv[(n - 1 - r) * n + (n - 1 - c)];
        }
        return u;
    }

    /** L⁻¹ of a lower-triangular L by forward substitution, a row at a time: X[r] = (e_r − Σ_k L[r,k] X[k]) / L[r,r]. */
    private static double[] lowerInverse(double[] l, int n) {
        double[] x = new double[n * n];
        for (int r = 0; r < n; r++) {
            int row = r * n;
            x[row + r] = 1;
            for (int k = 0; k < r; k++) {
                double lrk = l[row + k];
                if (lrk == 0) continue;
                for (int c = 0; c <= k; c++) x[row + c] -= lrk * x[k * n + c];      // X[k] is zero after column k
            }
            double d = l[row + r];
            for (int c = 0; c <= r; c++) x[row + c] /= d;
        }
        return x;
    }
}
