package prunekit.sparsity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.model.TensorNames;
import prunekit.stats.InputNorms;
import prunekit.stats.WeightGradients;

/**
 * What the pruning loop measures about the inputs of one decoder layer's linear modules, on the
 * calibration activations that reach the layer: Wanda's input norms and, for a method that asks,
 * SparseGPT's Hessians. Keyed {@code layers.{i}.{module}}.
 */
final class LayerInputs {

    private final InputNorms norms = new InputNorms();
    private final Map<String, InputHessian> hessians = new LinkedHashMap<>();   // one per input, shared by its readers
    private final boolean withHessians;

    LayerInputs(boolean withHessians) {
        this.withHessians = withHessians;
    }

    /**
     * Adds one batch: each module's input {@code (B, T, in)}. Modules that read the same input are
     * given the same array, so its XᵀX is computed once.
     */
    void add(Map<String, NDArray> inputs) {
        Map<NDArray, InputHessian> thisBatch = new IdentityHashMap<>();
        for (Map.Entry<String, NDArray> e : inputs.entrySet()) {
            NDArray x = e.getValue();
            norms.add(e.getKey(), x);
            if (!withHessians) continue;
            InputHessian h = thisBatch.get(x);
            if (h == null) {                                        // the input's first reader in this batch
                h = hessians.computeIfAbsent(e.getKey(), k -> new InputHessian(columns(x)));
                h.add(gram(x));
                thisBatch.put(x, h);
            }
            hessians.put(e.getKey(), h);
        }
    }

    /** Σ XᵀX becomes H = (2/N) Σ XᵀX, once per shared input. */
    void finish(int windows) {
        hessians.values().stream().distinct().forEach(h -> h.average(windows));
    }

    /** What {@code method} may read about {@code module} of layer {@code layer}, whose weight is {@code w} (out, in). */
    ModuleStats stats(WeightPruningMethod method, int layer, String module, NDArray w, WeightGradients gradients) {
        String key = TensorNames.key(layer, module);
        return new ModuleStats(layer, module, hostFloats(w), (int) w.getShape().get(0), (int) w.getShape().get(1),
                method.needsInputs() ? norms.scalerRow(key) : null, gradients,
                method.needsHessian() ? hessians.get(key) : null);
    }

    private static float[] hostFloats(NDArray a) {
        if (a.getDataType() == DataType.FLOAT32) return a.toFloatArray();
        try (NDArray f = a.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }

    private static int columns(NDArray x) {
        return (int) x.getShape().get(x.getShape().dimension() - 1);
    }

    /** XᵀX of a module input (B, T, in), float64, row-major (in × in). */
    private static double[] gram(NDArray x) {
        try (NDManager tmp = x.getManager().newSubManager()) {
            NDArray x64 = x.toType(DataType.FLOAT64, true);
            x64.attach(tmp);
            NDArray flat = x64.reshape(-1, columns(x));
            return flat.transpose().matMul(flat).toDoubleArray();
        }
    }
}
