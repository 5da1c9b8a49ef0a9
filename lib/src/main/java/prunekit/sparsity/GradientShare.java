package prunekit.sparsity;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.model.TensorNames;
import prunekit.stats.InputNorms;
import prunekit.stats.WeightGradients;

/**
 * How much of GBLM-Pruner's score comes from its gradient term (Das et al., "Beyond Size: How
 * Gradients Shape Pruning Decisions in Large Language Models", arXiv 2311.18237, §3.2, Eq. 5). The
 * score of weight {@code W_ij} has two terms, {@code |W_ij|·||X_j||₂} (Wanda's) and
 * {@code α|W_ij|·||G_ij||_p}; summed over one weight matrix,
 * <pre>
 *   A = Σ_ij |W_ij|·||X_j||₂ ,    B = Σ_ij α|W_ij|·||G_ij||_p ,    share = B / (A + B).
 * </pre>
 * Where the share is small GBLM ranks the weights of that matrix much as Wanda does; where it is
 * large the gradient decides. α is {@link Gblm#alpha()}, applied as {@link Gblm} does (α / the
 * statistics' scale).
 *
 * @param layer          decoder layer
 * @param module         one of {@link LayerWeights#LINEARS}
 * @param activationTerm A, the sum of Wanda's term
 * @param gradientTerm   B, the sum of the gradient term
 */
public record GradientShare(int layer, String module, double activationTerm, double gradientTerm) {

    /** B / (A + B): the gradient term's share of the summed score. */
    public double share() {
        return gradientTerm / (activationTerm + gradientTerm);
    }

    /** The two terms of {@code gblm}'s score for one weight. */
    public static GradientShare of(ModuleStats s, Gblm gblm) {
        double[] x = s.requireScalerRow("gradient share");
        WeightGradients grads = s.requireGradients("gradient share");
        float[] g = grads.get(s.layer(), s.module(), gblm.norm()).data();
        double k = gblm.alpha() / grads.scale();
        float[] w = s.weight();
        double a = 0, b = 0;
        for (int r = 0; r < s.rows(); r++) {
            for (int c = 0; c < s.cols(); c++) {
                int i = r * s.cols() + c;
                a += Math.abs(w[i]) * Math.sqrt(x[c]);
                b += k * Math.abs(w[i]) * g[i];
            }
        }
        return new GradientShare(s.layer(), s.module(), a, b);
    }

    /**
     * Every linear weight of {@code model}, layer by layer, with the input norms {@code norms} (e.g.
     * {@link InputNorms#of} on the dense model: the first layer's inputs in the pruning loop, an
     * approximation for later layers, which see the outputs of already-pruned ones).
     */
    public static List<GradientShare> of(LlamaModel model, InputNorms norms, WeightGradients grads, Gblm gblm) {
        List<GradientShare> out = new ArrayList<>();
        for (int l = 0; l < model.config().layers(); l++) {
            for (var e : model.layer(l).linears().entrySet()) {
                NDArray w = e.getValue();
                out.add(of(new ModuleStats(l, e.getKey(), w.toFloatArray(), (int) w.getShape().get(0),
                        (int) w.getShape().get(1), norms.scalerRow(TensorNames.key(l, e.getKey())), grads), gblm));
            }
        }
        return out;
    }

    /** Per module, {@code {layers, shares}} in layer order: the series of a chart of share against layer. */
    public static Map<String, double[][]> byModule(List<GradientShare> shares) {
        Map<String, double[][]> out = new LinkedHashMap<>();
        for (String m : LayerWeights.LINEARS) {
            List<GradientShare> mine = shares.stream().filter(s -> s.module().equals(m)).toList();
            if (mine.isEmpty()) continue;
            out.put(m, new double[][] {mine.stream().mapToDouble(GradientShare::layer).toArray(),
                    mine.stream().mapToDouble(GradientShare::share).toArray()});
        }
        return out;
    }
}
