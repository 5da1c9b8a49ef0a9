package prunekit.sparsity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
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
import prunekit.stats.WeightGradients;
import prunekit.viz.Progress;

/**
 * The one pruning loop of Wanda, SparseGPT and GBLM-Pruner (their {@code prune_*} functions):
 * <ol>
 *   <li>embed the calibration windows;</li>
 *   <li>for each decoder layer l: run it on the current activations, collecting the inputs of its
 *       seven linear modules (input norms; for SparseGPT also the Hessian {@code (2/N) Σ XᵀX});</li>
 *   <li>prune each linear weight of layer l by the {@link WeightPruningMethod}: a
 *       {@link WeightImportance} metric scores it and the {@link SparsityPattern} masks it, or
 *       {@link SparseGpt} prunes and updates it;</li>
 *   <li>run layer l again, now pruned: its outputs are the next layer's inputs, so calibration
 *       activations flow through the already-pruned layers.</li>
 * </ol>
 * Gradient statistics, when a metric reads them, are those of the dense model (GBLM-Pruner computes
 * them once, before pruning). A method that needs no inputs (magnitude) skips steps 1, 2 and 4.
 */
public final class WeightPruner {

    /**
     * @param pattern   unstructured fraction or N:M, per output row (per matrix for {@link Magnitude})
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
     * @param method   the method's {@link WeightPruningMethod#name()}
     * @param pattern  the pattern applied
     * @param sparsity measured fraction of zeros per module, keyed {@code layers.{i}.{module}}
     * @param seconds  wall time of the loop (gradient statistics excluded)
     * @param overallSparsity zeros over all decoder linear weights, counted in the weights written
     */
    public record Result(LlamaModel model, String method, SparsityPattern pattern, Map<String, Double> sparsity,
                         double seconds, double overallSparsity) {}

    private WeightPruner() {}

    /**
     * Prunes every decoder linear weight of {@code model} by {@code method}.
     *
     * @param gradients   the dense model's gradient statistics when the method needs them, else null
     * @param calibration windows of token ids, when the method needs inputs
     */
    public static Result prune(LlamaModel model, WeightPruningMethod method, WeightGradients gradients,
            int[][] calibration, Config config) {
        check(model.config(), method, gradients, calibration, config);
        long t0 = System.nanoTime();
        LlamaModel work = config.inPlace() ? model : model.copy();
        try {
            Tally done = loop(work, method, gradients, calibration, config);
            return new Result(work, method.name(), config.pattern(), done.sparsity(), seconds(t0), done.overall());
        } catch (IOException e) {
            throw new UncheckedIOException(e);                      // a model in memory does no I/O
        } catch (RuntimeException e) {
            if (work != model) work.close();
            throw e;
        }
    }

    /**
     * Prunes a model streamed from disk, layer by layer ({@link StreamedLlama}: one decoder layer in
     * memory, written out when done): the same loop and the same result as {@link #prune} on the
     * loaded model. A method that needs gradients needs a full backward pass, which does not stream:
     * it is refused.
     *
     * @return the result; its {@code model} is null (the pruned model is the stream's output directory)
     */
    public static Result pruneStreamed(StreamedLlama model, WeightPruningMethod method, int[][] calibration,
            Config config) throws IOException {
        if (method.needsGradients()) {
            throw new IllegalArgumentException(method.name() + " needs the model's gradients (a full backward pass), "
                    + "which a layer-by-layer stream cannot compute; stream magnitude, wanda or sparsegpt instead");
        }
        check(model.config(), method, null, calibration, config);
        long t0 = System.nanoTime();
        Tally done = loop(model, method, null, calibration, config);
        return new Result(null, method.name(), config.pattern(), done.sparsity(), seconds(t0), done.overall());
    }

    /**
     * The pattern fits every linear's input width (from the config: nothing read), and calibration
     * and gradients are there if the method needs them.
     */
    private static void check(LlamaConfig model, WeightPruningMethod method, WeightGradients gradients,
            int[][] calibration, Config config) {
        Map<String, long[]> shapes = model.withLayers(1).tensorShapes();
        for (String module : LayerWeights.LINEARS) {
            config.pattern().check(shapes.get(TensorNames.layer(0, module))[1], "layers.*." + module);
        }
        if (usesCalibration(method) && (calibration == null || calibration.length == 0)) {
            throw new IllegalArgumentException(method.name() + " needs calibration windows");
        }
        if (method.needsGradients() && gradients == null) {
            throw new IllegalArgumentException(method.name() + " needs gradient statistics (WeightGradients.cached)");
        }
    }

