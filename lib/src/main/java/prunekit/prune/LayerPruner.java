package prunekit.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import prunekit.importance.LayerImportance;
import prunekit.model.LlamaModel;

/**
 * Removes whole decoder layers chosen by a {@link LayerImportance} metric, lowest score first.
 *
 * <ul>
 *   <li>{@link Mode#ONE_SHOT}: score once, remove the k lowest (one scoring pass for all decisions);</li>
 *   <li>{@link Mode#ITERATIVE}: score, remove the lowest, re-score what is left, k times (GradMAP's
 *       "one backward pass per pruning decision").</li>
 * </ul>
 * Ties go to the lower layer index. Layers with score {@code +Infinity} are never removed.
 */
public final class LayerPruner {

    /** One scoring pass for all decisions, or one per decision. */
    public enum Mode { ONE_SHOT, ITERATIVE }

    /**
     * @param layersToRemove k, the number of layers to remove (1 ≤ k &lt; L)
     * @param mode           one-shot or iterative
     * @param inPlace        prune the given model itself (false: prune a copy and leave it intact)
     */
    public record Config(int layersToRemove, Mode mode, boolean inPlace) {
        public Config {
            if (layersToRemove < 1) {
                throw new IllegalArgumentException("layersToRemove must be >= 1, got " + layersToRemove);
            }
        }

        /** k layers, one-shot, on a copy. */
        public static Config oneShot(int k) {
            return new Config(k, Mode.ONE_SHOT, false);
        }

        /** k layers, iterative, on a copy. */
        public static Config iterative(int k) {
            return new Config(k, Mode.ITERATIVE, false);
        }
    }

    /**
     * What a pruning run did.
     *
     * @param model            the pruned model (the input itself when in place, else a new copy: close it)
     * @param metric           {@link LayerImportance#name()}
     * @param mode             one-shot or iterative
     * @param removed          removed layers as indices of the original model, in removal order
     * @param survivors        for each layer of the pruned model, its index in the original model
     * @param scores           the scores of each scoring pass (one for one-shot, k for iterative),
     *                         indexed by original layer; NaN for layers already removed at that pass
     * @param selectionSeconds wall time spent scoring and choosing (copying and removal excluded)
     * @param passSeconds      wall time of each scoring pass (one for one-shot, k for iterative): the
     *                         first j passes of an iterative run are exactly a j-layer iterative run
     */
    public record Result(LlamaModel model, String metric, Mode mode, List<Integer> removed, int[] survivors,
                         List<double[]> scores, double selectionSeconds, double[] passSeconds) {}

    private LayerPruner() {}

    /** Prunes {@code config.layersToRemove()} layers of {@code model} chosen by {@code metric}. */
    public static Result prune(LlamaModel model, LayerImportance metric, int[][] calibration, Config config) {
        int original = model.config().layers();
        int k = config.layersToRemove();
        if (k >= original) {
            throw new IllegalArgumentException("cannot remove " + k + " of " + original
                    + " layers: at least one must stay (layersToRemove < " + original + ")");
        }
        LlamaModel work = config.inPlace() ? model : model.copy();
        try {
            List<Integer> alive = new ArrayList<>(IntStream.range(0, original).boxed().toList());
            List<Integer> removed = new ArrayList<>();
            List<double[]> passes = new ArrayList<>();
            double[] passSeconds = new double[config.mode() == Mode.ONE_SHOT ? 1 : k];
            double seconds = 0;
            if (config.mode() == Mode.ONE_SHOT) {
                long t0 = System.nanoTime();
                double[] s = check(metric, metric.scores(work, calibration), alive.size());
                int[] order = ascending(s);
                passSeconds[0] = (System.nanoTime() - t0) / 1e9;
                seconds += passSeconds[0];
                passes.add(byOriginal(s, alive, original));
                for (int i = 0; i < k; i++) {
                    requireFinite(metric, s[order[i]], alive.get(order[i]));
                    removed.add(alive.get(order[i]));
                }
                work.removeLayers(Set.copyOf(Arrays.stream(order, 0, k).boxed().toList()));
                alive.removeAll(removed);
            } else {
                for (int step = 0; step < k; step++) {
                    long t0 = System.nanoTime();
                    double[] s = check(metric, metric.scores(work, calibration), alive.size());
                    int lowest = ascending(s)[0];
                    passSeconds[step] = (System.nanoTime() - t0) / 1e9;
                    seconds += passSeconds[step];
                    passes.add(byOriginal(s, alive, original));
                    requireFinite(metric, s[lowest], alive.get(lowest));
                    removed.add(alive.get(lowest));
                    work.removeLayers(Set.of(lowest));
                    alive.remove(lowest);
                }
            }
            int[] survivors = alive.stream().mapToInt(Integer::intValue).toArray();
            return new Result(work, metric.name(), config.mode(), Collections.unmodifiableList(removed), survivors,
                    Collections.unmodifiableList(passes), seconds, passSeconds);
        } catch (RuntimeException e) {
            if (work != model) work.close();
            throw e;
        }
    }

    /** Indices sorted by ascending score, ties by index: the removal order of a one-shot selection. */
    public static int[] ascending(double[] s) {
        return IntStream.range(0, s.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> s[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    private static double[] byOriginal(double[] s, List<Integer> alive, int original) {
        double[] out = new double[original];
        Arrays.fill(out, Double.NaN);
        for (int i = 0; i < s.length; i++) out[alive.get(i)] = s[i];
        return out;
    }

    private static double[] check(LayerImportance metric, double[] s, int layers) {
        if (s.length != layers) {
            throw new IllegalStateException(metric.name() + " returned " + s.length + " scores for a model of "
                    + layers + " layers: return one score per current layer");
        }
        for (int i = 0; i < s.length; i++) {
            if (Double.isNaN(s[i])) {
                throw new IllegalStateException(metric.name() + " returned NaN for layer " + i);
            }
        }
        return s;
    }

    private static void requireFinite(LayerImportance metric, double score, int layer) {
        if (score == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(metric.name() + ": only protected layers (score +Infinity) are left to "
                    + "remove at original layer " + layer + ": remove fewer layers or protect fewer");
        }
    }
}
