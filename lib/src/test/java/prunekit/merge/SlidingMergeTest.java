package prunekit.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
    void toDepthRemovesExactlyKWhereSomeThresholdDoesAndElseStopsAtK() {
        // seed 1: the count is not monotone in T (4 layers at T in [0.068, 0.118) and [0.295, 0.323), 5 between);
        // seed 2: no T removes exactly 5 (the count jumps from 6 to 4)
        for (long seed : new long[] {1, 2}) {
            try (LlamaModel model = DeepTinyModels.model(9, seed, DataType.FLOAT64)) {
                SlidingMerge.Config cfg = SlidingMerge.Config.forModel(9);                  // range [1, 7]
                Map<Double, Integer> sweep = sweep(model, cfg);
                for (int k = 1; k <= 6; k++) {
                    SlidingMerge.Result r = SlidingMerge.toDepth(model, MergeRule.PAPER, TOKENS, cfg, k);
                    String what = "seed " + seed + ", K = " + k + ", probes " + r.probesText() + ", sweep " + sweep;
                    SlidingMerge.Result again = SlidingMerge.merge(model, MergeRule.PAPER, TOKENS,
                            cfg.withThreshold(r.config().threshold()));
                    try (LlamaModel merged = r.model(); LlamaModel alone = again.model()) {
                        assertEquals(9 - k, merged.config().layers(), what);
                        assertEquals(k, r.layersRemoved(), what);
                        assertEquals(!sweep.containsValue(k), r.stopped(), what);
                        if (!r.stopped()) {
                            // the printed T gives the same model on its own
                            assertEquals(r.merges(), again.merges(), what);
                            assertEquals(r.decisions(), again.decisions(), what);
                        } else {
                            // T alone removes more; the result is its search cut where the K-th layer went
                            assertTrue(again.layersRemoved() > k, what);
                            assertEquals(r.decisions(), again.decisions().subList(0, r.decisions().size()), what);
                            int last = r.merges().size() - 1;
                            assertEquals(r.merges().subList(0, last), again.merges().subList(0, last), what);
                            assertEquals(again.merges().get(last).high(), r.merges().get(last).high(), what);
                            assertTrue(again.merges().get(last).low() < r.merges().get(last).low(), what);
                        }
                    }
                }
            }
        }
    }

    @Test
    void toDepthNamesAnImpossibleTarget() {
        try (LlamaModel model = model()) {
            SlidingMerge.Config cfg = SlidingMerge.Config.forModel(LAYERS);                 // range [1, 5]
            assertMessage(() -> SlidingMerge.toDepth(model, MergeRule.PAPER, TOKENS, cfg, 5), "5 layers", "[1, 5]",
                    "1 <= K <= 4");
            assertMessage(() -> SlidingMerge.toDepth(model, MergeRule.PAPER, TOKENS, cfg, 0), "0 layers");
        }
    }

    /**
     * Layers removed by the plain search at every threshold where it can change, found exhaustively: T
     * = −1, 1, and every similarity any of these searches computed, until no new one appears.
     */
    private static Map<Double, Integer> sweep(LlamaModel model, SlidingMerge.Config cfg) {
        Map<Double, Integer> removed = new TreeMap<>();
        TreeSet<Double> todo = new TreeSet<>(List.of(-1.0, 1.0));
        while (!todo.isEmpty()) {
            double t = todo.pollFirst();
            SlidingMerge.Result r = SlidingMerge.merge(model, MergeRule.PAPER, TOKENS, cfg.withThreshold(t));
            r.model().close();
            removed.put(t, r.layersRemoved());
            r.decisions().stream().map(SlidingMerge.Decision::similarity).filter(x -> !removed.containsKey(x))
                    .forEach(todo::add);
        }
        return removed;
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
