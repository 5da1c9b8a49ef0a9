package prunekit.prune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import prunekit.model.LlamaModel;
import prunekit.model.Trace;

/**
 * How far the hidden states of a pruned model drift from the original's (GradMAP, Stage 2: "measure,
 * at each surviving position, the shift of the per-channel mean of the hidden state").
 *
 * <p>Calibration windows run through both models. Pruned layer j is aligned with the original layer
 * it came from, {@code survivors[j]} ({@link LayerPruner.Result#survivors()}), and the two outputs
 * of those layers are averaged per channel over every token of every window:
 * <pre>  μ_o[j] = mean_t h^orig_{survivors[j]}(t),   μ_p[j] = mean_t h^pruned_j(t)   (C each)
 *   shift[j] = ||μ_p[j] − μ_o[j]||₂ / ||μ_o[j]||₂</pre>
 * All tokens count, the first (BOS) one included: its large activations weigh in the mean.
 *
 * @param survivors     original layer index of each pruned layer
 * @param originalMeans μ_o, one row of C per pruned layer
 * @param prunedMeans   μ_p, one row of C per pruned layer
 * @param shift         relative shift ||μ_p − μ_o|| / ||μ_o|| per pruned layer
 * @param absoluteShift ||μ_p − μ_o|| per pruned layer
 * @param tokens        number of tokens averaged
 */
public record MeanShift(int[] survivors, double[][] originalMeans, double[][] prunedMeans, double[] shift,
                        double[] absoluteShift, long tokens) {

    /**
     * Runs {@code calibration} through both models in micro-batches and compares the means.
     *
     * @param survivors original index of each layer of {@code pruned}, increasing
     */
    public static MeanShift measure(LlamaModel original, LlamaModel pruned, int[] survivors,
            int[][] calibration, int microBatch) {
        checkAlignment(original, pruned, survivors);
        int n = survivors.length;
        int c = pruned.config().hidden();
        double[][] sumO = new double[n][c];
        double[][] sumP = new double[n][c];
        long tokens = 0;
        for (int b0 = 0; b0 < calibration.length; b0 += microBatch) {
            int[][] mb = Arrays.copyOfRange(calibration, b0, Math.min(calibration.length, b0 + microBatch));
            try (NDManager step = original.manager().newSubManager()) {
                List<NDArray> ho = original.forward(step, mb, Trace.HIDDEN_STATES_ONLY).hiddenStates();
                for (int j = 0; j < n; j++) add(sumO[j], ho.get(survivors[j] + 1));
            }
            try (NDManager step = pruned.manager().newSubManager()) {
                List<NDArray> hp = pruned.forward(step, mb, Trace.HIDDEN_STATES_ONLY).hiddenStates();
                for (int j = 0; j < n; j++) add(sumP[j], hp.get(j + 1));
            }
            tokens += (long) mb.length * mb[0].length;
        }
        double[] rel = new double[n];
        double[] abs = new double[n];
        for (int j = 0; j < n; j++) {
            double diff = 0, norm = 0;
            for (int k = 0; k < c; k++) {
                sumO[j][k] /= tokens;
                sumP[j][k] /= tokens;
                diff += (sumP[j][k] - sumO[j][k]) * (sumP[j][k] - sumO[j][k]);
                norm += sumO[j][k] * sumO[j][k];
            }
            abs[j] = Math.sqrt(diff);
            rel[j] = abs[j] / Math.sqrt(norm);
        }
        return new MeanShift(survivors.clone(), sumO, sumP, rel, abs, tokens);
    }

    /** Adds the per-channel sum over (B, T) of {@code h} (B, T, C) to {@code acc}. */
    static void add(double[] acc, NDArray h) {
        double[] s = h.toType(DataType.FLOAT64, false).sum(new int[] {0, 1}).toDoubleArray();   // (C)
        for (int k = 0; k < acc.length; k++) acc[k] += s[k];
    }

    static void checkAlignment(LlamaModel original, LlamaModel pruned, int[] survivors) {
        if (survivors.length != pruned.config().layers()) {
            throw new IllegalArgumentException("survivors has " + survivors.length + " entries but the pruned model has "
                    + pruned.config().layers() + " layers: pass LayerPruner.Result.survivors()");
        }
        for (int j = 0; j < survivors.length; j++) {
            if (survivors[j] < 0 || survivors[j] >= original.config().layers() || (j > 0 && survivors[j] <= survivors[j - 1])) {
                throw new IllegalArgumentException("survivors must be increasing original layer indices in [0, "
                        + original.config().layers() + "), got " + Arrays.toString(survivors));
            }
        }
        if (original.config().hidden() != pruned.config().hidden()) {
            throw new IllegalArgumentException("hidden sizes differ: " + original.config().hidden() + " vs "
                    + pruned.config().hidden());
        }
    }

    /** The {@code n} pruned-layer positions with the largest relative shift, largest first. */
    public int[] largest(int n) {
        return IntStream.range(0, shift.length).boxed()
                .sorted((a, b) -> Double.compare(shift[b], shift[a]))
                .limit(n).mapToInt(Integer::intValue).toArray();
    }
}
