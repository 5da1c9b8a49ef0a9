package prunekit.stats;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.model.TensorNames;

/**
 * Gradient statistics of every decoder-layer tensor from one forward + backward pass of the
 * language-modelling loss on a calibration batch: what the gradient layer metrics (GradMAP,
 * Shortened-LLaMA Taylor) read.
 *
 * <p>The gradient is that of the <em>batch-mean</em> loss over the calibration batch, in micro-batches
 * ({@link BatchGradients}); only five numbers per tensor are kept.
 *
 * <p>Statistics are keyed {@code layers.{i}.{module}} ({@link TensorNames#key}) for the nine tensors of
 * {@link LayerWeights#ALL} (the two RMSNorm gains included).
 */
public final class LayerGradients {

    /**
     * Sums over the entries of one weight tensor W with gradient G = dL/dW.
     *
     * @param sumAbsGrad    Σ |G|
     * @param sumAbsTaylor  Σ |G ⊙ W| (first-order Taylor estimate of the loss change if W is zeroed)
     * @param sumSquaredGrad Σ G²
     * @param sumAbsWeight  Σ |W|
     * @param count         number of entries
     */
    public record ModuleStats(double sumAbsGrad, double sumAbsTaylor, double sumSquaredGrad,
                              double sumAbsWeight, long count) {

        /** Entry-wise sum of two statistics (to aggregate modules into a layer). */
        public ModuleStats plus(ModuleStats o) {
            return new ModuleStats(sumAbsGrad + o.sumAbsGrad, sumAbsTaylor + o.sumAbsTaylor,
                    sumSquaredGrad + o.sumSquaredGrad, sumAbsWeight + o.sumAbsWeight, count + o.count);
        }

        static final ModuleStats ZERO = new ModuleStats(0, 0, 0, 0, 0);
    }

    private final Map<String, ModuleStats> stats;
    private final int layers;
    private final double loss;
    private final double seconds;

    private LayerGradients(Map<String, ModuleStats> stats, int layers, double loss, double seconds) {
        this.stats = stats;
        this.layers = layers;
        this.loss = loss;
        this.seconds = seconds;
    }

    /**
     * One forward + backward pass of the mean LM loss over {@code tokens}.
     *
     * @param tokens     B calibration windows of equal length
     * @param microBatch windows per forward/backward (4: about 1.5 GB for SmolLM2 at 256 tokens)
     */
    public static LayerGradients compute(LlamaModel model, int[][] tokens, int microBatch) {
        long start = System.nanoTime();
        // 1. forward + backward per micro-batch (BatchGradients); 2. each gradient reduced to its sums
        return BatchGradients.read(model, tokens, microBatch, loss -> {
            Map<String, ModuleStats> stats = new LinkedHashMap<>();
            for (int l = 0; l < model.config().layers(); l++) {
                for (Map.Entry<String, NDArray> e : model.layer(l).all().entrySet()) {
                    stats.put(TensorNames.key(l, e.getKey()), reduce(e.getValue()));
                }
            }
            return new LayerGradients(Collections.unmodifiableMap(stats), model.config().layers(), loss,
                    (System.nanoTime() - start) / 1e9);
        });
    }

    /**
     * The four sums of one tensor, in the tensor's own data type: libtorch sums float32 with cascade
     * (pairwise-like) accumulation, relative error about 1e-7·log n, far below the differences between
     * layers. Converting weight and gradient to float64 first copied 2 × 106 M entries for SmolLM2 and
     * cost about 0.2 s of a 3.1 s GradMAP selection (docs/performance.md).
     */
    private static ModuleStats reduce(NDArray w) {
        try (NDManager tmp = w.getManager().newSubManager()) {
            NDArray g = w.getGradient();
            g.attach(tmp);                                   // the wrapper, and every op on g, dies with tmp
            NDArray absW = w.abs();
            absW.attach(tmp);                                // an op on w lands in the model manager: move it
            ModuleStats s = new ModuleStats(total(g.abs()), total(g.mul(w).abs()), total(g.square()), total(absW),
                    w.size());
            if (!Double.isFinite(s.sumSquaredGrad()) || !Double.isFinite(s.sumAbsTaylor())) {
                throw new IllegalStateException("non-finite gradient of a " + w.getShape() + " weight (Σg² = "
                        + s.sumSquaredGrad() + "): check the calibration tokens and the model's loss");
            }
            return s;
        }
    }

    /** Σ of every entry, as a double (float32 sums are read as float). */
    private static double total(NDArray a) {
        NDArray sum = a.sum();
        return sum.getDataType() == DataType.FLOAT64 ? sum.getDouble() : sum.getFloat();
    }

    /** Statistics of one tensor, {@code module} as in {@link LayerWeights#ALL}. */
    public ModuleStats get(int layer, String module) {
        ModuleStats s = stats.get(TensorNames.key(layer, module));
        if (s == null) {
            throw new IllegalArgumentException("no gradient statistics for " + TensorNames.key(layer, module)
                    + ": layers 0.." + (layers - 1) + ", modules " + String.join(", ", LayerWeights.ALL));
        }
        return s;
    }

    /** Statistics summed over all nine tensors of a layer. */
    public ModuleStats layer(int layer) {
        ModuleStats s = ModuleStats.ZERO;
        for (String m : LayerWeights.ALL) s = s.plus(get(layer, m));
        return s;
    }

    /** All statistics keyed {@code layers.{i}.{module}}, in layer then forward order. */
    public Map<String, ModuleStats> all() {
        return stats;
    }

    public int layers() {
        return layers;
    }

    /** The batch-mean loss the gradients are of. */
    public double loss() {
        return loss;
    }

    /** Wall time of the forward/backward passes and reductions. */
    public double seconds() {
        return seconds;
    }
}
