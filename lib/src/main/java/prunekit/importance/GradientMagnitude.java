package prunekit.importance;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.stats.LayerGradients;
import prunekit.stats.LayerGradients.ModuleStats;

/**
 * GradMAP's gradient metric (Liu, Li, Zhang, Tang, "Faster Layer Pruning with Gradient Metric And
 * Projection compensation", arXiv 2602.14649, Stage 1): one forward + backward pass of the LM loss
 * on the calibration batch scores every layer globally from the gradient magnitudes of its weights.
 *
 * <p><b>Reconstruction.</b> No official code is public and only the abstract is known, so the exact
 * formula is a documented choice. The default ({@link #DEFAULT}) is
 * <pre>  I_l = (1 / |θ_l|) Σ_{w ∈ θ_l} |∂L/∂w|</pre>
 * over all nine tensors of layer l (seven linears and two RMSNorm gains): the per-parameter mean
 * gradient magnitude. Options: the statistic ({@link Statistic}: |g|, the first-order Taylor
 * term |g ⊙ w|, or g²) and the normalisation ({@link Normalisation}). Since every LLaMA layer has
 * the same parameter count, {@code SUM} and {@code PARAMETER_MEAN} rank identically (they differ in
 * scale only); {@code MODULE_MEAN} weighs every tensor equally, so the small attention and norm
 * tensors count as much as the large MLP ones, and does change the ranking.
 */
public final class GradientMagnitude implements LayerImportance {

    /** What is summed over a tensor's entries. */
    public enum Statistic {
        /** |∂L/∂w|: gradient magnitude, the default reading of "gradient metric". */
        GRADIENT,
        /** |∂L/∂w · w|: first-order Taylor estimate of the loss change on removing w. */
        TAYLOR,
        /** (∂L/∂w)²: empirical-Fisher-like sensitivity. */
        GRADIENT_SQUARED
    }

    /** How a layer's entries are combined into one score. */
    public enum Normalisation {
        /** Σ over the layer's entries. */
        SUM,
        /** Σ over the layer's entries / number of entries (default). */
        PARAMETER_MEAN,
        /** mean over the nine tensors of each tensor's per-entry mean. */
        MODULE_MEAN
    }

    /** |g|, per-parameter mean, micro-batches of 4 windows. */
    public static final GradientMagnitude DEFAULT =
            new GradientMagnitude(Statistic.GRADIENT, Normalisation.PARAMETER_MEAN, 4);

    /**
     * The six variants that rank differently, by the names the CLI and the grids use: each statistic with
     * the per-parameter mean ({@code SUM} ranks as it does) and with the per-module mean. {@code gradmap}
     * is {@link #DEFAULT}.
     */
    public static final Map<String, GradientMagnitude> VARIANTS = variants();

    private final Statistic statistic;
    private final Normalisation normalisation;
    private final int microBatch;

    /**
     * @param microBatch windows per forward/backward pass; the gradient is of the whole batch either way
     */
    public GradientMagnitude(Statistic statistic, Normalisation normalisation, int microBatch) {
        this.statistic = statistic;
        this.normalisation = normalisation;
        this.microBatch = microBatch;
    }

    @Override
    public double[] scores(LlamaModel model, int[][] calibration) {
        return scores(LayerGradients.compute(model, calibration, microBatch));
    }

    /** Scores from already computed gradient statistics (one backward pass serves every variant). */
    public double[] scores(LayerGradients grads) {
        double[] s = new double[grads.layers()];
        for (int l = 0; l < s.length; l++) {
            if (normalisation == Normalisation.MODULE_MEAN) {
                double sum = 0;
                for (String m : LayerWeights.ALL) {
                    ModuleStats t = grads.get(l, m);
                    sum += value(t) / t.count();
                }
                s[l] = sum / LayerWeights.ALL.length;
            } else {
                ModuleStats t = grads.layer(l);
                s[l] = normalisation == Normalisation.SUM ? value(t) : value(t) / t.count();
            }
        }
        return s;
    }

    private double value(ModuleStats t) {
        switch (statistic) {
            case GRADIENT: return t.sumAbsGrad();
            case TAYLOR: return t.sumAbsTaylor();
            default: return t.sumSquaredGrad();
        }
    }

    private static Map<String, GradientMagnitude> variants() {
        Map<String, GradientMagnitude> v = new LinkedHashMap<>();
        for (Normalisation n : List.of(Normalisation.PARAMETER_MEAN, Normalisation.MODULE_MEAN)) {
            for (Statistic s : Statistic.values()) {
                String name = "gradmap" + (s == Statistic.GRADIENT ? "" : s == Statistic.TAYLOR ? "-taylor" : "-squared")
                        + (n == Normalisation.MODULE_MEAN ? "-module" : "");
                v.put(name, s == DEFAULT.statistic && n == DEFAULT.normalisation ? DEFAULT : new GradientMagnitude(s, n, 4));
            }
        }
        return Collections.unmodifiableMap(v);
    }

    @Override
    public String name() {
        return "gradmap[" + statistic.name().toLowerCase() + "," + normalisation.name().toLowerCase() + "]";
    }
}
