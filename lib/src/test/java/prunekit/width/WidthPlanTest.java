package prunekit.width;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import prunekit.model.LlamaConfig;

/**
 * Plans for a ratio of the parameters, on the SmolLM2-135M shape (30 layers, hidden 576, 9 query / 3
 * key/value heads of 64, MLP 1536, vocabulary 49152, tied head), against counts worked by hand:
 * 134,515,008 parameters; a key/value group holds 2·(3·64·576) + 2·(64·576) = 294,912 per layer, an
 * MLP channel 3·576 = 1,728; all 30 layers' groups and channels together 106,168,320.
 */
class WidthPlanTest {

    private static final LlamaConfig SMOLLM2 =
            new LlamaConfig("smollm2-shape", 49152, 576, 1536, 30, 9, 3, 64, 100000.0, 1e-5, 8192, true);

    @Test
    void ratiosOfTheParametersOnTheSmolLm2Shape() {
        assertEquals(134_515_008L, SMOLLM2.parameterCount());
        // 10 %: 13,451,500.8 to go; 12.7 % of the groups and channels, 0.38 of 3 groups -> none;
        // 13,451,500.8 / (30 · 1728) = 259.5 channels -> 259
        assertEquals(new WidthPlan(0, 259), WidthPlan.forRatio(SMOLLM2, 0.10));
        // 20 %: 26,903,001.6; 0.76 of 3 groups -> 1 (8,847,360); the rest / 51,840 = 348.3 -> 348
        assertEquals(new WidthPlan(1, 348), WidthPlan.forRatio(SMOLLM2, 0.20));
        assertEquals(30L * (294_912 + 348 * 1_728), new WidthPlan(1, 348).removedParameters(SMOLLM2));
        // the groups fixed by hand: 20 % with none of them goes all on the channels, 518.98 -> 519
        assertEquals(new WidthPlan(0, 519), WidthPlan.forRatio(SMOLLM2, 0.20, 0));
    }

    @Test
    void removedParametersStayWithinHalfAChannelOfTheTarget() {
        for (double r = 0.02; r < 0.6; r += 0.02) {
            WidthPlan p = WidthPlan.forRatio(SMOLLM2, r);
            double off = Math.abs(p.removedParameters(SMOLLM2) - r * SMOLLM2.parameterCount());
            assertTrue(off <= 30 * 1728 / 2.0, "ratio " + r + ": " + p + " misses by " + off);
        }
    }

    @Test
    void badRatiosAndCountsAreNamed() {
        for (double r : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WidthPlan.forRatio(SMOLLM2, r));
            assertTrue(e.getMessage().contains("width ratio " + r + " is outside (0, 1)"), e.getMessage());
        }
        IllegalArgumentException all = assertThrows(IllegalArgumentException.class,
                () -> WidthPlan.forRatio(SMOLLM2, 0.5, 3));
        assertTrue(all.getMessage().contains("removing 3 key/value groups per layer leaves no group"), all.getMessage());
        IllegalArgumentException over = assertThrows(IllegalArgumentException.class,
                () -> WidthPlan.forRatio(SMOLLM2, 0.05, 1));
        assertTrue(over.getMessage().contains("alone removes 6.6 %"), over.getMessage());
        IllegalArgumentException tooMuch = assertThrows(IllegalArgumentException.class,
                () -> WidthPlan.forRatio(SMOLLM2, 0.9));
        assertTrue(tooMuch.getMessage().contains("would take all 1536 MLP channels"), tooMuch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new WidthPlan(-1, 0));
    }
}
