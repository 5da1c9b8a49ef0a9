package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The edits the pruning methods make to a {@link LlamaModel}, in place: remove decoder layers,
 * replace a layer or one of its tensors, fold a linear map into a layer's MLP output; and the deep
 * copy to take first when the original is still needed. A model reaches them through its own
 * methods ({@link LlamaModel#removeLayers}, {@link LlamaModel#copy(String)}, ...).
 */
final class ModelEdits {

    private final LlamaModel model;
    private final List<LayerWeights> layers;     // the model's own list, edited in place

    ModelEdits(LlamaModel model, List<LayerWeights> layers) {
        this.model = model;
        this.layers = layers;
    }

    /** Removes (and frees) the given decoder layers, indices into the current model. */
    void removeLayers(Set<Integer> indices) {
        for (int i : indices) {
            checkIndex(i);
        }
        for (int i : new TreeSet<>(indices).descendingSet()) {
            LayerWeights gone = layers.remove(i);
            gone.all().values().forEach(NDArray::close);
        }
    }

    /** Replaces layer {@code i} with copies of {@code weights}, same shapes; frees the old ones. */
    void setLayer(int i, LayerWeights weights) {
        for (Map.Entry<String, NDArray> e : weights.all().entrySet()) {
            setTensor(i, e.getKey(), e.getValue());
        }
    }

    /** Replaces one tensor of layer {@code i} with a copy of {@code value} in the model's manager. */
    void setTensor(int i, String module, NDArray value) {
        checkIndex(i);
        Map<String, NDArray> all = layers.get(i).all();
        NDArray was = all.get(module);
        if (was == null) {
            throw new IllegalArgumentException("unknown layer module '" + module + "'; accepted: "
                    + String.join(", ", LayerWeights.ALL));
        }
        if (!was.getShape().equals(value.getShape())) {
            throw new IllegalArgumentException("layer " + i + " " + module + ": new shape "
                    + value.getShape() + " differs from " + was.getShape());
        }
        NDManager manager = model.manager();
        NDArray copy;
        try (NDManager tmp = manager.newSubManager()) {
            NDArray moved = value.toDevice(model.device(), false).toType(was.getDataType(), false);
            moved.tempAttach(tmp);
            copy = moved.duplicate();     // a fresh tensor, sharing no memory with value
            copy.attach(manager);
        }
        copy.setRequiresGradient(model.isTrainable());
        all.put(module, copy);
        layers.set(i, LayerWeights.of(all));
        was.close();
    }

    /**
     * Folds a linear map P (C×C, row-vector convention) on layer i's MLP output into its down
     * projection, {@code W_down ← Pᵀ W_down}: the layer then computes {@code h + MLP(h)·P}.
     */
    void insertMlpOutputMap(int i, NDArray p) {
        checkIndex(i);
        long c = model.config().hidden();
        if (!p.getShape().equals(new Shape(c, c))) {
            throw new IllegalArgumentException("map for layer " + i + " must be " + c + "x" + c
                    + ", got " + p.getShape());
        }
        NDArray down = layers.get(i).down();                                // (C, I)
        try (NDManager tmp = model.manager().newSubManager()) {
            NDArray pt = p.toType(down.getDataType(), false).transpose();   // (C, C)
            pt.attach(tmp);
            NDArray folded = pt.matMul(down);                               // (C, I)
            folded.attach(tmp);
            setTensor(i, "down_proj", folded);
        }
    }

    /**
     * Keeps, in layer l, the key/value heads {@code kvGroups[l]} with their query heads and the MLP
     * channels {@code channels[l]}; every other head and channel is cut out of the matrices (rows of
     * q, k, v, gate and up; columns of o and down), which then are smaller. The counts must be the
     * same in every layer: the config, and a saved config.json, hold one count for all layers.
     *
     * @return the narrowed config
     */
    LlamaConfig keepWidth(int[][] kvGroups, int[][] channels) {
        LlamaConfig c = model.config();
        int keptGroups = uniformCount(kvGroups, "key/value groups", c.kvHeads());
        int keptChannels = uniformCount(channels, "MLP channels", c.intermediate());
        int d = c.headDim();
        int g = c.groupSize();
        for (int l = 0; l < layers.size(); l++) {
            long[] kv = spans(kvGroups[l], d);                  // rows of k and v
            long[] q = spans(kvGroups[l], g * d);               // rows of q, columns of o: the group's query heads
            long[] mlp = spans(channels[l], 1);
            LayerWeights w = layers.get(l);
            Map<String, NDArray> all = w.all();
            all.put("q_proj", take(w.q(), q, 0));
            all.put("k_proj", take(w.k(), kv, 0));
            all.put("v_proj", take(w.v(), kv, 0));
            all.put("o_proj", take(w.o(), q, 1));
            all.put("gate_proj", take(w.gate(), mlp, 0));
            all.put("up_proj", take(w.up(), mlp, 0));
            all.put("down_proj", take(w.down(), mlp, 1));
            layers.set(l, LayerWeights.of(all));
            for (NDArray gone : new NDArray[] {w.q(), w.k(), w.v(), w.o(), w.gate(), w.up(), w.down()}) {
                gone.close();
            }
        }
        return c.withWidth(keptGroups * g, keptGroups, keptChannels);
    }

    /** The common length of every layer's index list, each index in [0, n) and none twice. */
    private int uniformCount(int[][] kept, String what, int n) {
        if (kept.length != layers.size()) {
            throw new IllegalArgumentException(kept.length + " lists of kept " + what + " for " + layers.size() + " layers");
        }
        for (int l = 0; l < kept.length; l++) {
            if (kept[l].length != kept[0].length) {
                throw new IllegalArgumentException("layer " + l + " keeps " + kept[l].length + " " + what + ", layer 0 keeps "
                        + kept[0].length + ": a config holds one count for all layers");
            }
            if (kept[l].length == 0) {
                throw new IllegalArgumentException("layer " + l + " would keep no " + what + " (of " + n + ")");
            }
            boolean[] seen = new boolean[n];
            for (int i : kept[l]) {
                if (i < 0 || i >= n || seen[i]) {
                    throw new IllegalArgumentException("layer " + l + ": kept " + what + " index " + i
                            + (i < 0 || i >= n ? " outside [0, " + n + ")" : " listed twice"));
                }
                seen[i] = true;
            }
        }
        return kept[0].length;
    }

    /** Indices {@code u·width .. u·width + width − 1} of every unit u, in the order given. */
    private static long[] spans(int[] units, int width) {
        long[] out = new long[units.length * width];
        for (int i = 0; i < units.length; i++) {
            for (int j = 0; j < width; j++) {
                out[i * width + j] = (long) units[i] * width + j;
            }
        }
        return out;
    }

    /** The rows (axis 0) or columns (axis 1) {@code index} of w, as a fresh tensor in the model's manager. */
    private NDArray take(NDArray w, long[] index, int axis) {
        NDArray out;
        try (NDManager tmp = model.manager().newSubManager()) {
            NDArray idx = tmp.create(index);
            NDArray picked = w.get(new NDIndex(axis == 0 ? "{}" : ":, {}", idx));
            picked.attach(tmp);
            out = picked.duplicate();                           // contiguous, sharing no memory with w
            out.attach(model.manager());
        }
        out.setRequiresGradient(model.isTrainable());
        return out;
    }

    /** A deep copy named {@code newName}, with a manager of its own on the same device. */
    LlamaModel copy(String newName) {
        NDManager m = NDManager.newBaseManager(model.device());
        List<LayerWeights> copies = new ArrayList<>();
        for (LayerWeights w : layers) {
            Map<String, NDArray> c = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : w.all().entrySet()) {
                c.put(e.getKey(), duplicate(e.getValue(), m));
            }
            copies.add(LayerWeights.of(c));
        }
        boolean tied = model.config().tiedEmbeddings();
        return new LlamaModel(model.config().withName(newName), model.tokenizer(), m,
                duplicate(model.embedding(), m), copies, duplicate(model.finalNorm(), m),
                tied ? null : duplicate(model.head(), m));
    }

    private static NDArray duplicate(NDArray a, NDManager m) {
        NDArray d = a.duplicate();
        d.attach(m);
        return d;
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= layers.size()) {
            throw new IllegalArgumentException("layer index " + i + " outside [0, " + layers.size() + ")");
        }
    }
}
