package prunekit.sparsity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.model.DecoderLayers;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.model.OwnedArrays;
import prunekit.model.TensorNames;
import prunekit.model.io.StreamedLlama;
import prunekit.stats.InputNorms;
import prunekit.stats.WeightGradients;
import prunekit.viz.Progress;

/**
 * The one pruning loop of Wanda, SparseGPT and GBLM-Pruner (their {@code prune_*} functions):
 * <ol>
 *   <li>embed the calibration windows;</li>
 *   <li>for each decoder layer l: run it on the current activations, collecting the inputs of its
 *       seven linear modules (input norms; for SparseGPT also the Hessian {@code (2/N) Σ XᵀX});</li>
 *   <li>prune each linear weight of layer l: a {@link WeightImportance} metric scores it and the
 *       {@link SparsityPattern} masks it, or {@link SparseGpt} prunes and updates it;</li>
 *   <li>run layer l again, now pruned: its outputs are the next layer's inputs, so calibration
 *       activations flow through the already-pruned layers.</li>
 * </ol>
 * Gradient statistics, when a metric reads them, are those of the dense model (GBLM-Pruner computes
 * them once, before pruning). A metric that needs no inputs (magnitude) skips steps 1, 2 and 4.
 */
public final class WeightPruner {

    /**
     * @param pattern   unstructured fraction or N:M, per output row
     * @param batchSize calibration windows per forward call (4: bounded memory at 256 tokens)
     * @param inPlace   prune the given model (false: a copy, the input stays dense)
     */
    public record Config(SparsityPattern pattern, int batchSize, boolean inPlace) {
        public Config {
            if (pattern == null) throw new IllegalArgumentException("a sparsity pattern is required");
            if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }

        /** {@code pattern}, batches of 4, on a copy. */
        public static Config of(SparsityPattern pattern) {
            return new Config(pattern, 4, false);
        }
    }

    /**
     * @param model    the pruned model (a copy unless in place: close it)
     * @param method   metric name or {@code "sparsegpt"}
     * @param pattern  the pattern applied
     * @param sparsity measured fraction of zeros per module, keyed {@code layers.{i}.{module}}
     * @param seconds  wall time of the loop (gradient statistics excluded)
     * @param overallSparsity zeros over all decoder linear weights, counted in the weights written
     */
    public record Result(LlamaModel model, String method, SparsityPattern pattern, Map<String, Double> sparsity,
                         double seconds, double overallSparsity) {}

    /** Step 3 for one module: the new weight from its statistics. */
    private interface ModuleRule {
        float[] apply(ModuleStats stats, double[] hessian, SparsityPattern pattern);
    }

    private WeightPruner() {}

    /** Prunes every decoder linear weight by {@code metric}; {@code gradients} may be null unless it needs them. */
    public static Result prune(LlamaModel model, WeightImportance metric, WeightGradients gradients,
            int[][] calibration, Config config) {
        return run(model, metric.name(), rule(metric, gradients), metric.needsInputs(), false, gradients,
                calibration, config);
    }

    /** Prunes every decoder linear weight with SparseGPT's OBS updates. */
    public static Result prune(LlamaModel model, SparseGpt sparseGpt, int[][] calibration, Config config) {
        return run(model, "sparsegpt", rule(sparseGpt), true, true, null, calibration, config);
    }

    /**
     * Prunes a model streamed from disk, layer by layer ({@link StreamedLlama}: one decoder layer in
     * memory, written out when done): the same loop and the same result as {@link #prune(LlamaModel,
     * WeightImportance, WeightGradients, int[][], Config)} on the loaded model. A metric that needs
     * gradients needs a full backward pass, which does not stream: it is refused.
     *
     * @return the result; its {@code model} is null (the pruned model is the stream's output directory)
     */
    public static Result pruneStreamed(StreamedLlama model, WeightImportance metric, int[][] calibration,
            Config config) throws IOException {
        if (metric.needsGradients()) {
            throw new IllegalArgumentException(metric.name() + " needs the model's gradients (a full backward pass), "
                    + "which a layer-by-layer stream cannot compute; stream magnitude, wanda or sparsegpt instead");
        }
        return stream(model, metric.name(), rule(metric, null), metric.needsInputs(), false, calibration, config);
    }

    /** SparseGPT on a model streamed from disk, as {@link #pruneStreamed(StreamedLlama, WeightImportance, int[][], Config)}. */
    public static Result pruneStreamed(StreamedLlama model, SparseGpt sparseGpt, int[][] calibration, Config config)
            throws IOException {
        return stream(model, "sparsegpt", rule(sparseGpt), true, true, calibration, config);
    }

