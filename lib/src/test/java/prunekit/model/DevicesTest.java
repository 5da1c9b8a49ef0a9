package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

/**
 * What a notebook's setup cell prints as its device (the DJL device, the GPU's name or the processor
 * count), and PRUNEKIT_THREADS: a bad value names itself; properties set by hand win.
 */
class DevicesTest {

    @Test
    void gpuCarriesTheCardsName() {
        assertEquals("gpu(1) NVIDIA H100 80GB HBM3",
                Devices.describe(Device.gpu(1), 16, id -> id == 1 ? " NVIDIA H100 80GB HBM3\n" : "wrong card"));
    }

    @Test
    void gpuWithoutANameIsTheBareDevice() {
        assertEquals("gpu(0)", Devices.describe(Device.gpu(0), 16, id -> null));
        assertEquals("gpu(0)", Devices.describe(Device.gpu(0), 16, id -> "  "));
    }

    @Test
    void cpuCarriesTheProcessorCount() {
        assertEquals("cpu() 2 processors", Devices.describe(Device.cpu(), 2, id -> "never asked"));
        assertEquals("cpu() 1 processor", Devices.describe(Device.cpu(), 1, id -> "never asked"));
    }

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
