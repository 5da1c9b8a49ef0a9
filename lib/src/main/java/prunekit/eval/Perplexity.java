package prunekit.eval;

import ai.djl.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import prunekit.viz.Progress;
import prunekit.data.Corpora;
import prunekit.data.Document;
import prunekit.data.TokenStream;
import prunekit.model.Tokenizer;

/**
 * Perplexity over non-overlapping windows of a token stream, the protocol of the pruning papers
 * (Wanda, SparseGPT, GBLM-Pruner: WikiText-2 test joined into one stream, cut into windows of the
 * model's sequence length, PPL = exp(mean token NLL)).
 *
 * <p><b>First token of a window.</b> If the tokenizer has a BOS, every window is {@code [BOS]}
 * followed by the next {@code seqLen - 1} stream tokens, and all of those are scored, so every
 * evaluated stream token is predicted exactly once and the first one of a window sees only BOS.
 * Without a BOS, a window is {@code seqLen} stream tokens and its first token is context only (not
 * scored), as in Wanda's {@code eval_ppl}. Either way a window scores {@code seqLen - 1} tokens.
 * A trailing partial window is dropped.
 *
 * <p>PPL = exp(NLL), NLL = -(1/N) Σ log p(x_t | window prefix), over the N scored tokens.
 */
public final class Perplexity {

    /**
     * @param seqLen tokens per window including BOS (PAPERS.md: report 128 and the calibration length)
     * @param maxTokens cap on scored tokens, whole windows only (at least one window); 0 = no cap
     * @param batchSize windows per call of the scorer (4: small enough for CPU memory at seqLen 2048)
     * @param progress show a progress bar ({@link Progress})
     */
    public record Config(int seqLen, long maxTokens, int batchSize, boolean progress) {
        /** seqLen 128, no cap, batches of 4, progress on. */
        public static final Config DEFAULT = new Config(128, 0, 4, true);

        public Config {
            if (seqLen < 2) throw new IllegalArgumentException("seqLen must be >= 2, got " + seqLen);
            if (maxTokens < 0) throw new IllegalArgumentException("maxTokens must be >= 0 (0 = all), got " + maxTokens);
            if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }

        /** Tokens a pass holds on a GPU ({@link #forDevice}): 8,192, the logits of a 49,152-token vocabulary in 1.6 GB. */
        public static final int GPU_TOKENS_PER_PASS = 8192;

        /**
         * Windows of {@code seqLen} tokens, at most {@code maxTokens} scored, without a progress bar, in batches
         * sized for {@code device}: 4 windows on a CPU; on a GPU, whose pass at these sizes is spent launching its
         * operations ({@link MultipleChoice.Config#forDevice} says why), as many windows as fill {@link
         * #GPU_TOKENS_PER_PASS} (64 at 128 tokens, 4 at 2,048), never fewer than 4. The batch changes nothing but
         * float rounding: each window is scored on its own.
         */
        public static Config forDevice(Device device, int seqLen, long maxTokens) {
            int batch = DEFAULT.batchSize();
            if (device.isGpu()) batch = Math.max(batch, GPU_TOKENS_PER_PASS / Math.max(1, seqLen));
            return new Config(seqLen, maxTokens, batch, false);
        }

        /** This config with the progress bar on or off. */
        public Config withProgress(boolean on) {
            return new Config(seqLen, maxTokens, batchSize, on);
        }

        /** This config with another sequence length. */
        public Config withSeqLen(int n) {
            return new Config(n, maxTokens, batchSize, progress);
        }

        /** This config with another token cap. */
        public Config withMaxTokens(long n) {
            return new Config(seqLen, n, batchSize, progress);
        }
    }

    /**
     * @param ppl perplexity exp(nll)
     * @param nll mean negative log-likelihood per scored token, in nats
     * @param tokens number of scored tokens
     * @param windows number of windows evaluated
     * @param seqLen tokens per window, including BOS if any
     * @param bos whether windows started with BOS
     * @param model {@link TokenScorer#name()}
     * @param data what was evaluated, e.g. {@code "brown/test"} or a file name
     * @param seconds wall time of the scoring loop
     * @param windowNll mean NLL of each window's scored tokens, in window order: the units of the
     *                  interval and of a {@link PairedComparison} (every window scores seqLen - 1
     *                  tokens, so their mean is {@code nll})
     * @param ci95 95 % percentile-bootstrap interval of {@code ppl} over windows ({@link Bootstrap#DEFAULT});
     *             windows are contiguous, so neighbouring ones are not quite independent and the
     *             interval is if anything a little narrow
     */
    public record Result(double ppl, double nll, long tokens, int windows, int seqLen, boolean bos,
                         String model, String data, double seconds, double[] windowNll, Bootstrap.Interval ci95) {

        /** The interval of {@code ppl} from another bootstrap (level, resamples, seed). */
        public Bootstrap.Interval ci(Bootstrap bootstrap) {
            return bootstrap.mean(windowNll).map(Math::exp);
        }
    }

    private Perplexity() {}