    /** Step 3 by a metric: score, mask by the pattern, zero. */
    private static ModuleRule rule(WeightImportance metric, WeightGradients gradients) {
        if (metric.needsGradients() && gradients == null) {
            throw new IllegalArgumentException(metric.name() + " needs gradient statistics (WeightGradients.cached)");
        }
        return (stats, h, pattern) -> {
            float[] mask = pattern.mask(metric.scores(stats), stats.rows(), stats.cols());
            float[] w = stats.weight().clone();
            for (int i = 0; i < w.length; i++) w[i] *= mask[i];
            return w;
        };
    }

    /** Step 3 by SparseGPT: OBS updates from the layer's Hessians. */
    private static ModuleRule rule(SparseGpt sparseGpt) {
        Map<double[], SparseGpt.Factor> factors = new IdentityHashMap<>();     // q/k/v and gate/up share a Hessian
        int[] factorLayer = {-1};
        return (stats, h, pattern) -> {
            if (factorLayer[0] != stats.layer()) {
                factors.clear();                                                   // free the previous layer's
                factorLayer[0] = stats.layer();
            }
            SparseGpt.Factor factor = factors.computeIfAbsent(h, k -> sparseGpt.factor(k, stats.cols()));
            double[] w = new double[stats.weight().length];
            for (int i = 0; i < w.length; i++) w[i] = stats.weight()[i];
            double[] out = sparseGpt.prune(w, stats.rows(), stats.cols(), factor, pattern);
            float[] f = new float[out.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) out[i];
            return f;
        };
    }

    private static Result run(LlamaModel model, String method, ModuleRule rule, boolean inputs, boolean hessians,
            WeightGradients gradients, int[][] calibration, Config config) {
        check(model.config(), method, inputs, calibration, config);
        long t0 = System.nanoTime();
        LlamaModel work = config.inPlace() ? model : model.copy();
        try {
            Loop done = loop(work, method, rule, inputs, hessians, gradients, calibration, config);
            return new Result(work, method, config.pattern(), done.sparsity(), (System.nanoTime() - t0) / 1e9,
                    done.overall());
        } catch (IOException e) {
            throw new UncheckedIOException(e);                      // a model in memory does no I/O
        } catch (RuntimeException e) {
            if (work != model) work.close();
            throw e;
        }
    }

    private static Result stream(StreamedLlama model, String method, ModuleRule rule, boolean inputs, boolean hessians,
            int[][] calibration, Config config) throws IOException {
        check(model.config(), method, inputs, calibration, config);
        long t0 = System.nanoTime();
        Loop done = loop(model, method, rule, inputs, hessians, null, calibration, config);
        return new Result(null, method, config.pattern(), done.sparsity(), (System.nanoTime() - t0) / 1e9,
                done.overall());
    }

    /** The pattern fits every linear's input width (from the config: nothing read), and calibration is there if needed. */
    private static void check(LlamaConfig model, String method, boolean inputs, int[][] calibration, Config config) {
        Map<String, long[]> shapes = model.withLayers(1).tensorShapes();
        for (String module : LayerWeights.LINEARS) {
            config.pattern().check(shapes.get(TensorNames.layer(0, module))[1], "layers.*." + module);
        }
        if (inputs && (calibration == null || calibration.length == 0)) {
            throw new IllegalArgumentException(method + " needs calibration windows");
        }
    }

    /** What the loop measured: zeros per module, and over all modules. */
    private record Loop(Map<String, Double> sparsity, double overall) {}

