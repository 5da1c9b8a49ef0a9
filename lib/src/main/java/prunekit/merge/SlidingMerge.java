package prunekit.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.model.Trace;

/**
 * Sliding Layer Merging (Xuan Ding et al., "SLM: A Sliding Layer Merging Method for Efficient
 * Depth-Wise Pruning in LLMs", arXiv 2502.19159; AAAI-26 as "Sliding-Window Merging for Compacting
 * Patch-Redundant Layers in LLMs").
 *
 * <p>Inside a merge range [L, H], from the top down: start with the window high = H,
 * low = H − 1. Merge layers low..high into one with a {@link MergeRule} and compare the merged
 * model with the original on calibration windows by
 * <pre>  sim = (1/N) Σ_n cos( f(x_n), f*(x_n) )</pre>
 * where f(x) is the final hidden state (after the final RMSNorm) of window x flattened to one
 * (T·C) vector, as the official code does. If sim &gt; T the window grows downwards (low −= 1);
 * otherwise the last window that passed is merged for good (when it spans more than one layer),
 * the layer that failed becomes the next window's top (high = low) and the search goes on,
 * until low passes L; a window still passing there is merged too. Layers outside [L, H] are
 * never touched.
 *
 * <p>Two details differ from the official script ({@code SLM.py}): after merging a window it
 * keeps {@code low} where it was, so its next step tries the one-layer window [low, low] (a model
 * identical to the current one; when that fails the script loops on the same window without end),
 * and it stops when {@code low} passes the bottom without merging a window that was still
 * passing. Here the next window after a merge is the pair (low − 1, low), and a passing window at
 * the bottom is merged.
 *
 * <p>Since the search only edits layers at or above {@code low}, the residual stream entering
 * layer {@code low} is the original model's: it is computed once and each candidate runs only the
 * merged layer and the layers above it ({@link LlamaModel#forwardLayers}).
 */
public final class SlidingMerge {

    /** Official code's default T (its Llama-2 script; its notes give 0.68 for Llama-2-7B). */
    public static final double CODE_THRESHOLD = 0.72;
    /** Calibration windows in the official code. */
    public static final int PAPER_SAMPLES = 10;
    /** Tokens per calibration window in the official code. */
    public static final int PAPER_SEQLEN = 128;

    /**
     * @param threshold   T in [−1, 1]: a window is kept growing while sim &gt; T (T = 1 merges
     *                    nothing, T = −1 merges the whole range into one layer)
     * @param protectLow  L, the lowest layer that may be merged; layers below are protected
     * @param protectHigh H, the highest layer that may be merged; layers above are protected
     *                    (0 ≤ L &lt; H ≤ layers − 1)
     * @param microBatch  calibration windows per forward pass (memory, not results)
     */
    public record Config(double threshold, int protectLow, int protectHigh, int microBatch) {

        public Config {
            if (!(threshold >= -1 && threshold <= 1)) {
                throw new IllegalArgumentException("SLM threshold " + threshold
                        + " is not a cosine similarity: use -1 <= T <= 1 (1 merges nothing, -1 everything)");
            }
            if (protectLow < 0 || protectLow >= protectHigh) {
                throw new IllegalArgumentException("SLM merge range [" + protectLow + ", " + protectHigh
                        + "] is empty or negative: need 0 <= low < high");
            }
            if (microBatch < 1) throw new IllegalArgumentException("microBatch must be >= 1, got " + microBatch);
        }

        /**
         * Defaults for a model of {@code layers} layers: T = {@value #CODE_THRESHOLD}, range
         * [1, layers − 2] (the first layer, where SmolLM2 builds its first-token massive
         * activation, and the last layer are kept; the official code keeps only the last),
         * micro-batches of 4 windows.
         */
        public static Config forModel(int layers) {
            if (layers < 4) {
                throw new IllegalArgumentException("SLM needs a model of at least 4 layers to have a default merge"
                        + " range [1, layers-2], got " + layers + ": give the range explicitly");
            }
            return new Config(CODE_THRESHOLD, 1, layers - 2, 4);
        }

        public Config withThreshold(double t) {
            return new Config(t, protectLow, protectHigh, microBatch);
        }

        public Config withProtect(int low, int high) {
            return new Config(threshold, low, high, microBatch);
        }
    }

    /** Layers low..high (inclusive) of the original model. */
    public record Window(int low, int high) {
        public int size() {
            return high - low + 1;
        }

        @Override
        public String toString() {
            return low + ".." + high;
        }
    }

    /**
     * One step of the search: the window tried, the similarity of the model with that window
     * merged, and whether it passed (sim &gt; T).
     */
    public record Decision(Window window, double similarity, boolean accepted) {}

    /**
     * @param model       the merged model (a copy: close it)
     * @param rule        {@link MergeRule#name()}
     * @param config      the settings used
     * @param decisions   every window tried, in order
     * @param merges      the windows merged for good, top first, in original layer indices
     * @param seconds     wall time of the search and the merges
     */
    public record Result(LlamaModel model, String rule, Config config, List<Decision> decisions, List<Window> merges,
                         double seconds) {

        /** Layers removed: each merged window of n layers becomes one. */
        public int layersRemoved() {
            return merges.stream().mapToInt(w -> w.size() - 1).sum();
        }

        /** The merges as text, e.g. {@code "24..27 18..20"} ("none" when nothing merged). */
        public String mergesText() {
            return merges.isEmpty() ? "none" : merges.stream().map(Window::toString).collect(Collectors.joining(" "));
        }
    }

    private SlidingMerge() {}

