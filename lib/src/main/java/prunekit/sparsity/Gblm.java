package prunekit.sparsity;

import prunekit.stats.WeightGradients;
import prunekit.stats.WeightGradients.Norm;

/**
 * GBLM-Pruner (Das, Ma, Shen, "Beyond Size: How Gradients Shape Pruning Decisions in Large Language
 * Models", arXiv 2311.18237, §3.2, Eq. 5):
 * <pre>
 *   S_ij = |W_ij| · ||X_j||₂  +  α · |W_ij| · ||G_ij||_p
 * </pre>
 * where {@code ||G_ij||_p} is the p-norm over calibration samples of the per-sample gradients
 * (p = 2 by default, p = 1 as an option) from {@link WeightGradients}.
 *
 * <p>The official code folds α into the gradients ({@code g·100} before accumulating) and scores
 * {@code |W|·sqrt(scaler_row) + |W|·G_stored}. The two forms are the same number, since
 * {@code ||α g||_p = α ||g||_p}: with statistics accumulated at scale σ, the score here is
 * {@code |W|·||X|| + (α/σ)·|W|·G_stored}, which is the code's score for α = σ = 100 and the paper's
 * formula for any explicit α.
 *
 * @param norm  which accumulation: L2 {@code sqrt Σ g²} (code default) or L1 {@code Σ |g|}
 * @param alpha α, the weight of the gradient term (paper and code: 100); 0 gives Wanda
 */
public record Gblm(Norm norm, double alpha) implements WeightImportance {

    /** l2, α = 100: the official configuration. */
    public static final Gblm DEFAULT = new Gblm(Norm.L2, WeightGradients.DEFAULT_SCALE);

    public Gblm {
        if (norm == null) throw new IllegalArgumentException("GBLM norm must be L1 or L2");
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("GBLM α must be a finite number >= 0, got " + alpha);
        }
    }

    @Override
    public float[] scores(ModuleStats s) {
        double[] x = s.requireScalerRow(name());
        WeightGradients grads = s.requireGradients(name());
        float[] g = grads.get(s.layer(), s.module(), norm).data();
        if (g.length != s.weight().length) {
            throw new IllegalStateException("gradient statistics of layers." + s.layer() + "." + s.module() + " have "
                    + g.length + " entries, the weight " + s.weight().length + ": were they computed for another model?");
        }
        double k = alpha / grads.scale();
        float[] w = s.weight();
        float[] out = new float[w.length];
        for (int r = 0; r < s.rows(); r++) {
            for (int c = 0; c < s.cols(); c++) {
                int i = r * s.cols() + c;
                double a = Math.abs(w[i]);
                out[i] = (float) (a * Math.sqrt(x[c]) + k * a * g[i]);
            }
        }
        return out;
    }

    @Override
    public String name() {
        return this.equals(DEFAULT) ? "gblm" : "gblm(" + norm.name().toLowerCase() + ",α=" + alpha + ")";
    }

    @Override
    public boolean needsGradients() {
        return true;
    }
}
