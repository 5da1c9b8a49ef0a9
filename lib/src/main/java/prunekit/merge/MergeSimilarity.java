package prunekit.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import prunekit.merge.SlidingMerge.Window;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;
import prunekit.model.Trace;

/**
 * SLM's similarity of a candidate merge, remembered: the mean over calibration windows of the cosine
 * between the original model's final hidden state and that of the model with the windows
 * {@code above} merged (the search's earlier merges, all above the candidate) and the candidate
 * window merged too. The model itself is never edited: each merged layer is built from the original
 * layers by the {@link MergeRule} (a merge only reads its own window's original weights).
 *
 * <p>Since only layers at or above the candidate's bottom change, the residual stream entering that
 * layer is the original model's: it is computed once, per micro-batch, and each candidate runs only
 * the merged layer and the layers above it ({@link LlamaModel#forwardLayers}). A similarity depends
 * on the merges above and the candidate only, not on the threshold, so searches at several
 * thresholds share every one they have in common ({@link SlidingMerge#toDepth}).
 */
final class MergeSimilarity implements AutoCloseable {

    /** A candidate window in the state left by the merges above it (top first). */
    private record Key(List<Window> above, Window window) {}

    private final LlamaModel model;
    private final MergeRule rule;
    private final int protectLow;
    private final NDManager cache;
    private final List<NDArray> finals = new ArrayList<>();              // per micro-batch (B, T, C)
    private final List<List<NDArray>> entering = new ArrayList<>();      // per micro-batch, per layer L..H
    private final Map<Key, Double> known = new HashMap<>();
    private int windows;

    private MergeSimilarity(LlamaModel model, MergeRule rule, int protectLow) {
        this.model = model;
        this.rule = rule;
        this.protectLow = protectLow;
        this.cache = model.manager().newSubManager();
    }

    /** The original model's side: its final hidden states and the stream entering each layer of the range. */
    static MergeSimilarity of(LlamaModel model, MergeRule rule, int[][] calibration, SlidingMerge.Config config) {
        MergeSimilarity ref = new MergeSimilarity(model, rule, config.protectLow());
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

    /** The similarity of merging {@code w} after the merges {@code above}, computed once. */
    double of(List<Window> above, Window w) {
        Key key = new Key(List.copyOf(above), w);
        Double sim = known.get(key);
        if (sim == null) {
            sim = compute(key.above(), w);
            known.put(key, sim);
        }
        return sim;
    }

    /** The similarity of merging {@code w} after the merges {@code above} if already computed, else null. */
    Double known(List<Window> above, Window w) {
        return known.get(new Key(List.copyOf(above), w));
    }

    /** How many similarities were computed (each once). */
    int computed() {
        return known.size();
    }

    /** Every similarity computed so far. */
    List<Double> known() {
        return List.copyOf(known.values());
    }

    /** Mean over calibration windows of cos(original final hidden, candidate's), in float64. */
    private double compute(List<Window> above, Window w) {
        double sum = 0;
        try (NDManager tmp = model.manager().newSubManager()) {
            List<LayerWeights> stack = new ArrayList<>();
            stack.add(rule.merge(model.layers().subList(w.low(), w.high() + 1), tmp));
            for (int l = w.high() + 1; l < model.config().layers(); l++) {
                Window m = startingAt(above, l);
                if (m == null) {
                    stack.add(model.layer(l));
                } else {
                    stack.add(rule.merge(model.layers().subList(m.low(), m.high() + 1), tmp));
                    l = m.high();
                }
            }
            for (int b = 0; b < finals.size(); b++) {
                try (NDManager step = tmp.newSubManager()) {
                    NDArray merged = model.forwardLayers(step, entering.get(b).get(w.low() - protectLow), stack);
                    sum += cosineSum(finals.get(b), merged, step);
                }
            }
        }
        return sum / windows;
    }

    private static Window startingAt(List<Window> merges, int low) {
        return merges.stream().filter(m -> m.low() == low).findFirst().orElse(null);
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