    /** Runs the search on a copy of {@code model}; the original is left as it is. */
    public static Result merge(LlamaModel model, MergeRule rule, int[][] calibration, Config config) {
        int layers = model.config().layers();
        if (config.protectHigh() > layers - 1) {
            throw new IllegalArgumentException("SLM merge range [" + config.protectLow() + ", " + config.protectHigh()
                    + "] reaches outside " + model.config().name() + "'s layers [0, " + (layers - 1) + "]");
        }
        if (calibration.length == 0) throw new IllegalArgumentException("SLM needs at least one calibration window");
        long t0 = System.nanoTime();
        LlamaModel work = model.copy(model.config().name() + " SLM-" + rule.name() + " T=" + config.threshold());
        try (Reference ref = Reference.of(model, calibration, config)) {
            List<Decision> decisions = new ArrayList<>();
            List<Window> merges = new ArrayList<>();
            // 1. the first window: the top two layers of the range
            int high = config.protectHigh();
            int low = high - 1;
            int passing = high;                   // lowest 'low' of a window that passed; high = none yet
            while (low >= config.protectLow()) {
                // 2. merge low..high, compare with the original
                double sim = ref.similarity(work, rule, new Window(low, high));
                boolean accepted = sim > config.threshold();
                decisions.add(new Decision(new Window(low, high), sim, accepted));
                if (accepted) {
                    // 3a. similar enough: try one more layer below
                    passing = low;
                    low--;
                } else {
                    // 3b. too far: keep the last window that passed, restart from the layer that failed
                    commit(work, rule, passing, high, merges);
                    high = low;
                    low = high - 1;
                    passing = high;
                }
            }
            // 4. the range is exhausted: a window still passing is merged too
            commit(work, rule, passing, high, merges);
            return new Result(work, rule.name(), config, Collections.unmodifiableList(decisions),
                    Collections.unmodifiableList(merges), (System.nanoTime() - t0) / 1e9);
        } catch (RuntimeException e) {
            work.close();
            throw e;
        }
    }

    /** Replaces layers low..high of {@code work} by their merge (nothing when low = high). */
    private static void commit(LlamaModel work, MergeRule rule, int low, int high, List<Window> merges) {
        if (low >= high) {
            return;
        }
        try (NDManager tmp = work.manager().newSubManager()) {
            work.setLayer(low, rule.merge(work.layers().subList(low, high + 1), tmp));
        }
        work.removeLayers(IntStream.rangeClosed(low + 1, high).boxed().collect(Collectors.toSet()));
        merges.add(new Window(low, high));
    }

    /**
     * The original model's side of the comparison, per micro-batch: the final hidden states and
     * the residual stream entering each layer of the merge range.
     */
    private static final class Reference implements AutoCloseable {
        private final NDManager cache;
        private final int protectLow;
        private final List<NDArray> finals = new ArrayList<>();              // per micro-batch (B, T, C)
        private final List<List<NDArray>> entering = new ArrayList<>();      // per micro-batch, per layer L..H
        private int windows;

        private Reference(NDManager cache, int protectLow) {
            this.cache = cache;
            this.protectLow = protectLow;
        }

        static Reference of(LlamaModel model, int[][] calibration, Config config) {
            Reference ref = new Reference(model.manager().newSubManager(), config.protectLow());
            try {
                for (int b0 = 0; b0 < calibration.length; b0 += config.microBatch()) {
                    int[][] mb = Arrays.copyOfRange(calibration, b0, Math.min(calibration.length, b0 + config.microBatch()));
                    try (NDManager step = model.manager().newSubManager()) {
                        var out = model.forward(step, mb, Trace.HIDDEN_STATES_ONLY);
                        out.finalHidden().attach(ref.cache);
                        ref.finals.add(out.finalHidden());
                        List<NDArray> in = new ArrayList<>();
                        for (int l = config.protectLow(); l <= config.protectHigh(); l++) {
                            NDArray h = out.hiddenStates().get(l);                    // stream entering layer l
                            h.attach(ref.cache);
                            in.add(h);
                        }
                        ref.entering.add(in);
                    }
                    ref.windows += mb.length;
                }
                return ref;
            } catch (RuntimeException e) {
                ref.close();
                throw e;
            }
        }

        /** Mean over calibration windows of cos(original final hidden, candidate's), in float64. */
        double similarity(LlamaModel work, MergeRule rule, Window w) {
            double sum = 0;
            try (NDManager tmp = work.manager().newSubManager()) {
                List<LayerWeights> stack = new ArrayList<>();
                stack.add(rule.merge(work.layers().subList(w.low(), w.high() + 1), tmp));
                stack.addAll(work.layers().subList(w.high() + 1, work.layers().size()));
                for (int b = 0; b < finals.size(); b++) {
                    try (NDManager step = tmp.newSubManager()) {
                        NDArray merged = work.forwardLayers(step, entering.get(b).get(w.low() - protectLow), stack);
                        sum += cosineSum(finals.get(b), merged, step);
                    }
                }
            }
            return sum / windows;
        }

        /** Σ over the windows of a micro-batch of the cosine between their flattened (T·C) states. */
        private static double cosineSum(NDArray a, NDArray b, NDManager step) {
            int n = Math.toIntExact(a.getShape().get(0));
            a.tempAttach(step);                                                  // results go to step, a back to the cache
            NDArray x = a.toType(DataType.FLOAT64, true).reshape(n, -1);         // (B, T·C)
            NDArray y = b.toType(DataType.FLOAT64, true).reshape(n, -1);
            double[] dot = x.mul(y).sum(new int[] {1}).toDoubleArray();
            double[] nx = x.norm(new int[] {1}).toDoubleArray();
            double[] ny = y.norm(new int[] {1}).toDoubleArray();
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += Math.max(-1, Math.min(1, dot[i] / (nx[i] * ny[i])));
            }
            return s;
        }

        @Override
        public void close() {
            cache.close();
        }
    }
}
