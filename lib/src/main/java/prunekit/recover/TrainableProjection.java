package prunekit.recover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.model.LlamaModel;
import prunekit.model.OwnedArrays;

/**
 * GradMAP's compensation map as a trainable addition: a C×C map {@code P = I + D} on the MLP branch
 * output of one layer j, {@code out' = r + M P} (the row-vector convention of
 * {@link prunekit.prune.ProjectionCompensation}), with D the only parameter. At layer j's down
 * projection (input x: (B, T, I), frozen W_down: (C, I)) the addition is
 * <pre>  delta(x) = (x W_downᵀ) D = M D      (B, T, C)</pre>
 * so the module gives {@code M + M D = M (I + D)}. {@link #mergeInto} folds P exactly as the closed
 * form does, {@link LlamaModel#insertMlpOutputMap}: {@code W_down ← Pᵀ W_down}, since
 * {@code x (Pᵀ W_down)ᵀ = x W_downᵀ P}.
 *
 * <p>D = 0 starts from the pruned model exactly; D = P_closed − I starts from the closed-form map.
 * AdamW's decoupled weight decay shrinks D, i.e. pulls P towards I, as the closed form's ridge does.
 */
public final class TrainableProjection implements TrainableAdapter {

    /** The module whose output the map acts on. */
    public static final String MODULE = "down_proj";

    private final LlamaModel model;
    private final int layer;
    private final String init;
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();

    private TrainableProjection(LlamaModel model, int layer, String init, NDArray d, NDManager manager) {
        this.model = model;
        this.layer = layer;
        this.init = init;
        this.manager = manager;
        d.setRequiresGradient(true);
        params.put("layers." + layer + "." + MODULE + ".map_delta", d);
    }

    /** P = I (D = 0) at layer {@code layer} of {@code model}: the adapted model is the model itself. */
    public static TrainableProjection identity(LlamaModel model, int layer) {
        int c = checkLayer(model, layer);
        NDManager m = model.manager().newSubManager();
        DataType type = model.layer(layer).down().getDataType();
        return new TrainableProjection(model, layer, "identity", m.zeros(new Shape(c, c), type), m);
    }

    /**
     * Starts at a given map (D = P − I), e.g. {@link prunekit.prune.ProjectionCompensation.Result#map}.
     *
     * @param p C×C, row-major, row-vector convention (out' = r + M P)
     * @param init how P was found, for the run's settings (e.g. "closed_form")
     */
    public static TrainableProjection of(LlamaModel model, int layer, double[] p, String init) {
        int c = checkLayer(model, layer);
        if (p.length != c * c) throw new IllegalArgumentException("map for layer " + layer + " must have " + c + "x" + c
                + " values, got " + p.length);
        double[] d = p.clone();
        for (int i = 0; i < c; i++) d[i * c + i] -= 1;
        NDManager m = model.manager().newSubManager();
        DataType type = model.layer(layer).down().getDataType();
        NDArray delta = OwnedArrays.of(m, d, new Shape(c, c));                 // float64
        if (type != DataType.FLOAT64) {
            NDArray cast = delta.toType(type, false);
            delta.close();
            delta = cast;
        }
        return new TrainableProjection(model, layer, init, delta, m);
    }

    private static int checkLayer(LlamaModel model, int layer) {
        if (layer < 0 || layer >= model.config().layers()) {
            throw new IllegalArgumentException("layer " + layer + " outside [0, " + model.config().layers() + ")");
        }
        return model.config().hidden();
    }

    /** The layer whose down projection carries the map. */
    public int layer() {
        return layer;
    }

    /** P = I + D now, C×C row-major in float64. */
    public double[] map() {
        double[] p = delta().toType(DataType.FLOAT64, false).toDoubleArray();
        int c = model.config().hidden();
        for (int i = 0; i < c; i++) p[i * c + i] += 1;
        return p;
    }

    private NDArray delta() {
        return params.values().iterator().next();
    }

    /** M D at layer j's down projection (M = x W_downᵀ, W_down frozen), null elsewhere: (B, T, C). */
    @Override
    public NDArray delta(int l, String module, NDArray x) {
        if (l != layer || !module.equals(MODULE)) return null;
        NDArray branch = Linear.linear(x, model.layer(layer).down()).get(0);   // M: (B, T, C)
        NDArray out = branch.matMul(delta());                                  // M D: (B, T, C)
        branch.close();
        return out;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return params;
    }

    /** No training-only behaviour. */
    @Override
    public void setTraining(boolean on) {}

    /** The layer and the starting map, as a run's settings name them. */
    @Override
    public String describe() {
        return "projection_layer=" + layer + ";init=" + init;
    }

    /** W_down ← (I + D)ᵀ W_down at layer j ({@link LlamaModel#insertMlpOutputMap}). */
    @Override
    public void mergeInto(LlamaModel target) {
        int c = target.config().hidden();
        try (NDManager tmp = manager.newSubManager()) {
            target.insertMlpOutputMap(layer, OwnedArrays.of(tmp, map(), new Shape(c, c)));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
