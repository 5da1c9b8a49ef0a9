package prunekit.stats;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.model.Gradients;
import prunekit.model.HostTensor;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.model.LmLoss;
import prunekit.model.TensorNames;
import prunekit.viz.Progress;

/**
 * GBLM-Pruner's gradient statistic of every linear weight (Das, Ma, Shen, "Beyond Size: How
 * Gradients Shape Pruning Decisions in Large Language Models", arXiv 2311.18237, §3.1, Eq. 4):
 * per-sample gradients of the dense model, accumulated entry-wise over the N calibration samples
 * <pre>
 *   G_l2[i,j] = sqrt( Σ_s (α · g_s[i,j])² )       G_l1[i,j] = Σ_s |α · g_s[i,j]|
 * </pre>
 * where {@code g_s = ∂L_s/∂W} is the gradient of sample s's mean next-token loss (labels = inputs)
 * from its own backward pass, and α is the official code's gradient scale (100), applied before
 * squaring so that small float16 gradients do not underflow; here it is kept for fidelity (float32
 * would not underflow) and recorded in the cache key. Since both norms are homogeneous,
 * {@code G(α) = α · G(1)}: a metric can rescale to any α without recomputing.
 *
 * <p>One forward + backward per sample on the <em>dense</em> model; gradients are zeroed after each.
 * Statistics are keyed {@code layers.{i}.{module}} for the seven {@link LayerWeights#LINEARS}, and
 * can be cached to disk ({@link #cached}: one file per layer, see {@link StatsCache}).
 */
public final class WeightGradients {

    /** Which accumulation: {@code sqrt Σ (αg)²} (the official default) or {@code Σ |αg|}. */
    public enum Norm { L1, L2 }

    /** The official code's gradient scale α. */
    public static final double DEFAULT_SCALE = 100;

    private final Map<String, HostTensor> memory;     // when not cached: every statistic
    private final StatsCache cache;                   // when cached: read a layer at a time
    private final int layers;
    private final int samples;
    private final double scale;
    private final double seconds;
    private int loadedLayer = -1;
    private Map<String, HostTensor> loaded = Map.of();

    private WeightGradients(Map<String, HostTensor> memory, StatsCache cache, int layers, int samples, double scale,
            double seconds) {
        this.memory = memory;
        this.cache = cache;
        this.layers = layers;
        this.samples = samples;
        this.scale = scale;
        this.seconds = seconds;
    }

