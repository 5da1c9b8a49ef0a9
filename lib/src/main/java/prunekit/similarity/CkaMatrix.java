package prunekit.similarity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import prunekit.model.LlamaModel;
import prunekit.model.Trace;

/**
 * Linear CKA between the outputs of every pair of decoder layers on calibration windows, as in
 * SLM's layer-similarity analysis (Ding et al., arXiv 2502.19159): each layer's output
 * (T, C) is flattened per window into one feature vector, and the minibatch estimator of
 * {@link Cka} is accumulated over minibatches of windows. The heat map of the result shows the
 * paper's "patch-like" blocks of mutually similar neighbouring layers.
 */
public final class CkaMatrix {

    /**
     * @param batchSize  windows per minibatch (one forward pass each); a remainder of fewer than
     *                   {@link Cka#MIN_EXAMPLES} windows joins the last minibatch
     * @param skipFirst  token positions left out of the features at the start of each window
     *                   (0 = the whole window, as the paper; 1 leaves out the first token, where
     *                   SmolLM2's massive activation sits)
     */
    public record Config(int batchSize, int skipFirst) {
        /** Minibatches of 8 windows, whole windows. */
        public static final Config DEFAULT = new Config(8, 0);

        public Config {
            if (batchSize < Cka.MIN_EXAMPLES) {
                throw new IllegalArgumentException("CKA batchSize must be >= " + Cka.MIN_EXAMPLES
                        + " (the unbiased HSIC estimator's minimum), got " + batchSize);
            }
            if (skipFirst < 0) throw new IllegalArgumentException("skipFirst must be >= 0, got " + skipFirst);
        }

        public Config withSkipFirst(int n) {
            return new Config(batchSize, n);
        }
    }

    /**
     * @param cka       L × L, cka[i][j] between the outputs of layers i and j
     * @param model     model name
     * @param windows   calibration windows used
     * @param seqLen    tokens per window
     * @param batches   minibatches accumulated
     * @param skipFirst positions left out at the start of each window
     * @param seconds   wall time
     */
    public record Result(double[][] cka, String model, int windows, int seqLen, int batches, int skipFirst,
                         double seconds) {

        /** Number of layers compared. */
        public int layers() {
            return cka.length;
        }

        /** Writes the matrix as CSV: a header {@code layer,0,1,...} and one row per layer. */
        public void writeCsv(Path file) {
            StringBuilder sb = new StringBuilder("layer");
            for (int j = 0; j < cka.length; j++) sb.append(',').append(j);
            sb.append('\n');
            for (int i = 0; i < cka.length; i++) {
                sb.append(i);
                for (double v : cka[i]) sb.append(',').append(String.format(Locale.ROOT, "%.6f", v));
                sb.append('\n');
            }
            try {
                if (file.getParent() != null) Files.createDirectories(file.getParent());
                Files.writeString(file, sb, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": cannot write the CKA matrix", e);
            }
        }
    }

    private CkaMatrix() {}

    /** CKA between the outputs of every pair of decoder layers of {@code model} on {@code calibration}. */
    public static Result compute(LlamaModel model, int[][] calibration, Config config) {
        long t0 = System.nanoTime();
        int n = calibration.length;
        int seqLen = calibration.length == 0 ? 0 : calibration[0].length;
        if (n < Cka.MIN_EXAMPLES) {
            throw new IllegalArgumentException("CKA needs at least " + Cka.MIN_EXAMPLES
                    + " calibration windows (unbiased HSIC), got " + n);
        }
        if (config.skipFirst() >= seqLen) {
            throw new IllegalArgumentException("skipFirst " + config.skipFirst() + " leaves nothing of windows of "
                    + seqLen + " tokens: use 0 <= skipFirst < " + seqLen);
        }
        int layers = model.config().layers();
        Cka.Minibatch acc = new Cka.Minibatch(layers);
        for (int[] range : minibatches(n, config.batchSize())) {
            int[][] mb = Arrays.copyOfRange(calibration, range[0], range[1]);
            try (NDManager step = model.manager().newSubManager()) {
                List<NDArray> hidden = model.forward(step, mb, Trace.HIDDEN_STATES_ONLY).hiddenStates();
                double[][][] grams = new double[layers][][];
                for (int l = 0; l < layers; l++) {
                    NDArray out = hidden.get(l + 1);                                       // (B, T, C)
                    if (config.skipFirst() > 0) out = out.get(new NDIndex(":, " + config.skipFirst() + ":"));
                    grams[l] = Cka.gram(out);                                              // (B, B)
                }
                acc.add(grams);
            }
        }
        return new Result(acc.matrix(), model.config().name(), n, seqLen, acc.batches(), config.skipFirst(),
                (System.nanoTime() - t0) / 1e9);
    }

    /** [from, to) index ranges of size {@code size}; a short remainder joins the last range. */
    static List<int[]> minibatches(int n, int size) {
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from < n; from += size) {
            int to = Math.min(n, from + size);
            if (to - from < Cka.MIN_EXAMPLES && !out.isEmpty()) {
                out.get(out.size() - 1)[1] = to;
            } else {
                out.add(new int[] {from, to});
            }
        }
        return out;
    }
}