    private static boolean usesCalibration(WeightPruningMethod method) {
        return method.needsInputs() || method.needsHessian();
    }

    /** Steps 1-4 on every layer of {@code work}, which is edited. */
    private static Tally loop(DecoderLayers work, WeightPruningMethod method, WeightGradients gradients,
            int[][] calibration, Config config) throws IOException {
        Tally tally = new Tally();
        try (NDManager acts = work.manager().newSubManager();
                Progress bar = Progress.start(method.name() + " " + config.pattern().label(), work.config().layers())) {
            List<NDArray> xs = usesCalibration(method) ? embed(work, acts, calibration, config.batchSize())
                    : new ArrayList<>();                                                         // step 1
            for (int l = 0; l < work.config().layers(); l++) {
                LayerWeights layer = work.open(l);
                LayerInputs inputs = collect(work, acts, l, xs, method.needsHessian(), calibration);   // step 2
                for (Map.Entry<String, NDArray> e : layer.linears().entrySet()) {
                    ModuleStats stats = inputs.stats(method, l, e.getKey(), e.getValue(), gradients);
                    float[] pruned = method.prune(stats, config.pattern());                  // step 3
                    write(work, l, e.getKey(), pruned, e.getValue().getShape());
                    tally.add(TensorNames.key(l, e.getKey()), pruned);
                }
                advance(work, acts, l, xs);                                                  // step 4
                work.finish(l);
                bar.step();
            }
        }
        return tally;
    }

    /** Step 1: the calibration windows' embeddings, in batches, (B, T, C) each. */
    private static List<NDArray> embed(DecoderLayers work, NDManager acts, int[][] calibration, int batchSize) {
        List<NDArray> xs = new ArrayList<>();
        for (int b0 = 0; b0 < calibration.length; b0 += batchSize) {
            xs.add(work.embed(acts, Arrays.copyOfRange(calibration, b0, Math.min(calibration.length, b0 + batchSize))));
        }
        return xs;
    }

    /** Step 2: statistics of layer l's linear inputs on the activations that reach it. */
    private static LayerInputs collect(DecoderLayers work, NDManager acts, int l, List<NDArray> xs,
            boolean hessians, int[][] calibration) {
        LayerInputs inputs = new LayerInputs(hessians);
        for (NDArray x : xs) {
            try (NDManager step = acts.newSubManager()) {
                Map<String, NDArray> in = new LinkedHashMap<>();
                work.forwardLayer(step, l, x, in);
                inputs.add(in);
            }
        }
        if (hessians) inputs.finish(calibration.length);
        return inputs;
    }

    /** Step 3's result replaces module {@code module} of layer {@code l}. */
    private static void write(DecoderLayers work, int l, String module, float[] pruned, Shape shape) {
        try (NDManager tmp = work.manager().newSubManager()) {
            work.setTensor(l, module, OwnedArrays.of(tmp, pruned, shape));
        }
    }

    /** Step 4: the pruned layer's outputs become the next layer's inputs. */
    private static void advance(DecoderLayers work, NDManager acts, int l, List<NDArray> xs) {
        for (int i = 0; i < xs.size(); i++) {
            try (NDManager step = acts.newSubManager()) {
                NDArray y = work.forwardLayer(step, l, xs.get(i), null);
                y.attach(acts);
                xs.get(i).close();
                xs.set(i, y);
            }
        }
    }

    /** What the loop measured: zeros per module, and over all modules. */
    private static final class Tally {
        private final Map<String, Double> sparsity = new LinkedHashMap<>();
        private long zeros;
        private long total;

        void add(String key, float[] w) {
            long z = 0;
            for (float v : w) if (v == 0f) z++;
            sparsity.put(key, z / (double) w.length);
            zeros += z;
            total += w.length;
        }

        Map<String, Double> sparsity() {
            return sparsity;
        }

        double overall() {
            return total == 0 ? 0 : zeros / (double) total;
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Fraction of exact zeros over all decoder linear weights of {@code model}. */
    public static double sparsity(LlamaModel model) {
        long zeros = 0;
        for (LayerWeights lw : model.layers()) {
            for (NDArray w : lw.linears().values()) {
                try (NDManager tmp = model.manager().newSubManager()) {
                    NDArray isZero = w.eq(0f);                  // lands in the model's manager: move it
                    isZero.attach(tmp);
                    zeros += isZero.sum().toType(DataType.INT64, false).getLong();
                }
            }
        }
        return zeros / (double) MaskStats.linearParameters(model);
    }
}
