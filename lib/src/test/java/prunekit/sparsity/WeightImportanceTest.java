package prunekit.sparsity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.model.HostTensor;
import prunekit.model.LayerWeights;
import prunekit.stats.StatsCache;
import prunekit.stats.WeightGradients;
import prunekit.stats.WeightGradients.Norm;

/** The metric formulas on a 2×3 weight, against values worked out by hand. */
class WeightImportanceTest {

    private static final float[] W = {1, -2, 0.5f, -3, 0, 4};              // (2, 3)
    private static final double[] SCALER = {4, 1, 9};                       // ||X_j|| = 2, 1, 3
    private static final float[] G_L2 = {100, 200, 0, 50, 10, 1};           // stored at scale 100
    private static final float[] G_L1 = {300, 100, 100, 0, 0, 200};

    @TempDir
    Path tmp;

    /** A one-layer gradient cache holding G_L1/G_L2 for layer 0's q_proj (zeros elsewhere). */
    private WeightGradients gradients() throws Exception {
        StatsCache cache = new StatsCache(tmp.resolve("grads"), "test-key");
        Map<String, HostTensor> t = new java.util.LinkedHashMap<>();
        for (String m : LayerWeights.LINEARS) {
            boolean q = m.equals("q_proj");
            t.put("layers.0." + m + ".l1", new HostTensor(q ? G_L1 : new float[6], new long[] {2, 3}));
            t.put("layers.0." + m + ".l2", new HostTensor(q ? G_L2 : new float[6], new long[] {2, 3}));
        }
        cache.write(0, t);
        assertTrue(Files.exists(cache.file(0)));
        return WeightGradients.open(cache, 1, 100);
    }

    private static ModuleStats stats(WeightGradients g) {
        return new ModuleStats(0, "q_proj", W, 2, 3, SCALER, g);
    }

    @Test
    void magnitudeIsAbsoluteWeight() {
        assertArrayEquals(new float[] {1, 2, 0.5f, 3, 0, 4}, new Magnitude().scores(stats(null)));
    }

    @Test
    void wandaIsWeightTimesInputNorm() {
        // |W| · sqrt(scaler) = [1·2, 2·1, 0.5·3; 3·2, 0·1, 4·3]
        assertArrayEquals(new float[] {2, 2, 1.5f, 6, 0, 12}, new Wanda().scores(stats(null)), 1e-6f);
    }

    @Test
    void gblmAddsWeightTimesGradientNorm() throws Exception {
        WeightGradients g = gradients();
        // default (l2, α = 100 = the stored scale): Wanda + |W|·G_l2
        //   [2 + 1·100, 2 + 2·200, 1.5 + 0.5·0; 6 + 3·50, 0 + 0·10, 12 + 4·1]
        assertArrayEquals(new float[] {102, 402, 1.5f, 156, 0, 16}, Gblm.DEFAULT.scores(stats(g)), 1e-4f);
        // paper form, explicit α = 1 with l1: Wanda + (1/100)·|W|·G_l1
        //   [2 + 3, 2 + 2, 1.5 + 0.5; 6 + 0, 0, 12 + 8]
        assertArrayEquals(new float[] {5, 4, 2, 6, 0, 20}, new Gblm(Norm.L1, 1).scores(stats(g)), 1e-5f);
        // α = 0 is Wanda
        assertArrayEquals(new Wanda().scores(stats(g)), new Gblm(Norm.L2, 0).scores(stats(g)), 1e-6f);
    }

    @Test
    void missingStatisticsGiveClearErrors() {
        var e = assertThrows(IllegalStateException.class, () -> Gblm.DEFAULT.scores(stats(null)));
        assertTrue(e.getMessage().contains("gradient statistics"), e.getMessage());
        var e2 = assertThrows(IllegalStateException.class,
                () -> new Wanda().scores(new ModuleStats(3, "o_proj", W, 2, 3, null, null)));
        assertTrue(e2.getMessage().contains("layers.3.o_proj"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> new Gblm(Norm.L2, -1));
        assertTrue(e3.getMessage().contains("-1"), e3.getMessage());
    }
}
