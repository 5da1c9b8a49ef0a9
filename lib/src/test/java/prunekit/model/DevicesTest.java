package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** PRUNEKIT_THREADS: a bad value names itself; properties set by hand win. */
class DevicesTest {

    @Test
    void threadsKnobRejectsBadValuesAndLeavesExplicitPropertiesAlone() {
        String[] props = {"ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads"};
        String[] saved = {System.getProperty(props[0]), System.getProperty(props[1])};
        try {
            for (String bad : new String[] {"0", "two", "-1"}) {
                System.setProperty("prunekit.threads", bad);
                var e = assertThrows(IllegalArgumentException.class, Devices::applyThreads);
                assertTrue(e.getMessage().contains("PRUNEKIT_THREADS=" + bad), e.getMessage());
            }
            System.setProperty(props[0], "7");
            System.setProperty(props[1], "5");
            System.setProperty("prunekit.threads", "1");
            Devices.applyThreads();
            assertEquals("7", System.getProperty(props[0]));                // set by hand: kept
            assertEquals("5", System.getProperty(props[1]));
        } finally {
            System.clearProperty("prunekit.threads");
            for (int i = 0; i < 2; i++) {
                if (saved[i] == null) System.clearProperty(props[i]);
                else System.setProperty(props[i], saved[i]);
            }
        }
    }
}
