package prunekit.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Chooses the compute device: a GPU when DJL finds one, else the CPU. The environment variable
 * {@code PRUNEKIT_DEVICE} (or system property {@code prunekit.device}) overrides it with
 * {@code cpu} or {@code gpu}.
 *
 * <p>{@code PRUNEKIT_THREADS=N} (or {@code -Dprunekit.threads=N}) sets PyTorch's intra- and inter-op
 * threads ({@code ai.djl.pytorch.num_threads}, {@code num_interop_threads}) when the first model loads, unless
 * those properties are set already: on a CPU shared with other work, one thread is often several times
 * faster than two that contend (docs/performance.md). It takes effect only before DJL's engine starts.
 */
public final class Devices {

    private Devices() {}

    /** The device every model and computation in this JVM uses by default. */
    public static Device choose() {
        applyThreads();
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

    /** {@code PRUNEKIT_THREADS} as DJL's thread properties, before the engine starts; a clear error for a bad value. */
    static void applyThreads() {
        String t = System.getProperty("prunekit.threads", System.getenv("PRUNEKIT_THREADS"));
        if (t == null || t.isBlank()) return;
        int n;
        try {
            n = Integer.parseInt(t.trim());
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1) throw new IllegalArgumentException("PRUNEKIT_THREADS=" + t + ": accepted values are whole numbers >= 1");
        for (String p : new String[] {"ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads"}) {
            if (System.getProperty(p) == null) System.setProperty(p, Integer.toString(n));
        }
    }
}
