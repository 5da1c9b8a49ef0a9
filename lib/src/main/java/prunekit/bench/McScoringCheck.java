package prunekit.bench;

import java.util.Locale;
import prunekit.eval.ChoiceTask;
import prunekit.eval.ModelScorer;
import prunekit.eval.MultipleChoice;
import prunekit.eval.TaskLoader;
import prunekit.eval.TokenScorer;
import prunekit.model.LlamaModel;
import prunekit.model.Models;

/**
 * Multiple choice through the key/value cache ({@link ModelScorer#continuationLogLikelihoods}: each
 * item's context run once) against the uncached path ({@link TokenScorer}'s default: every choice's
 * whole sequence), on the same model and items: both accuracies, both times, the largest difference of
 * a choice's log-likelihood, and the items whose answer differs. The check of issue #23's "the same
 * scores as the uncached path" on a real task, beside {@code CachedScoringTest}'s tiny one.
 *
 * <p>Arguments: model (smollm2), task (cloze), items (100; the first N, as {@code eval --limit}).
 * The cached path runs first, then the uncached one, then the cached one again (so a drift of the
 * machine's speed shows in the two cached times), then whole sequences {@link MultipleChoice.Config#GPU_BATCH}
 * a pass across items ({@link MultipleChoice.Config#forDevice}'s choice on a GPU).
 */
public final class McScoringCheck {

    private McScoringCheck() {}

    public static void main(String[] args) {
        String spec = args.length > 0 ? args[0] : "smollm2";
        String taskName = args.length > 1 ? args[1] : "cloze";
        int limit = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        ChoiceTask task = TaskLoader.load(taskName).limit(limit);
        try (LlamaModel model = Models.load(spec)) {
            ModelScorer cached = new ModelScorer(model);
            TokenScorer whole = new TokenScorer() {              // the interface's default: every sequence whole
                @Override public float[][] nextTokenLogProbs(int[][] sequences) { return cached.nextTokenLogProbs(sequences); }
                @Override public int maxSequenceLength() { return cached.maxSequenceLength(); }
                @Override public String name() { return cached.name(); }
            };
            var config = new MultipleChoice.Config(MultipleChoice.Config.DEFAULT.batchSize(), false);
            MultipleChoice.Result a = MultipleChoice.evaluate(cached, model.tokenizer(), task, config);
            MultipleChoice.Result b = MultipleChoice.evaluate(whole, model.tokenizer(), task, config);
            MultipleChoice.Result again = MultipleChoice.evaluate(cached, model.tokenizer(), task, config);
            var acrossItems = new MultipleChoice.Config(MultipleChoice.Config.GPU_BATCH, false, true);   // the GPU's way
            MultipleChoice.Result c = MultipleChoice.evaluate(cached, model.tokenizer(), task, acrossItems);
            double maxDiff = 0;
            double maxDiffAcross = 0;
            int accDiffer = 0;
            int normDiffer = 0;
            for (int i = 0; i < a.items(); i++) {
                double[] x = a.scores().get(i).logLik();
                double[] y = b.scores().get(i).logLik();
                double[] z = c.scores().get(i).logLik();
                for (int j = 0; j < x.length; j++) {
                    maxDiff = Math.max(maxDiff, Math.abs(x[j] - y[j]));
                    maxDiffAcross = Math.max(maxDiffAcross, Math.abs(x[j] - z[j]));
                }
                if (a.scores().get(i).predicted() != b.scores().get(i).predicted()) accDiffer++;
                if (a.scores().get(i).predictedNorm() != b.scores().get(i).predictedNorm()) normDiffer++;
            }
            System.out.println("model=" + model.config().name());
            System.out.println("task=" + task.name());
            System.out.println("items=" + a.items());
            System.out.printf(Locale.ROOT, "cached_acc=%s cached_acc_norm=%s cached_seconds=%.1f,%.1f%n",
                    a.acc(), a.accNorm(), a.seconds(), again.seconds());
            System.out.printf(Locale.ROOT, "uncached_acc=%s uncached_acc_norm=%s uncached_seconds=%.1f%n",
                    b.acc(), b.accNorm(), b.seconds());
            System.out.printf(Locale.ROOT, "across_items_acc=%s across_items_acc_norm=%s across_items_seconds=%.1f%n",
                    c.acc(), c.accNorm(), c.seconds());
            System.out.printf(Locale.ROOT, "max_abs_loglik_diff=%.3g%n", maxDiff);
            System.out.printf(Locale.ROOT, "max_abs_loglik_diff_across_items=%.3g%n", maxDiffAcross);
            System.out.println("items_acc_answer_differs=" + accDiffer);
            System.out.println("items_acc_norm_answer_differs=" + normDiffer);
            System.out.println("same_scores=" + (a.acc() == b.acc() && a.accNorm() == b.accNorm()));
        }
    }
}
