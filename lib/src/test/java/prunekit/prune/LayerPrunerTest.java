package prunekit.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import prunekit.importance.GradientMagnitude;
import prunekit.importance.LastLayers;
import prunekit.importance.LayerImportance;
import prunekit.importance.WeightMagnitude;
import prunekit.model.DeepTinyModels;
import prunekit.model.LlamaModel;
import prunekit.model.Trace;

class LayerPrunerTest {

    private static final int[][] TOKENS = DeepTinyModels.WINDOWS;

    @Test
    void iterativeAndOneShotAgreeForOneLayer() {
        try (LlamaModel model = DeepTinyModels.model(5, 21, DataType.FLOAT64)) {
            LayerPruner.Result one = LayerPruner.prune(model, GradientMagnitude.DEFAULT, TOKENS, LayerPruner.Config.oneShot(1));
            LayerPruner.Result it = LayerPruner.prune(model, GradientMagnitude.DEFAULT, TOKENS, LayerPruner.Config.iterative(1));
            try (LlamaModel a = one.model(); LlamaModel b = it.model()) {
                assertEquals(one.removed(), it.removed());
                assertArrayEquals(one.scores().get(0), it.scores().get(0), 1e-12);
                int lowest = LayerPruner.ascending(one.scores().get(0))[0];
                assertEquals(List.of(lowest), one.removed());
                assertEquals(4, a.config().layers());
                assertEquals(5, model.config().layers(), "the original is left intact");
            }
        }
    }

    @Test
    void iterativeRunsArePrefixesOfDeeperRuns() {
        // LayerPruningGrid selects once at the deepest depth and takes prefixes: that must equal
        // separate shallower runs, and one pass time is recorded per decision.
        try (LlamaModel model = DeepTinyModels.model(6, 5, DataType.FLOAT64)) {
            LayerPruner.Result deep = LayerPruner.prune(model, GradientMagnitude.DEFAULT, TOKENS, LayerPruner.Config.iterative(3));
            LayerPruner.Result shallow = LayerPruner.prune(model, GradientMagnitude.DEFAULT, TOKENS, LayerPruner.Config.iterative(2));
            try (LlamaModel a = deep.model(); LlamaModel b = shallow.model()) {
                assertEquals(deep.removed().subList(0, 2), shallow.removed());
                assertEquals(3, deep.passSeconds().length);
                assertEquals(deep.selectionSeconds(), java.util.Arrays.stream(deep.passSeconds()).sum(), 1e-9);
                assertTrue(java.util.Arrays.stream(deep.passSeconds()).allMatch(t -> t > 0));
            }
        }
    }

    @Test
    void removedLayersAreOriginalIndicesInRemovalOrder() {
        try (LlamaModel model = DeepTinyModels.model(6, 3, DataType.FLOAT64)) {
            LayerPruner.Result r = LayerPruner.prune(model, new LastLayers(), TOKENS, LayerPruner.Config.iterative(3));
            try (LlamaModel pruned = r.model()) {
                assertEquals(List.of(5, 4, 3), r.removed());
                assertArrayEquals(new int[] {0, 1, 2}, r.survivors());
                assertEquals(3, r.scores().size());
                assertTrue(Double.isNaN(r.scores().get(1)[5]) && !Double.isNaN(r.scores().get(1)[4]));
                assertLogitsEqual(model, Set.of(3, 4, 5), pruned);
            }
            // a metric that does not depend on the other layers picks the same set either way
            LayerPruner.Result one = LayerPruner.prune(model, new WeightMagnitude(), TOKENS, LayerPruner.Config.oneShot(3));
            LayerPruner.Result it = LayerPruner.prune(model, new WeightMagnitude(), TOKENS, LayerPruner.Config.iterative(3));
            try (LlamaModel a = one.model(); LlamaModel b = it.model()) {
                assertEquals(one.removed(), it.removed());
                assertEquals(Set.copyOf(one.removed()).size(), 3);
                assertLogitsEqual(model, Set.copyOf(one.removed()), a);
                double[] s = one.scores().get(0);
                for (int i = 0; i < 6; i++) {
                    final int layer = i;
                    if (!one.removed().contains(layer)) {
                        assertTrue(one.removed().stream().allMatch(j -> s[j] <= s[layer]), "kept layer " + layer + " scores lower");
                    }
                }
            }
        }
    }

    @Test
    void rejectsBadMetricsAndCounts() {
        try (LlamaModel model = DeepTinyModels.model(3, 3, DataType.FLOAT32)) {
            LayerImportance wrong = (m, cal) -> new double[2];
            assertThrows(IllegalStateException.class, () -> LayerPruner.prune(model, wrong, TOKENS, LayerPruner.Config.oneShot(1)));
            assertThrows(IllegalArgumentException.class,
                    () -> LayerPruner.prune(model, new LastLayers(), TOKENS, LayerPruner.Config.oneShot(3)));
            assertEquals(3, model.config().layers());
        }
    }

    /** The pruned model computes what a copy with those layers removed by hand computes. */
    static void assertLogitsEqual(LlamaModel original, Set<Integer> removed, LlamaModel pruned) {
        try (LlamaModel ref = original.copy(); NDManager step = original.manager().newSubManager()) {
            ref.removeLayers(removed);
            double[] want = ref.forward(step, TOKENS, Trace.NONE).logits().toDoubleArray();
            double[] got = pruned.forward(step, TOKENS, Trace.NONE).logits().toDoubleArray();
            assertArrayEquals(want, got, 1e-12);
        }
    }
}