    /** Computes the statistics and keeps them in memory. */
    public static WeightGradients compute(LlamaModel model, int[][] calibration, double scale) {
        long t0 = System.nanoTime();
        Map<String, HostTensor> stats = new HashMap<>();
        accumulate(model, calibration, scale, (l, tensors) -> stats.putAll(tensors));
        return new WeightGradients(stats, null, model.config().layers(), calibration.length, scale,
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The statistics from {@code data/cache/stats/}, computing and writing them first if absent. The
     * key is the model's name and layer count, the calibration windows' count, length and content
     * hash, and α.
     */
    public static WeightGradients cached(LlamaModel model, int[][] calibration, double scale) {
        return cached(model, calibration, scale, StatsCache.of("gradients", cacheKey(model, calibration, scale)));
    }

    /** As {@link #cached(LlamaModel, int[][], double)} with a given cache (tests use a temporary folder). */
    public static WeightGradients cached(LlamaModel model, int[][] calibration, double scale, StatsCache cache) {
        int layers = model.config().layers();
        double seconds = 0;
        if (!cache.complete(layers)) {
            long t0 = System.nanoTime();
            accumulate(model, calibration, scale, cache::write);
            seconds = (System.nanoTime() - t0) / 1e9;
        }
        return new WeightGradients(null, cache, layers, calibration.length, scale, seconds);
    }

    /**
     * Statistics already in a cache folder (every layer {@code 0..layers-1}), accumulated at scale
     * {@code scale}; nothing is computed. Files are read, and their key checked, on first use.
     */
    public static WeightGradients open(StatsCache cache, int layers, double scale) {
        if (!cache.complete(layers)) {
            throw new IllegalArgumentException(cache.dir() + ": no complete gradient statistics for " + layers + " layers");
        }
        return new WeightGradients(null, cache, layers, -1, scale, 0);
    }

    /** The cache key text of a model, calibration set and α. */
    public static String cacheKey(LlamaModel model, int[][] calibration, double scale) {
        return "model=" + model.config().name() + ";layers=" + model.config().layers() + ";samples=" + calibration.length
                + ";seqlen=" + calibration[0].length + ";tokens=" + StatsCache.tokensDigest(calibration) + ";scale=" + scale;
    }

    private interface LayerSink {
        void accept(int layer, Map<String, HostTensor> tensors);
    }

    /** Step 1: per-sample backward passes into l1/l2 accumulators; step 2: hand each layer out. */
    private static void accumulate(LlamaModel model, int[][] calibration, double scale, LayerSink sink) {
        if (calibration.length == 0) throw new IllegalArgumentException("no calibration windows");
        if (!(scale > 0)) throw new IllegalArgumentException("gradient scale α must be > 0, got " + scale);
        boolean wasTrainable = model.isTrainable();
        int layers = model.config().layers();
        try (NDManager acc = model.manager().newSubManager()) {
            Map<String, NDArray> l1 = new LinkedHashMap<>();
            Map<String, NDArray> l2 = new LinkedHashMap<>();
            for (int l = 0; l < layers; l++) {
                for (Map.Entry<String, NDArray> e : model.layer(l).linears().entrySet()) {
                    String key = TensorNames.key(l, e.getKey());
                    l1.put(key, acc.zeros(e.getValue().getShape(), e.getValue().getDataType()));
                    l2.put(key, acc.zeros(e.getValue().getShape(), e.getValue().getDataType()));
                }
            }
            model.setTrainable(true);
            model.zeroGradients();
            try (Progress bar = Progress.start("per-sample gradients", calibration.length)) {
                for (int s = 0; s < calibration.length; s++) {
                    int[][] one = {calibration[s]};
                    // 1a. forward + backward of this sample's mean loss
                    try (NDManager step = model.manager().newSubManager();
                            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = LmLoss.meanNll(model, step, one);
                        double value = loss.toArray()[0].doubleValue();          // float32, float16 or float64
                        if (!Double.isFinite(value)) {
                            throw new IllegalStateException("calibration window " + s + " of " + calibration.length
                                    + ": non-finite loss " + value + " on " + model.config().name()
                                    + " (check the tokens and the model's weights)");
                        }
                        gc.backward(loss);
                    }
                    // 1b. l1 += |α g|, l2 += (α g)², then clear the gradients for the next sample
                    for (int l = 0; l < layers; l++) {
                        for (Map.Entry<String, NDArray> e : model.layer(l).linears().entrySet()) {
                            String key = TensorNames.key(l, e.getKey());
                            try (NDManager tmp = acc.newSubManager()) {
                                NDArray g = e.getValue().getGradient();
                                g.attach(tmp);
                                if (!finite(g)) {
                                    throw new IllegalStateException(key + ": non-finite gradient from calibration window "
                                            + s + " of " + calibration.length + " (its loss was finite)");
                                }
                                NDArray scaled = g.mul(scale);
                                l1.get(key).addi(scaled.abs());
                                l2.get(key).addi(scaled.square());
                                Gradients.clear(e.getValue());                  // the next window starts afresh
                            }
                        }
                    }
                    bar.step();
                }
            }
            // 2. G_l2 = sqrt(Σ (αg)²); hand out layer by layer in float32
            for (int l = 0; l < layers; l++) {
                Map<String, HostTensor> tensors = new LinkedHashMap<>();
                for (String module : LayerWeights.LINEARS) {
                    String key = TensorNames.key(l, module);
                    tensors.put(key + ".l1", host(l1.get(key)));
                    try (NDArray root = l2.get(key).sqrt()) {
                        tensors.put(key + ".l2", host(root));
                    }
                    check(tensors.get(key + ".l2"), key);
                }
                sink.accept(l, tensors);
            }
        } finally {
            model.zeroGradients();
            model.setTrainable(wasTrainable);
        }
    }

    private static boolean finite(NDArray g) {
        try (NDArray bad = g.isNaN().logicalOr(g.isInfinite()); NDArray any = bad.any()) {
            return !any.getBoolean();
        }
    }

    private static HostTensor host(NDArray a) {
        try (NDArray f = a.toType(DataType.FLOAT32, true)) {
            return new HostTensor(f.toFloatArray(), a.getShape().getShape());
        }
    }

    private static void check(HostTensor t, String key) {
        for (float v : t.data()) {
            if (!Float.isFinite(v)) {
                throw new IllegalStateException(key + ": non-finite gradient statistic: check the calibration "
                        + "tokens and the model's loss");
            }
        }
    }

    /** The statistic of one linear weight, {@code (out, in)}, float32 row-major. */
    public synchronized HostTensor get(int layer, String module, Norm norm) {
        if (layer < 0 || layer >= layers) {
            throw new IllegalArgumentException("no gradient statistics for layer " + layer + ": layers 0.." + (layers - 1));
        }
        String name = TensorNames.key(layer, module) + (norm == Norm.L1 ? ".l1" : ".l2");
        Map<String, HostTensor> source = memory;
        if (source == null) {
            if (loadedLayer != layer) {
                loaded = cache.read(layer);
                loadedLayer = layer;
            }
            source = loaded;
        }
        HostTensor t = source.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no gradient statistic " + name + "; modules: "
                    + String.join(", ", LayerWeights.LINEARS) + (cache == null ? "" : " (cache " + cache.file(layer) + ")"));
        }
        return t;
    }

    /** The gradient scale α the statistics were accumulated with. */
    public double scale() {
        return scale;
    }

    /** Calibration samples accumulated (-1 when opened from a cache without computing). */
    public int samples() {
        return samples;
    }

    public int layers() {
        return layers;
    }

    /** Seconds spent computing (0 when everything came from the cache). */
    public double seconds() {
        return seconds;
    }

    /** The cache folder, or null when held in memory. */
    public StatsCache cache() {
        return cache;
    }
}
