package prunekit.importance;

import prunekit.model.LlamaModel;

/**
 * "Drop the last n layers": score_l = L − 1 − l, so importance falls with depth and the pruner
 * removes the last layers first. The data-free baseline that Lu et al. ("Reassessing Layer Pruning in
 * LLMs", arXiv 2411.15558) found hard to beat after fine-tuning.
 */
public final class LastLayers implements LayerImportance {

    @Override
    public double[] scores(LlamaModel model, int[][] calibration) {
        int n = model.config().layers();
        double[] s = new double[n];
        for (int l = 0; l < n; l++) s[l] = n - 1 - l;
        return s;
    }

    @Override
    public String name() {
        return "last-layers";
    }
}
