package prunekit.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

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

    /**
     * The device {@link #choose()} picks, said so that a notebook's output records what computed it:
     * {@code gpu(0) NVIDIA H100 80GB HBM3} (the card's name as {@code nvidia-smi} reports it; the bare
     * {@code gpu(0)} where nvidia-smi is missing or silent), or {@code cpu() 16 processors}.
     */
    public static String describe() {
        return describe(choose(), Runtime.getRuntime().availableProcessors(), Devices::nvidiaSmiName);
    }

    /** {@link #describe()} with the processor count and the GPU-name lookup given (null or blank: unknown). */
    static String describe(Device device, int processors, IntFunction<String> gpuName) {
        if (!device.isGpu()) {
            return device + " " + processors + (processors == 1 ? " processor" : " processors");
        }
        String name = gpuName.apply(device.getDeviceId());
        return name == null || name.isBlank() ? device.toString() : device + " " + name.strip();
    }

    /** The name of GPU {@code id} from {@code nvidia-smi}, or null when it cannot say within 20 s. */
    private static String nvidiaSmiName(int id) {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name", "--format=csv,noheader", "-i", String.valueOf(id))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {                        // one short line: the pipe never fills
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.exitValue() == 0 ? out.lines().findFirst().orElse(null) : null;
        } catch (IOException e) {
            return null;                                                   // no nvidia-smi on this machine
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
