package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

/** What a notebook's setup cell prints as its device: the DJL device, the GPU's name or the processor count. */
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
}
