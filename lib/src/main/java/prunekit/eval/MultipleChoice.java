package prunekit.eval;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import ai.djl.Device;
import prunekit.data.tasks.ChoiceItem;
import prunekit.viz.Progress;
import prunekit.model.Tokenizer;

/**
 * Zero-shot multiple choice with the semantics of EleutherAI's lm-evaluation-harness
 * ({@code output_type: multiple_choice}).
 *
 * <p>Each choice is scored by the summed log-likelihood of its continuation tokens given the
 * context. <b>Tokenisation</b> follows lm-eval's {@code _encode_pair}: trailing whitespace of the
 * context moves to the front of the continuation, then {@code whole = encode(context + choice)},
 * {@code ctx = encode(context)}, and the continuation tokens are {@code whole[len(ctx):]}, so
 * tokens merged across the boundary are scored as the tokenizer really produces them. The scored
 * sequence is {@code [BOS] + ctx + continuation} when the tokenizer has a BOS; with no BOS, an empty context is
 * replaced by EOS (lm-eval's prefix token), and a non-empty context is used as is. Sequences longer
 * than {@link TokenScorer#maxSequenceLength()} lose tokens from the left, as in lm-eval.
 *
 * <p><b>Metrics.</b> acc = mean of [argmax_j ll_j = gold]; acc_norm = mean of
 * [argmax_j ll_j / bytes_j = gold] with bytes_j the UTF-8 length of choice j (lm-eval documents
 * acc_norm as byte-length normalised; its code divides by {@code len(choice)}, the same for ASCII).
 * Ties go to the lowest index (numpy argmax). Standard errors are lm-eval's {@code mean_stderr}:
 * sample standard deviation (n - 1) of the 0/1 scores over sqrt(n).
 *
 * <p><b>Running each context once.</b> The choices of an item continue the same prefix
 * ({@code [BOS] + ctx}), so the scorer runs that prefix once and the choices after it
 * ({@link TokenScorer#continuationLogLikelihoods}: a model's key/value cache), rather than every
 * choice's whole sequence. Where a choice's sequence had to be cut from the left to fit the model,
 * the prefixes differ; those items' sequences are sorted by length, longest first, and scored
 * {@code batchSize} at a time, right-padded to the longest in the batch. Padding sits after every
 * scored position, so a causal model's scores of the real tokens do not see it. On a GPU every item goes
 * that way ({@link Config#wholeSequences}): packing many items into one pass is faster there than two
 * passes per item.
 */
public final class MultipleChoice {

    /**
     * @param batchSize      whole sequences per scorer call for items whose choices share no prefix, and for
     *                       every item when {@code wholeSequences} (16: choices of short tasks fit easily on a CPU)
     * @param progress       show a progress bar ({@link Progress})
     * @param wholeSequences score every choice as its whole sequence, {@code batchSize} at a time across items,
     *                       instead of each item's context once then its choices (false: the CPU's faster way;
     *                       {@link #forDevice})
     */
    public record Config(int batchSize, boolean progress, boolean wholeSequences) {
        /** Batches of 16, progress on, each context once. */
        public static final Config DEFAULT = new Config(16, true, false);

        /** Whole sequences per pass on a GPU ({@link #forDevice}). */
        public static final int GPU_BATCH = 64;

        public Config {
            if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }

        /** Each item's context once, then its choices; whole sequences only where a context had to be cut. */
        public Config(int batchSize, boolean progress) {
            this(batchSize, progress, false);
        }

        /**
         * The faster way on {@code device}. A CPU's pass costs in proportion to its tokens, so each context runs
         * once ({@link #DEFAULT}). A GPU's pass at these sizes is spent launching its operations (on an H100 a
         * SmolLM2 pass of 8 x 256 tokens takes 1.7 times as long as one of 1 x 256, docs/performance.md), so the
         * two passes per item of the cached path cost more than repeating each context in a batch: every choice
         * goes whole, {@link #GPU_BATCH} sequences a pass across items. Both give the same scores up to float rounding
         * ({@code CachedScoringTest}).
         */
        public static Config forDevice(Device device, boolean progress) {
            return device.isGpu() ? new Config(GPU_BATCH, progress, true) : new Config(DEFAULT.batchSize(), progress, false);
        }
    }

    /**
     * Scores of one item.
     *
     * @param logLik summed continuation log-likelihood per choice
     * @param tokens continuation tokens per choice
     * @param bytes UTF-8 bytes per choice (the acc_norm denominator)
     * @param gold index of the correct choice
     */
    public record ItemScore(double[] logLik, int[] tokens, int[] bytes, int gold) {
        /** argmax of logLik (lowest index on ties). */
        public int predicted() {
            return argmax(logLik, null);
        }

        /** argmax of logLik / bytes (lowest index on ties). */
        public int predictedNorm() {
            return argmax(logLik, bytes);
        }
    }

