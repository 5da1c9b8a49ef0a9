package prunekit.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import prunekit.model.DeepTinyModels;
import prunekit.model.LlamaModel;
import prunekit.model.Trace;

class SlidingMergeTest {

    private static final int[][] TOKENS = DeepTinyModels.WINDOWS;
    private static final int LAYERS = 7;

    private static LlamaModel model() {
        return DeepTinyModels.model(LAYERS, 4, DataType.FLOAT64);
    }

    @Test
    void thresholdOneMergesNothing() {
        try (LlamaModel model = model()) {
            SlidingMerge.Config cfg = SlidingMerge.Config.forModel(LAYERS).withThreshold(1.0);   // range [1, 5]
            SlidingMerge.Result r = SlidingMerge.merge(model, MergeRule.PAPER, TOKENS, cfg);
            try (LlamaModel merged = r.model()) {
                assertEquals(LAYERS, merged.config().layers());
                assertEquals(List.of(), r.merges());
                assertEquals(0, r.layersRemoved());
                // every pair (h-1, h) from the top of the range down is tried once, and fails
                assertEquals(List.of("4..5", "3..4", "2..3", "1..2"), windows(r));
                assertTrue(r.decisions().stream().noneMatch(SlidingMerge.Decision::accepted));
                assertArrayEquals(model.layer(3).down().toDoubleArray(), merged.layer(3).down().toDoubleArray(), 0.0);
            }
        }
    }

    @Test
    void thresholdMinusOneMergesTheWholeRangeIntoOneLayer() {
        try (LlamaModel model = model()) {
            double[] lastBefore = model.layer(6).q().toDoubleArray();
            SlidingMerge.Config cfg = SlidingMerge.Config.forModel(LAYERS).withThreshold(-1.0);
            SlidingMerge.Result r = SlidingMerge.merge(model, MergeRule.PAPER, TOKENS, cfg);
            try (LlamaModel merged = r.model()) {
                assertEquals(List.of(new SlidingMerge.Window(1, 5)), r.merges());
                assertEquals(List.of("4..5", "3..5", "2..5", "1..5"), windows(r));
                assertTrue(r.decisions().stream().allMatch(SlidingMerge.Decision::accepted));
                assertEquals(LAYERS - 4, merged.config().layers());
                assertEquals(4, r.layersRemoved());
                // the protected layers are untouched: layer 0 and the last layer (now index 2)
                assertArrayEquals(model.layer(0).k().toDoubleArray(), merged.layer(0).k().toDoubleArray(), 0.0);
                assertArrayEquals(lastBefore, merged.layer(2).q().toDoubleArray(), 0.0);
                // the last decision evaluated exactly the model returned: check its similarity directly
                double direct = meanCosine(model, merged);
                assertEquals(direct, r.decisions().get(3).similarity(), 1e-10);
                assertEquals(LAYERS, model.config().layers(), "the original is left intact");
            }
        }
    }

    @Test
    void logIsConsistentWithTheMergesAndTheLayerCount() {
        try (LlamaModel model = model()) {
            SlidingMerge.Config all = SlidingMerge.Config.forModel(LAYERS).withThreshold(-1.0);
            SlidingMerge.Result probe = SlidingMerge.merge(model, MergeRule.AVERAGE, TOKENS, all);
            probe.model().close();
            double[] sims = probe.decisions().stream().mapToDouble(SlidingMerge.Decision::similarity).sorted().toArray();
            double t = (sims[1] + sims[2]) / 2;                                   // some windows pass, some fail
            SlidingMerge.Result r = SlidingMerge.merge(model, MergeRule.AVERAGE, TOKENS, all.withThreshold(t));
            try (LlamaModel merged = r.model()) {
                assertEquals(LAYERS - r.layersRemoved(), merged.config().layers());
                assertTrue(!r.merges().isEmpty() && r.decisions().stream().anyMatch(d -> !d.accepted()),
                        "the threshold should give both merges and rejections: " + r.decisions());
                Set<Integer> covered = new HashSet<>();
                for (SlidingMerge.Window w : r.merges()) {
                    assertTrue(w.size() >= 2);
                    assertTrue(accepted(r, w.low(), w.high()), "merged window " + w + " passed the test");
                    assertTrue(w.low() == all.protectLow() || rejected(r, w.low() - 1, w.high()),
                            "merged window " + w + " could not grow further");
                    for (int l = w.low(); l <= w.high(); l++) assertTrue(covered.add(l), "windows overlap at " + l);
                }
                for (SlidingMerge.Decision d : r.decisions()) {
                    assertEquals(d.similarity() > t, d.accepted());
                    assertTrue(d.window().low() >= 1 && d.window().high() <= LAYERS - 2);
                }
            }
        }
    }

    @Test
    void badInputGivesClearErrors() {
        SlidingMerge.Config ok = SlidingMerge.Config.forModel(LAYERS);
        assertMessage(() -> ok.withThreshold(1.5), "1.5", "-1 <= T <= 1");
        assertMessage(() -> ok.withThreshold(Double.NaN), "NaN", "-1 <= T <= 1");
        assertMessage(() -> ok.withProtect(4, 4), "[4, 4]", "0 <= low < high");
        assertMessage(() -> ok.withProtect(-1, 3), "[-1, 3]", "0 <= low < high");
        assertMessage(() -> SlidingMerge.Config.forModel(3), "3", "at least 4");
        try (LlamaModel model = model()) {
            assertMessage(() -> SlidingMerge.merge(model, MergeRule.PAPER, TOKENS, ok.withProtect(2, 7)),
                    "[2, 7]", "[0, 6]");
        }
    }

    private static void assertMessage(Runnable r, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        for (String p : parts) assertTrue(e.getMessage().contains(p), e.getMessage() + " lacks " + p);
    }

    private static List<String> windows(SlidingMerge.Result r) {
        return r.decisions().stream().map(d -> d.window().toString()).toList();
    }

    private static boolean accepted(SlidingMerge.Result r, int low, int high) {
        return r.decisions().stream().anyMatch(d -> d.accepted() && d.window().equals(new SlidingMerge.Window(low, high)));
    }

    private static boolean rejected(SlidingMerge.Result r, int low, int high) {
        return r.decisions().stream().anyMatch(d -> !d.accepted() && d.window().equals(new SlidingMerge.Window(low, high)));
    }

    /** Mean over windows of the cosine between the two models' flattened final hidden states, from full forward passes. */
    private static double meanCosine(LlamaModel a, LlamaModel b) {
        try (NDManager step = a.manager().newSubManager()) {
            double[] x = a.forward(step, TOKENS, Trace.NONE).finalHidden().toDoubleArray();
            double[] y = b.forward(step, TOKENS, Trace.NONE).finalHidden().toDoubleArray();
            int per = x.length / TOKENS.length;
            double sum = 0;
            for (int n = 0; n < TOKENS.length; n++) {
                double dot = 0, nx = 0, ny = 0;
                for (int i = n * per; i < (n + 1) * per; i++) {
                    dot += x[i] * y[i];
                    nx += x[i] * x[i];
                    ny += y[i] * y[i];
                }
                sum += dot / Math.sqrt(nx * ny);
            }
            return sum / TOKENS.length;
        }
    }
}
