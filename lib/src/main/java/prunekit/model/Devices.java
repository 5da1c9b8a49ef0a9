package prunekit.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Chooses the compute device: a GPU when DJL finds one, else the CPU. The environment variable
 * {@code PRUNEKIT_DEVICE} (or system property {@code prunekit.device}) overrides it with
 * {@code cpu} or {@code gpu}.
 */
public final class Devices {

    private Devices() {}

    /** The device every model and computation in this JVM uses by default. */
    public static Device choose() {
        String wish = System.getProperty("prunekit.device", System.getenv("PRUNEKIT_DEVICE"));
        if (wish == null || wish.isBlank()) {
            return Engine.getInstance().defaultDevice();
        }
        switch (wish.trim().toLowerCase()) {
            case "cpu":
                return Device.cpu();
            case "gpu":
            case "cuda":
                if (Engine.getInstance().getGpuCount() == 0) {
                    throw new IllegalStateException("PRUNEKIT_DEVICE=" + wish
                            + " but DJL finds no GPU (engine " + Engine.getInstance().getEngineName()
                            + " " + Engine.getInstance().getVersion() + "); use cpu or unset it");
                }
                return Device.gpu();
            default:
                throw new IllegalArgumentException("PRUNEKIT_DEVICE=" + wish + ": accepted values are cpu, gpu");
        }
    }
}