    /**
     * @param task task name
     * @param model {@link TokenScorer#name()}
     * @param items number of items
     * @param acc accuracy of argmax log-likelihood
     * @param accStderr its standard error
     * @param accNorm accuracy of argmax log-likelihood per byte
     * @param accNormStderr its standard error
     * @param chance accuracy of uniform guessing
     * @param seconds wall time of scoring
     * @param scores per-item scores, in task order
     * @param metric the accuracy the task is read with ({@link ChoiceTask#metric()})
     * @param ci95 95 % percentile-bootstrap interval of that accuracy over items ({@link Bootstrap#DEFAULT})
     */
    public record Result(String task, String model, int items, double acc, double accStderr, double accNorm,
                         double accNormStderr, double chance, double seconds, List<ItemScore> scores,
                         ChoiceTask.Metric metric, Bootstrap.Interval ci95) {

        /** The task's metric: acc or acc_norm. */
        public double value() {
            return metric == ChoiceTask.Metric.ACC ? acc : accNorm;
        }

        /** The standard error of {@link #value()}. */
        public double stderr() {
            return metric == ChoiceTask.Metric.ACC ? accStderr : accNormStderr;
        }

        /** 1 where the item is answered right under the task's metric, else 0, in task order. */
        public double[] correct() {
            return MultipleChoice.correct(scores, metric);
        }
    }

    private MultipleChoice() {}

