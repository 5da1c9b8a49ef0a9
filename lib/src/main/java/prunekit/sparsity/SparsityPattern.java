package prunekit.sparsity;

import java.util.Arrays;

/**
 * Which weights of a linear layer may be zeroed, given their scores: the mask half of the
 * "metric → mask" split of Wanda and GBLM-Pruner.
 *
 * <p>The comparison group is each <b>output row</b> of the {@code (out, in)} weight (Wanda §3,
 * "per output"; GBLM-Pruner keeps it):
 * <ul>
 *   <li>{@link #unstructured(double)}: in every row, the {@code floor(in · s)} lowest-scoring weights
 *       are zeroed, so every row has the same sparsity;</li>
 *   <li>{@link #nm(int, int)}: in every row, each group of M consecutive input columns keeps its
 *       M − N highest scores (N:M semi-structured sparsity, e.g. 2:4 as NVIDIA's sparse tensor
 *       cores run it, prunes 2 of every 4).</li>
 * </ul>
 * Ties are broken by column: among equal scores the lower column index is pruned first (a stable
 * sort, as Wanda's {@code torch.sort(..., stable=True)}). Ties matter here: SmolLM2's weights come
 * from a 4-bit file, so a row holds only a few distinct magnitudes.
 *
 * <p>{@link #maskWholeMatrix} makes the whole matrix one comparison group instead, as the official
 * magnitude baselines of Wanda and GBLM-Pruner do ({@link Magnitude}).
 *
 * @param sparsity fraction of each row zeroed, in [0, 1) (N:M: N / M)
 * @param n        weights pruned per group (0 for unstructured)
 * @param m        group width (0 for unstructured)
 */
public record SparsityPattern(double sparsity, int n, int m) {

    public SparsityPattern {
        if (m == 0) {
            if (!(sparsity >= 0 && sparsity < 1)) {
                throw new IllegalArgumentException("sparsity " + sparsity + " outside [0, 1): give the fraction of "
                        + "weights to zero, e.g. 0.5");
            }
        } else if (n < 1 || m < 2 || n >= m) {
            throw new IllegalArgumentException("N:M pattern " + n + ":" + m + " is invalid: need 1 <= N < M "
                    + "(N weights pruned in every group of M), e.g. 2:4 or 4:8");
        }
    }

    /** Zero the lowest {@code sparsity} fraction of every row. */
    public static SparsityPattern unstructured(double sparsity) {
        return new SparsityPattern(sparsity, 0, 0);
    }

    /** Prune N of every M consecutive weights of a row (2:4, 4:8). */
    public static SparsityPattern nm(int n, int m) {
        return new SparsityPattern((double) n / Math.max(m, 1), n, m);
    }

    /** Parses {@code "2:4"} (N:M) as {@link #nm}. */
    public static SparsityPattern parseNm(String text) {
        String[] parts = text.split(":");
        try {
            if (parts.length == 2) return nm(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("N:M pattern '" + text + "' must be two integers N:M with 1 <= N < M, e.g. 2:4");
    }

    public boolean isNm() {
        return m > 0;
    }

    /** Short label for tables and records: {@code 50%} or {@code 2:4}. */
    public String label() {
        return isNm() ? n + ":" + m : Math.round(sparsity * 1000) / 10.0 + "%";
    }

    /** {@code sparsity=0.5} or {@code nm=2:4}, for result-record settings. */
    public String settings() {
        return isNm() ? "nm=" + n + ":" + m : "sparsity=" + sparsity;
    }

    /** Checks that a weight with {@code in} input columns can take this pattern. */
    public void check(long in, String what) {
        if (isNm() && in % m != 0) {
            throw new IllegalArgumentException(what + ": " + in + " input columns are not divisible by M = " + m
                    + " of the " + label() + " pattern: use an M that divides " + in);
        }
    }

    /**
     * The keep-mask of one weight: 1 = keep, 0 = prune.
     *
     * @param scores row-major {@code (rows, cols)} scores, higher = more important; no NaN
     * @return row-major 0/1 mask of the same size
     */
    public float[] mask(float[] scores, int rows, int cols) {
        if ((long) rows * cols != scores.length) {
            throw new IllegalArgumentException(scores.length + " scores for a " + rows + "x" + cols + " weight");
        }
        check(cols, rows + "x" + cols + " weight");
        float[] mask = new float[scores.length];
        Arrays.fill(mask, 1f);
        int group = isNm() ? m : cols;
        int prune = isNm() ? n : (int) Math.floor(cols * sparsity);
        long[] keys = new long[group];
        for (int r = 0; r < rows; r++) {
            for (int g0 = 0; g0 < cols; g0 += group) {
                // 1. order the group by (score, column): stable ascending
                for (int j = 0; j < group; j++) {
                    float s = scores[r * cols + g0 + j];
                    if (Float.isNaN(s)) {
                        throw new IllegalArgumentException("score of row " + r + ", column " + (g0 + j) + " is NaN");
                    }
                    keys[j] = ((long) orderedBits(s) << 32) | j;
                }
                Arrays.sort(keys);
                // 2. zero the `prune` lowest
                for (int k = 0; k < prune; k++) {
                    mask[r * cols + g0 + (int) (keys[k] & 0xffffffffL)] = 0f;
                }
            }
        }
        return mask;
    }

    /**
     * The keep-mask of one weight with the whole matrix as one comparison group: unstructured, the
     * {@code floor(rows · cols · s)} lowest scores of the matrix are zeroed, ties broken by row-major
     * index (lower first), so rows differ in sparsity and the matrix has exactly its share; N:M
     * groups lie within a row either way, so N:M is {@link #mask}.
     *
     * @param scores row-major {@code (rows, cols)} scores, higher = more important; no NaN
     * @return row-major 0/1 mask of the same size
     */
    public float[] maskWholeMatrix(float[] scores, int rows, int cols) {
        if (isNm()) {
            return mask(scores, rows, cols);
        }
        if ((long) rows * cols != scores.length) {
            throw new IllegalArgumentException(scores.length + " scores for a " + rows + "x" + cols + " weight");
        }
        // 1. order the matrix by (score, index): stable ascending
        long[] keys = new long[scores.length];
        for (int i = 0; i < scores.length; i++) {
            if (Float.isNaN(scores[i])) {
                throw new IllegalArgumentException("score of row " + i / cols + ", column " + i % cols + " is NaN");
            }
            keys[i] = ((long) orderedBits(scores[i]) << 32) | i;
        }
        Arrays.sort(keys);
        // 2. zero the floor(rows · cols · s) lowest
        float[] mask = new float[scores.length];
        Arrays.fill(mask, 1f);
        int prune = (int) Math.floor((double) scores.length * sparsity);
        for (int k = 0; k < prune; k++) {
            mask[(int) (keys[k] & 0xffffffffL)] = 0f;
        }
        return mask;
    }

    /** An int whose signed order is the float's order (-0.0 and 0.0 equal). */
    static int orderedBits(float f) {
        int bits = Float.floatToIntBits(f == 0f ? 0f : f);
        return bits >= 0 ? bits : bits ^ 0x7fffffff;
    }
}
