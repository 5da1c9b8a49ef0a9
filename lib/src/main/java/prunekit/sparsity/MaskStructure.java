package prunekit.sparsity;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import prunekit.model.LlamaModel;
import prunekit.model.TensorNames;

/**
 * How structured an unstructured mask is, as numbers rather than pictures. GBLM-Pruner (Das et al.,
 * "Beyond Size: How Gradients Shape Pruning Decisions in Large Language Models", arXiv 2311.18237,
 * §5) observes that gradient-informed unstructured masks show structural patterns; structure here
 * means whole input columns (or output rows) pruned or kept together.
 *
 * <p>The spreads compare the per-column (per-row) sparsity with what a random mask of the same
 * sparsity s would show: in a random mask each column's count of zeros is Binomial(rows, s), so its
 * sparsity has standard deviation {@code sqrt(s(1−s)/rows)}. A spread of 1 is no more structure than
 * chance, above 1 is column (row) structure, and 0 is perfectly even — the row spread of any mask
 * that prunes each row to the same count (magnitude, Wanda and GBLM per output row). Both spreads
 * are NaN for a weight with no zeros or no non-zeros.
 *
 * @param module        the weight, e.g. {@code layers.3.q_proj}
 * @param sparsity      fraction of zeros in the weight
 * @param columnSpread  standard deviation of the per-column sparsity over its random-mask value
 * @param rowSpread     standard deviation of the per-row sparsity over its random-mask value
 * @param prunedColumns fraction of columns with at least {@link #WHOLE} of their weights zero
 * @param keptColumns   fraction of columns with at least {@link #WHOLE} of their weights non-zero
 */
public record MaskStructure(String module, double sparsity, double columnSpread, double rowSpread,
                            double prunedColumns, double keptColumns) {

    /** A column counts as pruned (kept) as a whole when at least this share of it is zero (non-zero). */
    public static final double WHOLE = 0.9;

    /** The structure of one row-major {@code (rows, cols)} weight, a weight counting as pruned when exactly zero. */
    public static MaskStructure of(String module, float[] w, int rows, int cols) {
        double[] byColumn = MaskStats.columnSparsity(w, rows, cols);
        double[] byRow = MaskStats.rowSparsity(w, rows, cols);
        double s = mean(byRow);
        double pruned = 0, kept = 0;
        for (double c : byColumn) {
            if (c >= WHOLE) pruned++;
            if (c <= 1 - WHOLE) kept++;
        }
        return new MaskStructure(module, s, std(byColumn) / Math.sqrt(s * (1 - s) / rows),
                std(byRow) / Math.sqrt(s * (1 - s) / cols), pruned / cols, kept / cols);
    }

    /** The structure of every linear weight of every decoder layer of a pruned model, layer by layer. */
    public static List<MaskStructure> of(LlamaModel pruned) {
        List<MaskStructure> out = new ArrayList<>();
        for (int l = 0; l < pruned.config().layers(); l++) {
            for (var e : pruned.layer(l).linears().entrySet()) {
                NDArray w = e.getValue();
                out.add(of(TensorNames.key(l, e.getKey()), w.toFloatArray(), (int) w.getShape().get(0),
                        (int) w.getShape().get(1)));
            }
        }
        return out;
    }

    /** The mean of each measure over {@code weights} (e.g. every weight of one model), named {@code "mean of N"}. */
    public static MaskStructure mean(List<MaskStructure> weights) {
        int n = weights.size();
        double s = 0, column = 0, row = 0, pruned = 0, kept = 0;
        for (MaskStructure m : weights) {
            s += m.sparsity / n;
            column += m.columnSpread / n;
            row += m.rowSpread / n;
            pruned += m.prunedColumns / n;
            kept += m.keptColumns / n;
        }
        return new MaskStructure("mean of " + n, s, column, row, pruned, kept);
    }

    /** e.g. {@code layers.3.q_proj: sparsity 0.500, column spread 1.84, row spread 0.00, columns pruned 0.012, kept 0.020}. */
    @Override
    public String toString() {
        return String.format("%s: sparsity %.3f, column spread %.2f, row spread %.2f, columns pruned %.3f, kept %.3f", module,
                sparsity, columnSpread, rowSpread, prunedColumns, keptColumns);
    }

    private static double mean(double[] v) {
        double sum = 0;
        for (double x : v) sum += x;
        return sum / v.length;
    }

    /** Population standard deviation. */
    private static double std(double[] v) {
        double m = mean(v), sum = 0;
        for (double x : v) sum += (x - m) * (x - m);
        return Math.sqrt(sum / v.length);
    }
}