    /** Scores every choice of every item of {@code task}. */
    public static Result evaluate(TokenScorer scorer, Tokenizer tokenizer, ChoiceTask task, Config config) {
        // 1. Encode each (item, choice) pair as lm-eval does.
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < task.items().size(); i++) {
            ChoiceItem item = task.items().get(i);
            for (int j = 0; j < item.choices().size(); j++) {
                requests.add(encode(tokenizer, item.context(), item.choices().get(j), scorer.maxSequenceLength(), i, j));
            }
        }
        double[][] ll = new double[task.items().size()][];
        for (int i = 0; i < ll.length; i++) ll[i] = new double[task.items().get(i).choices().size()];
        List<List<Request>> byItem = new ArrayList<>();
        for (int i = 0; i < ll.length; i++) byItem.add(new ArrayList<>());
        for (Request q : requests) byItem.get(q.item).add(q);
        // 2. Items whose choices share their prefix ([BOS] + context): the prefix once, then the choices.
        List<Request> unshared = new ArrayList<>();
        List<Integer> shared = new ArrayList<>();
        for (int i = 0; i < ll.length; i++) {
            if (!config.wholeSequences() && sharesPrefix(byItem.get(i))) shared.add(i);
            else unshared.addAll(byItem.get(i));
        }
        int batches = (unshared.size() + config.batchSize() - 1) / config.batchSize();
        long start = System.nanoTime();
        Progress progress = config.progress() ? Progress.start("multiple choice " + task.name(), shared.size() + batches) : null;
        for (int i : shared) {
            List<Request> choices = byItem.get(i);
            Request first = choices.get(0);
            int[] prefix = Arrays.copyOf(first.sequence, first.sequence.length - first.continuationTokens);
            int[][] conts = new int[choices.size()][];
            for (Request q : choices) conts[q.choice] = Arrays.copyOfRange(q.sequence, prefix.length, q.sequence.length);
            ll[i] = scorer.continuationLogLikelihoods(prefix, conts);
            if (progress != null) progress.step();
        }
        // 3. The rest (a context cut differently per choice to fit the model): whole sequences, longest
        //    first, batches right-padded to their longest; ll = Σ log p(cont_k | ...), read at out[pos - 1].
        unshared.sort(Comparator.comparingInt((Request r) -> -r.sequence.length));
        for (int b = 0; b < batches; b++) {
            List<Request> batch = unshared.subList(b * config.batchSize(), Math.min(unshared.size(), (b + 1) * config.batchSize()));
            int len = batch.get(0).sequence.length;
            int[][] seqs = new int[batch.size()][];
            for (int r = 0; r < seqs.length; r++) seqs[r] = Arrays.copyOf(batch.get(r).sequence, len); // pad with 0
            float[][] logp = scorer.nextTokenLogProbs(seqs); // (B, T-1)
            for (int r = 0; r < seqs.length; r++) {
                Request q = batch.get(r);
                int n = q.sequence.length;
                double sum = 0;
                for (int pos = n - q.continuationTokens; pos < n; pos++) sum += logp[r][pos - 1];
                ll[q.item][q.choice] = sum;
            }
            if (progress != null) progress.step();
        }
        // 4. acc and acc_norm with their standard errors.
        List<ItemScore> scores = new ArrayList<>();
        for (int i = 0; i < ll.length; i++) {
            ChoiceItem item = task.items().get(i);
            int[] tokens = new int[ll[i].length];
            int[] bytes = new int[ll[i].length];
            for (int j = 0; j < bytes.length; j++) bytes[j] = item.choices().get(j).getBytes(StandardCharsets.UTF_8).length;
            for (Request q : requests) if (q.item == i) tokens[q.choice] = q.continuationTokens;
            scores.add(new ItemScore(ll[i], tokens, bytes, item.gold()));
        }
        if (progress != null) {
            progress.close();
        }
        return summarise(task.name(), scorer.name(), scores, task.chanceLevel(), (System.nanoTime() - start) / 1e9,
                task.metric());
    }

    /** acc, acc_norm, their standard errors and the interval of {@code metric} from per-item scores. */
    public static Result summarise(String task, String model, List<ItemScore> scores, double chance, double seconds,
                                   ChoiceTask.Metric metric) {
        double[] acc = correct(scores, ChoiceTask.Metric.ACC);
        double[] accNorm = correct(scores, ChoiceTask.Metric.ACC_NORM);
        Bootstrap.Interval ci = Bootstrap.DEFAULT.mean(metric == ChoiceTask.Metric.ACC ? acc : accNorm);
        return new Result(task, model, scores.size(), mean(acc), meanStderr(acc), mean(accNorm), meanStderr(accNorm),
                chance, seconds, List.copyOf(scores), metric, ci);
    }

    /** 1 where {@code metric}'s argmax is the gold choice, else 0. */
    static double[] correct(List<ItemScore> scores, ChoiceTask.Metric metric) {
        double[] out = new double[scores.size()];
        for (int i = 0; i < out.length; i++) {
            ItemScore s = scores.get(i);
            int predicted = metric == ChoiceTask.Metric.ACC ? s.predicted() : s.predictedNorm();
            out[i] = predicted == s.gold() ? 1 : 0;
        }
        return out;
    }

    /** lm-eval's {@code mean_stderr}: sqrt(Σ(x - mean)² / (n - 1)) / sqrt(n); NaN for n &lt; 2. */
    public static double meanStderr(double[] xs) {
        int n = xs.length;
        if (n < 2) return Double.NaN;
        double m = mean(xs);
        double ss = 0;
        for (double x : xs) ss += (x - m) * (x - m);
        return Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
    }

    /** Whether every choice of an item is its continuation of one and the same prefix. */
    private static boolean sharesPrefix(List<Request> choices) {
        Request first = choices.get(0);
        int p = first.sequence.length - first.continuationTokens;
        if (p < 1) return false;
        for (Request q : choices) {
            if (q.sequence.length - q.continuationTokens != p || !Arrays.equals(q.sequence, 0, p, first.sequence, 0, p)) {
                return false;
            }
        }
        return true;
    }

    /** The tokens lm-eval scores for (context, continuation): see the class comment. */
    static Request encode(Tokenizer tok, String context, String continuation, int maxLen, int item, int choice) {
        int spaces = context.length() - context.stripTrailing().length();
        if (spaces > 0) {
            continuation = context.substring(context.length() - spaces) + continuation;
            context = context.substring(0, context.length() - spaces);
        }
        int[] ctx;
        int[] cont;
        if (context.isEmpty()) {
            ctx = new int[0];
            cont = tok.encode(continuation);
        } else {
            int[] whole = tok.encode(context + continuation);
            ctx = tok.encode(context);
            cont = Arrays.copyOfRange(whole, Math.min(ctx.length, whole.length), whole.length);
        }
        if (cont.length == 0) throw new IllegalArgumentException("continuation '" + continuation + "' encodes to no tokens");
        int prefix = tok.bosId() >= 0 ? tok.bosId() : (context.isEmpty() ? tok.eosId() : -1);
        if (context.isEmpty() && prefix < 0) {
            throw new IllegalArgumentException("empty context needs a BOS or EOS token to condition on, and the tokenizer has neither");
        }
        int head = prefix >= 0 ? 1 : 0;
        int[] seq = new int[head + ctx.length + cont.length];
        if (head == 1) seq[0] = prefix;
        System.arraycopy(ctx, 0, seq, head, ctx.length);
        System.arraycopy(cont, 0, seq, head + ctx.length, cont.length);
        if (cont.length >= maxLen) {
            throw new IllegalArgumentException("continuation '" + continuation + "' has " + cont.length
                    + " tokens, not less than the model's maximum sequence length " + maxLen);
        }
        if (seq.length > maxLen) seq = Arrays.copyOfRange(seq, seq.length - maxLen, seq.length);
        return new Request(item, choice, seq, cont.length);
    }

    /** One sequence to score: the last {@code continuationTokens} of {@code sequence} are the choice. */
    record Request(int item, int choice, int[] sequence, int continuationTokens) {}

    private static double mean(double[] xs) {
        double s = 0;
        for (double x : xs) s += x;
        return xs.length == 0 ? Double.NaN : s / xs.length;
    }

    private static int argmax(double[] ll, int[] bytes) {
        int best = 0;
        for (int j = 1; j < ll.length; j++) {
            double a = bytes == null ? ll[j] : ll[j] / bytes[j];
            double b = bytes == null ? ll[best] : ll[best] / bytes[best];
            if (a > b) best = j;
        }
        return best;
    }
}
