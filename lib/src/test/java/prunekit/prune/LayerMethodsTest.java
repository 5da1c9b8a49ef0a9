package prunekit.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import prunekit.importance.GradientMagnitude;

/** GradMAP's variants by name: six metrics, each iterative and -oneshot; the default is {@code gradmap}. */
class LayerMethodsTest {

    @Test
    void everyVariantComesIterativeAndOneShotWithTheNamedStatisticAndNormalisation() {
        assertEquals(6, GradientMagnitude.VARIANTS.size());
        assertSame(GradientMagnitude.DEFAULT, GradientMagnitude.VARIANTS.get("gradmap"));
        assertEquals(10, LayerMethods.VARIANTS.size());                  // five non-default variants x two forms
        var taylorModule = LayerMethods.byName("gradmap-taylor-module", 0);
        assertEquals(LayerPruner.Mode.ITERATIVE, taylorModule.mode());
        assertEquals("gradmap[taylor,module_mean]", taylorModule.metric().name());
        var squaredOneShot = LayerMethods.byName("gradmap-squared-oneshot", 0);
        assertEquals(LayerPruner.Mode.ONE_SHOT, squaredOneShot.mode());
        assertEquals("gradmap[gradient_squared,parameter_mean]", squaredOneShot.metric().name());
        assertEquals(LayerPruner.Mode.ITERATIVE, LayerMethods.byName("gradmap", 0).mode());
        assertEquals(LayerPruner.Mode.ONE_SHOT, LayerMethods.byName("gradmap-oneshot", 0).mode());
        assertEquals(LayerPruner.Mode.ONE_SHOT, LayerMethods.byName("block-influence", 0).mode());
        for (String n : List.of("gradmap-taylor", "gradmap-module", "gradmap-squared-module-oneshot")) {
            assertTrue(LayerMethods.ALL.contains(n), n);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> LayerMethods.byName("gradmap-cubed", 0));
        assertTrue(e.getMessage().contains("gradmap-cubed") && e.getMessage().contains("gradmap-taylor-module"),
                e.getMessage());
    }
}
