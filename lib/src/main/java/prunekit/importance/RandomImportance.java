package prunekit.importance;

import java.util.Random;
import prunekit.model.LlamaModel;

/**
 * Random scores, uniform in [0, 1), from {@code new Random(seed)}: the chance baseline. The same seed
 * gives the same scores for the same number of layers; each call draws afresh from the seed.
 */
public final class RandomImportance implements LayerImportance {

    private final long seed;

    public RandomImportance(long seed) {
        this.seed = seed;
    }

    @Override
    public double[] scores(LlamaModel model, int[][] calibration) {
        Random r = new Random(seed);
        double[] s = new double[model.config().layers()];
        for (int l = 0; l < s.length; l++) s[l] = r.nextDouble();
        return s;
    }

    @Override
    public String name() {
        return "random[" + seed + "]";
    }
}