    /** Perplexity of one split of a corpus, e.g. {@code ofSplit(scorer, tok, "brown", "test", cfg)}. */
    public static Result ofSplit(TokenScorer scorer, Tokenizer tokenizer, String corpus, String split, Config config) {
        return ofDocuments(scorer, tokenizer, Corpora.documents(corpus, split), corpus + "/" + split, config);
    }

    /** Perplexity of documents joined by {@link TokenStream}. */
    public static Result ofDocuments(TokenScorer scorer, Tokenizer tokenizer, List<Document> docs, String data, Config config) {
        if (docs.isEmpty()) throw new IllegalArgumentException(data + ": no documents to evaluate");
        // with a token cap, encode only as many documents as the capped windows need
        long needed = config.maxTokens() > 0 ? config.maxTokens() + 2L * config.seqLen() : 0;
        return ofStream(scorer, TokenStream.of(docs, tokenizer, needed), tokenizer.bosId(), data, config);
    }

    /** Perplexity of a UTF-8 text file. */
    public static Result ofFile(TokenScorer scorer, Tokenizer tokenizer, Path file, Config config) {
        try {
            return ofText(scorer, tokenizer, Files.readString(file), file.toString(), config);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read", e);
        }
    }

    /** Perplexity of {@code text}. */
    public static Result ofText(TokenScorer scorer, Tokenizer tokenizer, String text, String data, Config config) {
        if (text.isBlank()) throw new IllegalArgumentException(data + ": text is empty");
        return ofStream(scorer, tokenizer.encode(text), tokenizer.bosId(), data, config);
    }

    /** Perplexity of a tokenised stream; {@code bosId} &lt; 0 means no BOS. */
    public static Result ofStream(TokenScorer scorer, int[] stream, int bosId, String data, Config config) {
        int seqLen = config.seqLen();
        if (seqLen > scorer.maxSequenceLength()) {
            throw new IllegalArgumentException("seqLen " + seqLen + " exceeds " + scorer.name()
                    + "'s maximum sequence length " + scorer.maxSequenceLength());
        }
        if (stream.length == 0) throw new IllegalArgumentException(data + ": text is empty (0 tokens)");
        boolean bos = bosId >= 0;
        int body = bos ? seqLen - 1 : seqLen;
        int windows = windowCount(stream.length, seqLen, bos, config.maxTokens());
        if (windows == 0) {
            throw new IllegalArgumentException(data + ": " + stream.length + " tokens, fewer than one window of "
                    + body + " stream tokens (seqLen " + seqLen + "): use a shorter seqLen or more text");
        }
        // 1. Score batches of windows; row b of a batch is [BOS?] + stream[w*body, (w+1)*body).
        long start = System.nanoTime();
        Progress progress = config.progress() ? Progress.start("perplexity " + data, windows) : null;
        double sumNll = 0;
        long tokens = 0;
        double[] windowNll = new double[windows];
        for (int w0 = 0; w0 < windows; w0 += config.batchSize()) {
            int b = Math.min(config.batchSize(), windows - w0);
            int[][] batch = new int[b][seqLen]; // (B, T)
            for (int i = 0; i < b; i++) {
                int offset = bos ? 1 : 0;
                if (bos) batch[i][0] = bosId;
                System.arraycopy(stream, (w0 + i) * body, batch[i], offset, body);
            }
            float[][] logp = scorer.nextTokenLogProbs(batch); // (B, T-1)
            // 2. Every prediction of the window counts: log p(x_{t+1} | x_0..x_t), t = 0..T-2.
            for (int i = 0; i < b; i++) {
                float[] row = logp[i];
                if (row.length != seqLen - 1) {
                    throw new IllegalStateException(scorer.name() + " returned " + row.length
                            + " log-probs for a sequence of " + seqLen + " tokens, expected " + (seqLen - 1));
                }
                double window = 0;
                for (float lp : row) window -= lp;
                windowNll[w0 + i] = window / row.length;
                sumNll += window;
                tokens += row.length;
            }
            if (progress != null) {
                progress.step(b);
            }
        }
        // 3. PPL = exp(mean NLL), its interval from resampling windows.
        double nll = sumNll / tokens;
        if (progress != null) {
            progress.close();
        }
        return new Result(Math.exp(nll), nll, tokens, windows, seqLen, bos, scorer.name(), data,
                (System.nanoTime() - start) / 1e9, windowNll, Bootstrap.DEFAULT.mean(windowNll).map(Math::exp));
    }

    /**
     * Number of whole windows a stream of {@code streamLength} tokens gives, at most
     * {@code maxTokens / (seqLen - 1)} (but at least one) when {@code maxTokens > 0}.
     */
    public static int windowCount(int streamLength, int seqLen, boolean bos, long maxTokens) {
        int body = bos ? seqLen - 1 : seqLen;
        int windows = streamLength / body;
        if (maxTokens > 0) windows = (int) Math.min(windows, Math.max(1, maxTokens / (seqLen - 1)));
        return windows;
    }
}
