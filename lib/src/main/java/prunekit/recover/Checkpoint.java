package prunekit.recover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.model.HostTensor;
import prunekit.model.OwnedArrays;
import prunekit.model.io.Safetensors;

/**
 * A recovery run's state after some step, in one safetensors file ({@code checkpoint.safetensors}):
 * the adapters' parameters (e.g. {@code layers.{l}.{module}.lora_A/B}), AdamW's moments ({@code adamw.m.<name>},
 * {@code adamw.v.<name>}) and, in the metadata, the step, the loss of every step so far and the
 * run's settings, which a resumed run must match. Written to a temporary file and renamed, so a run
 * killed while writing leaves the previous checkpoint whole.
 *
 * @param step steps done
 * @param losses the training loss of each step done
 * @param settings the run's settings ({@link Recovery.Config#describe} and the adapter config)
 * @param tensors adapters and moments, on the host
 */
public record Checkpoint(int step, List<Double> losses, String settings, Map<String, HostTensor> tensors) {

    /** The file name inside a run's folder. */
    public static final String FILE = "checkpoint.safetensors";

    /** A checkpoint of the adapters and optimizer state now. */
    static Checkpoint of(int step, List<Double> losses, String settings, TrainableAdapter adapters, AdamW.State state) {
        Map<String, HostTensor> t = new LinkedHashMap<>(adapters.toHost());
        state.firstMoments().forEach((name, m) -> t.put("adamw.m." + name, host(m)));
        state.secondMoments().forEach((name, v) -> t.put("adamw.v." + name, host(v)));
        return new Checkpoint(step, List.copyOf(losses), settings, t);
    }

    /** Writes {@code dir/checkpoint.safetensors} atomically. */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder l = new StringBuilder();
        for (double x : losses) l.append(l.length() == 0 ? "" : ",").append(x);
        Path tmp = dir.resolve(FILE + ".tmp");
        Safetensors.write(tmp, tensors, Map.of("step", Integer.toString(step), "losses", l.toString(), "settings", settings));
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads {@code dir/checkpoint.safetensors}; an error names the file and what is wrong. */
    public static Checkpoint load(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no checkpoint to resume from (run without --resume to start)");
        }
        Map<String, String> meta = Safetensors.metadata(file);
        for (String key : List.of("step", "losses", "settings")) {
            if (!meta.containsKey(key)) throw new IllegalArgumentException(file + ": not a recovery checkpoint (no '" + key + "')");
        }
        List<Double> losses = new ArrayList<>();
        for (String x : meta.get("losses").split(",")) if (!x.isEmpty()) losses.add(Double.parseDouble(x));
        return new Checkpoint(Integer.parseInt(meta.get("step")), losses, meta.get("settings"), Safetensors.read(file));
    }

    /** Puts the saved moments back into {@code state} (on the adapters' device). */
    void restore(AdamW.State state, TrainableAdapter adapters) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        Map<String, NDArray> v = new LinkedHashMap<>();
        NDManager manager = adapters.parameters().values().iterator().next().getManager();
        for (String name : adapters.parameters().keySet()) {
            HostTensor hm = tensors.get("adamw.m." + name);
            HostTensor hv = tensors.get("adamw.v." + name);
            if (hm == null || hv == null) continue;                       // no step taken yet
            m.put(name, OwnedArrays.of(manager, hm.data(), new Shape(hm.shape())));
            v.put(name, OwnedArrays.of(manager, hv.data(), new Shape(hv.shape())));
        }
        state.restore(step, m, v);
    }

    private static HostTensor host(NDArray a) {
        return new HostTensor(a.toFloatArray(), a.getShape().getShape());
    }
}