    /** Steps 1-4 on every layer of {@code work}, which is edited. */
    private static Loop loop(DecoderLayers work, String method, ModuleRule rule, boolean inputs,
            boolean hessians, WeightGradients gradients, int[][] calibration, Config config) throws IOException {
        SparsityPattern pattern = config.pattern();
        Map<String, Double> sparsity = new LinkedHashMap<>();
        long zeros = 0;
        long total = 0;
        try (NDManager acts = work.manager().newSubManager();
                Progress bar = Progress.start(method + " " + pattern.label(), work.config().layers())) {
            // 1. the calibration windows' embeddings, in batches               (B, T, C) each
            List<NDArray> xs = new ArrayList<>();
            if (inputs) {
                for (int b0 = 0; b0 < calibration.length; b0 += config.batchSize()) {
                    xs.add(work.embed(acts, Arrays.copyOfRange(calibration, b0,
                            Math.min(calibration.length, b0 + config.batchSize()))));
                }
            }
            for (int l = 0; l < work.config().layers(); l++) {
                LayerWeights layer = work.open(l);
                // 2. statistics of this layer's linear inputs on the activations that reach it
                InputNorms norms = new InputNorms();
                Map<String, double[]> hess = new LinkedHashMap<>();      // modules with one input share an array
                for (NDArray x : xs) {
                    try (NDManager step = acts.newSubManager()) {
                        Map<String, NDArray> in = new LinkedHashMap<>();
                        work.forwardLayer(step, l, x, in);
                        Map<NDArray, double[]> seen = new IdentityHashMap<>();   // this batch's XᵀX per input
                        for (Map.Entry<String, NDArray> e : in.entrySet()) {
                            norms.add(e.getKey(), e.getValue());
                            if (hessians && !seen.containsKey(e.getValue())) {
                                double[] xtx = gram(e.getValue());
                                seen.put(e.getValue(), xtx);
                                double[] acc = hess.get(e.getKey());
                                if (acc == null) {
                                    for (Map.Entry<String, NDArray> f : in.entrySet()) {
                                        if (f.getValue() == e.getValue()) hess.put(f.getKey(), xtx);
                                    }
                                } else {
                                    addInto(acc, xtx);
                                }
                            }
                        }
                    }
                }
                Map<double[], Boolean> scaled = new IdentityHashMap<>();  // H = (2/N) Σ XᵀX, once per array
                for (double[] h : hess.values()) {
                    if (scaled.put(h, true) == null) scale(h, 2.0 / calibration.length);
                }
                // 3. prune each linear module
                for (Map.Entry<String, NDArray> e : layer.linears().entrySet()) {
                    String key = TensorNames.key(l, e.getKey());
                    Shape shape = e.getValue().getShape();
                    int rows = (int) shape.get(0);
                    int cols = (int) shape.get(1);
                    float[] w = hostFloats(e.getValue());
                    ModuleStats stats = new ModuleStats(l, e.getKey(), w, rows, cols,
                            inputs ? norms.scalerRow(key) : null, gradients);
                    double[] h = hessians ? hess.get(key) : null;
                    float[] pruned = rule.apply(stats, h, pattern);
                    try (NDManager tmp = work.manager().newSubManager()) {
                        work.setTensor(l, e.getKey(), OwnedArrays.of(tmp, pruned, shape));
                    }
                    long z = zeros(pruned);
                    sparsity.put(key, z / (double) pruned.length);
                    zeros += z;
                    total += pruned.length;
                }
                // 4. the pruned layer's outputs feed the next layer
                for (int i = 0; i < xs.size(); i++) {
                    try (NDManager step = acts.newSubManager()) {
                        NDArray y = work.forwardLayer(step, l, xs.get(i), null);
                        y.attach(acts);
                        xs.get(i).close();
                        xs.set(i, y);
                    }
                }
                work.finish(l);
                bar.step();
            }
        }
        return new Loop(sparsity, total == 0 ? 0 : zeros / (double) total);
    }

    /** XᵀX of a module input (B, T, in), float64, row-major (in × in). */
    private static double[] gram(NDArray x) {
        long in = x.getShape().get(x.getShape().dimension() - 1);
        try (NDManager tmp = x.getManager().newSubManager()) {
            NDArray x64 = x.toType(DataType.FLOAT64, true);
            x64.attach(tmp);
            NDArray flat = x64.reshape(-1, in);
            return flat.transpose().matMul(flat).toDoubleArray();
        }
    }

    private static double[] addInto(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) a[i] += b[i];
        return a;
    }

    private static void scale(double[] a, double k) {
        for (int i = 0; i < a.length; i++) a[i] *= k;
    }

    private static float[] hostFloats(NDArray a) {
        if (a.getDataType() == DataType.FLOAT32) return a.toFloatArray();
        try (NDArray f = a.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }

    private static long zeros(float[] a) {
        long z = 0;
        for (float v : a) if (v == 0f) z++;
        return z;
    }

    /** Fraction of exact zeros over all decoder linear weights of {@code model}. */
    public static double sparsity(LlamaModel model) {
        long zeros = 0;
        long total = 0;
        for (LayerWeights lw : model.layers()) {
            for (NDArray w : lw.linears().values()) {
                try (NDManager tmp = model.manager().newSubManager()) {
                    NDArray isZero = w.eq(0f);                  // lands in the model's manager: move it
                    isZero.attach(tmp);
                    zeros += isZero.sum().toType(DataType.INT64, false).getLong();
                }
                total += w.size();
            }
        }
        return zeros / (double) total;
    }
}
