package prunekit.width;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;

/**
 * Structured width pruning in the manner of LLM-Pruner (Ma, Fang, Wang, "LLM-Pruner: On the
 * Structural Pruning of Large Language Models", NeurIPS 2023, arXiv 2305.11627, §3), the width half
 * of the official Sliding Layer Merging code, which fuses SLM with LLM-Pruner:
 * <ol>
 *   <li>score every unit of every layer, attention key/value groups and MLP channels, with a
 *       {@link UnitImportance} (first-order Taylor from the calibration gradient by default);</li>
 *   <li>in every layer remove the {@link WidthPlan}'s count of lowest-scoring units of each
 *       structure;</li>
 *   <li>cut their rows and columns out of the matrices ({@link LlamaModel#keepWidth}): the model is
 *       physically smaller and saves as a standard LLaMA checkpoint.</li>
 * </ol>
 * Departures from LLM-Pruner, for a checkpoint transformers can load: every layer loses the same
 * count (LLM-Pruner prunes layers 4..29 of 32 and spares the rest), and under grouped-query
 * attention a whole key/value group goes with its query heads. No recovery fine-tuning here.
 */
public final class WidthPruner {

    private WidthPruner() {}

    /**
     * @param model            the pruned copy, narrower in every layer
     * @param scores           the scores the choice was made from
     * @param keptKvGroups     per layer, the key/value groups kept (ascending)
     * @param keptChannels     per layer, the MLP channels kept (ascending)
     * @param selectionSeconds wall time of the scores (backward pass included) and the choice
     * @param editSeconds      wall time of copying and cutting the model
     */
    public record Result(LlamaModel model, WidthScores scores, int[][] keptKvGroups, int[][] keptChannels,
            double selectionSeconds, double editSeconds) {}

    /**
     * Scores {@code model}'s units and returns a narrowed copy; {@code model} is unchanged.
     *
     * @param calibration B windows of equal length for the gradient (ignored by the magnitude score)
     */
    public static Result prune(LlamaModel model, int[][] calibration, UnitImportance importance, WidthPlan plan) {
        plan.check(model.config());
        long t0 = System.nanoTime();
        WidthScores scores = WidthScores.compute(model, calibration, importance);
        int[][] groups = keep(scores, WidthStructure.KV_GROUPS, plan);
        int[][] channels = keep(scores, WidthStructure.CHANNELS, plan);
        double selection = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        LlamaConfig c = model.config();
        LlamaModel pruned = model.copy(c.name() + " − " + plan.kvGroupsRemoved() + " kv groups, " + plan.channelsRemoved()
                + " channels per layer (" + importance.name() + ")");
        pruned.keepWidth(groups, channels);
        return new Result(pruned, scores, groups, channels, selection, (System.nanoTime() - t1) / 1e9);
    }

    /** Per layer, the units of {@code s} that stay: all but the plan's count of lowest scores. */
    static int[][] keep(WidthScores scores, WidthStructure s, WidthPlan plan) {
        int layers = scores.scores().get(s).size();
        int[][] out = new int[layers][];
        for (int l = 0; l < layers; l++) {
            out[l] = keep(scores.of(s, l), plan.removed(s));
        }
        return out;
    }

    /**
     * The indices of all but the {@code remove} lowest of {@code scores}, ascending; among equal
     * scores the higher index goes first.
     */
    static int[] keep(double[] scores, int remove) {
        if (remove < 0 || remove >= scores.length) {
            throw new IllegalArgumentException("cannot remove " + remove + " of " + scores.length + " units");
        }
        Integer[] order = IntStream.range(0, scores.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> scores[i]).thenComparing(i -> -i));
        int[] kept = Arrays.stream(order, remove, scores.length).mapToInt(Integer::intValue).toArray();
        Arrays.sort(kept);
        return kept;
    }
}
