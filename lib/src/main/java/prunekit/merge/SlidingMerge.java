package prunekit.merge;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import prunekit.model.LlamaModel;

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
 * <p>The similarities come from {@link MergeSimilarity}, which never edits the model and remembers
 * each one; the merged model is built once, from the windows chosen.
 *
 * <p>The paper picks T to reach a compression ratio; {@link #toDepth} searches the T that removes a
 * given number of layers.
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
     * A threshold tried by {@link #toDepth}: T and the layers its search removes; {@code more}: it had
     * removed more than the target when it was stopped (the rest of its search was not run).
     */
    public record Probe(double threshold, int removed, boolean more) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.6f:%s%d", threshold, more ? ">" : "", more ? removed - 1 : removed);
        }
    }

    /**
     * @param model       the merged model (a copy: close it)
     * @param rule        {@link MergeRule#name()}
     * @param config      the settings used (its threshold: the one given, or the one {@link #toDepth} chose)
     * @param decisions   every window tried, in order
     * @param merges      the windows merged for good, top first, in original layer indices
     * @param seconds     wall time of the search and the merges
     * @param probes      the thresholds {@link #toDepth} tried, in order (empty when T was given)
     * @param similarities candidate merges whose similarity was computed (each a pass over the layers from
     *                    the window up): at most the decisions of all searches, fewer where they share some
     * @param stopped     true when {@link #toDepth} found no T that removes exactly the target and stopped
     *                    merging once the target was reached (the search at T alone would remove more)
     */
    public record Result(LlamaModel model, String rule, Config config, List<Decision> decisions, List<Window> merges,
                         double seconds, List<Probe> probes, boolean stopped, int similarities) {

        /** Layers removed: each merged window of n layers becomes one. */
        public int layersRemoved() {
            return merges.stream().mapToInt(w -> w.size() - 1).sum();
        }

        /** The merges as text, e.g. {@code "24..27 18..20"} ("none" when nothing merged). */
        public String mergesText() {
            return merges.isEmpty() ? "none" : merges.stream().map(Window::toString).collect(Collectors.joining(" "));
        }

        /** The probes as text, e.g. {@code "-1.000000:>10 0.912345:7 0.873210:10"} ("none" when T was given). */
        public String probesText() {
            return probes.isEmpty() ? "none" : probes.stream().map(Probe::toString).collect(Collectors.joining(" "));
        }
    }

    /** The outcome of one top-down search: decisions, merges top first, layers removed, stopped at a cap. */
    private record Walk(List<Decision> decisions, List<Window> merges, int removed, boolean capped) {}

    private SlidingMerge() {}

    /** Runs the search at {@code config.threshold()} on a copy of {@code model}; the original is left as it is. */
    public static Result merge(LlamaModel model, MergeRule rule, int[][] calibration, Config config) {
        check(model, calibration, config);
        long t0 = System.nanoTime();
        try (MergeSimilarity sim = MergeSimilarity.of(model, rule, calibration, config)) {
            Walk walk = walk(config, config.threshold(), Integer.MAX_VALUE, sim::of);
            return result(model, rule, config, walk, List.of(), false, sim.computed(), t0);
        }
    }

    /**
     * Sliding Layer Merging with the threshold chosen so that exactly {@code layersToRemove} layers go
     * (the paper chooses T to reach a compression ratio); {@code config.threshold()} is not used.
     *
     * <p>The search at T depends on T only through the tests sim &gt; T, and every similarity it
     * needs is remembered ({@link MergeSimilarity}), so the searches at several T share their common
     * part and the model's forward passes are never repeated. Lower T merges more, but not strictly:
     * a window that passes at a lower T takes one more layer and shifts every window below it, so the
     * count can jump by more than one, or even fall. The search bisects on T while keeping a bracket
     * [lo, hi): the search at lo removes more than K layers, the one at hi fewer (T = 1 removes none;
     * T = −1 is tried first). Each next T is the median of the similarities already computed that lie
     * strictly inside the bracket (the count can only change where T crosses one of them); a search
     * that passes K layers is stopped there. It ends
     * <ul>
     *   <li>at a T whose search removes exactly K layers: the result is that search, and the T reported
     *       is the middle of the interval of thresholds that give the same search (so that
     *       {@code merge} at the printed T gives the same model);</li>
     *   <li>or, when no similarity is left inside the bracket, at a jump from more than K to fewer than
     *       K: no T removes exactly K there. Since the count is not monotone, a T outside the bracket
     *       may: every similarity already known is tried as T, nearest the bracket first, as long as
     *       its search needs no new similarity (no forward pass); the first that removes exactly K is
     *       taken as above;</li>
     *   <li>or else at the search at the midpoint of the bracket (which removes more than K)
     *       <b>stopped as soon as K layers are gone</b>: the window being grown when the K-th layer goes
     *       is merged as far as it has grown, and no window below it is tried; {@link Result#stopped()}
     *       is true, and {@code merge} at the printed T alone would remove more.</li>
     * </ul>
     * A T that removes exactly K but whose search needs similarities never computed can still be
     * missed; the thresholds tried are in {@link Result#probes()}.
     *
     * @param layersToRemove K, 1 ≤ K ≤ H − L (merging the whole range into one layer removes H − L)
     * @throws IllegalArgumentException when K is out of range, or even T = −1 removes fewer than K
     */
    public static Result toDepth(LlamaModel model, MergeRule rule, int[][] calibration, Config config,
            int layersToRemove) {
        check(model, calibration, config);
        int k = layersToRemove;
        int most = config.protectHigh() - config.protectLow();
        if (k < 1 || k > most) {
            throw new IllegalArgumentException("SLM cannot remove " + k + " layers from the merge range ["
                    + config.protectLow() + ", " + config.protectHigh() + "]: merging it all into one layer removes "
                    + most + "; use 1 <= K <= " + most + " or widen the range");
        }
        long t0 = System.nanoTime();
        try (MergeSimilarity sim = MergeSimilarity.of(model, rule, calibration, config)) {
            List<Probe> probes = new ArrayList<>();
            double lo = -1;                       // its search removes more than k (once tried)
            double hi = 1;                        // its search removes fewer than k (T = 1: nothing passes)
            boolean loTried = false;
            while (true) {
                // 1. the next T: the median similarity strictly inside (lo, hi); T = -1 first
                double t = median(sim.known(), lo, hi);
                if (Double.isNaN(t)) {
                    if (loTried) break;
                    t = lo;
                }
                // 2. the search at T, stopped once it has removed more than k
                Walk w = walk(config, t, k + 1, sim::of);
                probes.add(new Probe(t, w.removed(), w.capped()));
                if (w.removed() == k) {
                    double mid = (t + nextAbove(w, t, 1)) / 2;
                    return result(model, rule, config.withThreshold(mid), walk(config, mid, k + 1, sim::of), probes, false,
                            sim.computed(), t0);
                }
                if (w.removed() > k) {
                    lo = t;
                    loTried = true;
                } else if (t == lo) {
                    throw new IllegalArgumentException("SLM: even T = " + t + " removes only " + w.removed() + " of the "
                            + k + " layers asked for from the merge range [" + config.protectLow() + ", "
                            + config.protectHigh() + "]");
                } else {
                    hi = t;
                }
            }
            // 3. no T in [lo, hi) removes exactly k; one elsewhere might (the count is not monotone): try every
            //    similarity known, nearest the bracket first, where the search needs no similarity not yet known
            double low = lo;
            double high = hi;
            List<Double> rest = sim.known().stream().filter(t -> t < low || t >= high).distinct()
                    .sorted(Comparator.comparingDouble(t -> Math.abs(t - low))).toList();
            for (double t : rest) {
                Walk w = walk(config, t, k + 1, sim::known);
                if (w != null && w.removed() == k) {
                    probes.add(new Probe(t, k, false));
                    double mid = (t + nextAbove(w, t, 1)) / 2;
                    return result(model, rule, config.withThreshold(mid), walk(config, mid, k + 1, sim::of), probes,
                            false, sim.computed(), t0);
                }
            }
            // 4. none: the search in the bracket, stopped once k layers are gone
            double mid = (lo + hi) / 2;
            return result(model, rule, config.withThreshold(mid), walk(config, mid, k, sim::of), probes, true,
                    sim.computed(), t0);
        }
    }

    /** The similarity of merging a window after the merges above it; null: not known (the search is abandoned). */
    private interface Similarity {
        Double of(List<Window> above, Window w);
    }

    /**
     * The top-down search at threshold T, stopped as soon as {@code cap} layers are gone (the window
     * being grown is merged as it is); null when {@code sim} does not know a similarity it needs.
     */
    private static Walk walk(Config config, double threshold, int cap, Similarity sim) {
        List<Decision> decisions = new ArrayList<>();
        List<Window> merges = new ArrayList<>();
        int removed = 0;
        // 1. the first window: the top two layers of the range
        int high = config.protectHigh();
        int low = high - 1;
        int passing = high;                       // lowest 'low' of a window that passed; high = none yet
        while (low >= config.protectLow()) {
            // 2. merge low..high (after the merges above), compare with the original
            Window w = new Window(low, high);
            Double s = sim.of(merges, w);
            if (s == null) return null;
            boolean accepted = s > threshold;
            decisions.add(new Decision(w, s, accepted));
            if (accepted) {
                // 3a. similar enough: try one more layer below, unless the cap is reached
                passing = low;
                if (removed + (high - passing) >= cap) {
                    merges.add(new Window(passing, high));
                    return new Walk(List.copyOf(decisions), List.copyOf(merges), cap, true);
                }
                low--;
            } else {
                // 3b. too far: keep the last window that passed, restart from the layer that failed
                if (passing < high) merges.add(new Window(passing, high));
                removed += high - passing;
                high = low;
                low = high - 1;
                passing = high;
            }
        }
        // 4. the range is exhausted: a window still passing is merged too
        if (passing < high) merges.add(new Window(passing, high));
        removed += high - passing;
        return new Walk(List.copyOf(decisions), List.copyOf(merges), removed, false);
    }

    /** The median of the values strictly inside (lo, hi); NaN when there are none. */
    private static double median(List<Double> values, double lo, double hi) {
        double[] inside = values.stream().mapToDouble(Double::doubleValue).filter(v -> v > lo && v < hi).sorted().toArray();
        return inside.length == 0 ? Double.NaN : inside[(inside.length - 1) / 2];
    }

    /**
     * The lowest similarity of the search above T ({@code ceiling} when none): the search is the same
     * for every threshold in [T, that value).
     */
    private static double nextAbove(Walk w, double t, double ceiling) {
        return w.decisions().stream().mapToDouble(Decision::similarity).filter(s -> s > t).min().orElse(ceiling);
    }

    private static void check(LlamaModel model, int[][] calibration, Config config) {
        int layers = model.config().layers();
        if (config.protectHigh() > layers - 1) {
            throw new IllegalArgumentException("SLM merge range [" + config.protectLow() + ", " + config.protectHigh()
                    + "] reaches outside " + model.config().name() + "'s layers [0, " + (layers - 1) + "]");
        }
        if (calibration.length == 0) throw new IllegalArgumentException("SLM needs at least one calibration window");
    }

    /** The merged model: a copy of {@code model} with the walk's windows merged, top first. */
    private static Result result(LlamaModel model, MergeRule rule, Config config, Walk walk, List<Probe> probes,
            boolean stopped, int similarities, long t0) {
        LlamaModel work = model.copy(model.config().name() + " SLM-" + rule.name() + " T=" + config.threshold());
        try {
            for (Window w : walk.merges()) {
                try (NDManager tmp = work.manager().newSubManager()) {
                    work.setLayer(w.low(), rule.merge(work.layers().subList(w.low(), w.high() + 1), tmp));
                }
                work.removeLayers(IntStream.rangeClosed(w.low() + 1, w.high()).boxed().collect(Collectors.toSet()));
            }
        } catch (RuntimeException e) {
            work.close();
            throw e;
        }
        return new Result(work, rule.name(), config, walk.decisions(), walk.merges(), (System.nanoTime() - t0) / 1e9,
                List.copyOf(probes), stopped, similarities);
    }
}
