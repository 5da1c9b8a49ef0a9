package prunekit.prune;

/** Solves (A + λI) X = B for a symmetric positive (semi)definite A by a Cholesky factorisation, in float64. */
final class Cholesky {

    private Cholesky() {}

    /**
     * @param a      C×C symmetric matrix, row-major (not modified)
     * @param lambda added to the diagonal; must make A + λI positive definite
     * @param b      C×K right-hand sides, row-major, K = b.length / C (not modified)
     * @return X, C×K row-major
     */
    static double[] solve(double[] a, double lambda, double[] b, int c) {
        int k = b.length / c;
        // 1. A + λI = L Lᵀ, L lower triangular
        double[] l = new double[c * c];
        for (int i = 0; i < c; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * c + j] + (i == j ? lambda : 0);
                for (int p = 0; p < j; p++) s -= l[i * c + p] * l[j * c + p];
                if (i == j) {
                    if (s <= 0) {
                        throw new IllegalArgumentException("matrix is not positive definite at pivot " + i
                                + " (" + s + "): raise the ridge λ or add calibration tokens");
                    }
                    l[i * c + i] = Math.sqrt(s);
                } else {
                    l[i * c + j] = s / l[j * c + j];
                }
            }
        }
        // 2. L Z = B (forward), then Lᵀ X = Z (backward), all K columns at once
        double[] x = b.clone();
        for (int i = 0; i < c; i++) {
            for (int p = 0; p < i; p++) {
                double lip = l[i * c + p];
                if (lip != 0) for (int col = 0; col < k; col++) x[i * k + col] -= lip * x[p * k + col];
            }
            double d = l[i * c + i];
            for (int col = 0; col < k; col++) x[i * k + col] /= d;
        }
        for (int i = c - 1; i >= 0; i--) {
            for (int p = i + 1; p < c; p++) {
                double lpi = l[p * c + i];
                if (lpi != 0) for (int col = 0; col < k; col++) x[i * k + col] -= lpi * x[p * k + col];
            }
            double d = l[i * c + i];
            for (int col = 0; col < k; col++) x[i * k + col] /= d;
        }
        return x;
    }
}
