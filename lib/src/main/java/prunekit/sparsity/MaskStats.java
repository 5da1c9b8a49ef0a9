package prunekit.sparsity;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.List;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;

/**
 * Summaries of pruned weights for plots: where the zeros are (block density, per-row and per-column
 * sparsity), how two masks overlap, and how often a row's pruning threshold falls inside a group of
 * tied scores (common when weights come from a 4-bit file: a row then holds few distinct magnitudes);
 * and how many weights a model's pruning applies to ({@link #linearParameters}).
 * Weights are row-major {@code (rows, cols)}; a weight counts as pruned when it is exactly zero.
 */
public final class MaskStats {

    private MaskStats() {}

    /**
     * Weights inside the decoder's linear layers of {@code model} (what weight pruning applies to):
     * with {@link WeightPruner#sparsity}, the parameters a pruned model keeps are
     * {@code parameterCount() − round(sparsity · linearParameters)}.
     */
    public static long linearParameters(LlamaModel model) {
        long n = 0;
        for (LayerWeights lw : model.layers()) {
            for (NDArray w : lw.linears().values()) n += w.size();
        }
        return n;
    }

    /**
     * Fraction of zeros in each of {@code outRows × outCols} blocks (a downsampled mask for a heat map).
     * Blocks are as equal as integer division allows.
     */
    public static double[][] blockSparsity(float[] w, int rows, int cols, int outRows, int outCols) {
        int br = Math.min(outRows, rows);
        int bc = Math.min(outCols, cols);
        double[][] zeros = new double[br][bc];
        double[][] count = new double[br][bc];
        for (int r = 0; r < rows; r++) {
            int i = (int) ((long) r * br / rows);
            for (int c = 0; c < cols; c++) {
                int j = (int) ((long) c * bc / cols);
                count[i][j]++;
                if (w[r * cols + c] == 0f) zeros[i][j]++;
            }
        }
        for (int i = 0; i < br; i++) for (int j = 0; j < bc; j++) zeros[i][j] /= count[i][j];
        return zeros;
    }

    /** Fraction of zeros in each row. */
    public static double[] rowSparsity(float[] w, int rows, int cols) {
        double[] s = new double[rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) if (w[r * cols + c] == 0f) s[r]++;
            s[r] /= cols;
        }
        return s;
    }

    /** Fraction of zeros in each column (input channel). */
    public static double[] columnSparsity(float[] w, int rows, int cols) {
        double[] s = new double[cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) if (w[r * cols + c] == 0f) s[c]++;
        for (int c = 0; c < cols; c++) s[c] /= rows;
        return s;
    }

    /** Matrices of equal height placed left to right (for side-by-side heat maps). */
    public static double[][] sideBySide(List<double[][]> parts) {
        int rows = parts.get(0).length;
        int cols = parts.stream().mapToInt(p -> p[0].length).sum();
        double[][] out = new double[rows][cols];
        int at = 0;
        for (double[][] p : parts) {
            if (p.length != rows) throw new IllegalArgumentException("heights differ: " + p.length + " vs " + rows);
            for (int r = 0; r < rows; r++) System.arraycopy(p[r], 0, out[r], at, p[r].length);
            at += p[0].length;
        }
        return out;
    }

    /** Of the weights pruned in {@code a}, the fraction also pruned in {@code b}. */
    public static double overlap(float[] a, float[] b) {
        long prunedA = 0, both = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == 0f) {
                prunedA++;
                if (b[i] == 0f) both++;
            }
        }
        return prunedA == 0 ? Double.NaN : both / (double) prunedA;
    }

    /**
     * Ties at the pruning threshold of an unstructured per-row mask.
     *
     * @param distinctPerRow  mean number of distinct scores in a row
     * @param rowsCutInTie    fraction of rows whose cut (between the k-th and (k+1)-th lowest score)
     *                        separates equal scores, so the column order decided which were pruned
     * @param tiedAtCut       mean fraction of a row's weights that share the score at the cut, over
     *                        those rows
     */
    public record Ties(double distinctPerRow, double rowsCutInTie, double tiedAtCut) {}

    /** {@link Ties} of {@code scores} when each row loses its floor(cols·sparsity) lowest. */
    public static Ties ties(float[] scores, int rows, int cols, double sparsity) {
        int k = (int) Math.floor(cols * sparsity);
        double distinct = 0, cut = 0, tied = 0;
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(scores, r * cols, row, 0, cols);
            Arrays.sort(row);
            int d = cols == 0 ? 0 : 1;
            for (int c = 1; c < cols; c++) if (row[c] != row[c - 1]) d++;
            distinct += d;
            if (k > 0 && k < cols && row[k - 1] == row[k]) {
                cut++;
                float v = row[k];
                int same = 0;
                for (float x : row) if (x == v) same++;
                tied += same / (double) cols;
            }
        }
        return new Ties(distinct / rows, cut / rows, cut == 0 ? 0 : tied / cut);
    }
}
