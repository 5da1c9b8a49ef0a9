package prunekit.sparsity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.model.HostTensor;
import prunekit.model.LayerWeights;
import prunekit.stats.StatsCache;
import prunekit.stats.WeightGradients;
import prunekit.stats.WeightGradients.Norm;

/** The two terms of GBLM's score on WeightImportanceTest's 2×3 weight, summed by hand. */
class GradientShareTest {

    private static final float[] W = {1, -2, 0.5f, -3, 0, 4};              // (2, 3)
    private static final double[] SCALER = {4, 1, 9};                       // ||X_j|| = 2, 1, 3
    private static final float[] G_L2 = {100, 200, 0, 50, 10, 1};           // stored at scale 100
    private static final float[] G_L1 = {300, 100, 100, 0, 0, 200};

    @TempDir
    Path tmp;

    @Test
    void termsAndShare() throws Exception {
        StatsCache cache = new StatsCache(tmp.resolve("grads"), "test-key");
        Map<String, HostTensor> t = new LinkedHashMap<>();
        for (String m : LayerWeights.LINEARS) {
            boolean q = m.equals("q_proj");
            t.put("layers.0." + m + ".l1", new HostTensor(q ? G_L1 : new float[6], new long[] {2, 3}));
            t.put("layers.0." + m + ".l2", new HostTensor(q ? G_L2 : new float[6], new long[] {2, 3}));
        }
        cache.write(0, t);
        var stats = new ModuleStats(0, "q_proj", W, 2, 3, SCALER, WeightGradients.open(cache, 1, 100));

        // A = Σ|W|·||X|| = 2 + 2 + 1.5 + 6 + 0 + 12; B = Σ|W|·G = 100 + 400 + 0 + 150 + 0 + 4 (α = scale = 100)
        GradientShare s = GradientShare.of(stats, Gblm.DEFAULT);
        assertEquals(23.5, s.activationTerm(), 1e-9);
        assertEquals(654, s.gradientTerm(), 1e-9);
        assertEquals(654 / 677.5, s.share(), 1e-12);
        // l1 at α = 1: (1/100)·(300 + 200 + 50 + 0 + 0 + 800)
        assertEquals(13.5, GradientShare.of(stats, new Gblm(Norm.L1, 1)).gradientTerm(), 1e-9);
        // α = 0 is Wanda: no gradient share
        assertEquals(0.0, GradientShare.of(stats, new Gblm(Norm.L2, 0)).share(), 1e-12);
    }

    @Test
    void seriesPerModuleInLayerOrder() {
        var shares = List.of(new GradientShare(0, "q_proj", 3, 1), new GradientShare(0, "k_proj", 1, 1),
                new GradientShare(1, "q_proj", 1, 3));
        Map<String, double[][]> series = GradientShare.byModule(shares);
        assertEquals(List.of("q_proj", "k_proj"), List.copyOf(series.keySet()));
        assertArrayEquals(new double[] {0, 1}, series.get("q_proj")[0], 1e-12);
        assertArrayEquals(new double[] {0.25, 0.75}, series.get("q_proj")[1], 1e-12);
        assertArrayEquals(new double[] {0.5}, series.get("k_proj")[1], 1e-12);
    }
}
