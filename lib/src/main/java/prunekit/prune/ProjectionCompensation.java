package prunekit.prune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import prunekit.linalg.Linalg;
import prunekit.model.LlamaModel;
import prunekit.model.OwnedArrays;
import prunekit.model.TensorNames;
import prunekit.model.Trace;

/**
 * GradMAP's projection compensation (Stage 2): after layers are removed, one linear map P, found in
 * closed form from calibration data, pulls a surviving layer's output back towards the original
 * model's, and is folded into that layer's down projection so the pruned model keeps the plain
 * LLaMA structure.
 *
 * <p><b>What is regressed (the fold is exact).</b> A pre-norm layer j of the pruned model computes
 * {@code out = r + M}, with {@code r} the residual stream after attention and {@code M = MLP(·)} the
 * MLP branch. {@link LlamaModel#insertMlpOutputMap} can only map the MLP branch, giving
 * {@code out' = r + M P}. So we regress the target residual {@code Y = H_o − r} on {@code X = M}:
 * <pre>  P = argmin ||X P − Y||² + λ||P − I||²  =  (XᵀX + λI)⁻¹ (XᵀY + λI)</pre>
 * which is exactly {@code argmin ||out' − H_o||² + λ||P − I||²}, the paper's objective with
 * {@code H_pruned P} replaced by what a fold into down_proj can express. (Regressing the whole
 * hidden state, {@code H_p P ≈ H_o}, is not foldable: {@code H_p P = r P + M P} maps the residual
 * branch too.) This is ReplaceMe's formulation (mts-ai/ReplaceMe: MLP output regressed on the target
 * minus the attention residual). {@code H_o} is the original model's output of
 * {@code originalLayer}: the layer pruned layer j came from (the paper's "matching layer"), or, as in
 * ReplaceMe, the last removed layer of a gap when j sits just before it.
 *
 * <p>XᵀX, XᵀY are accumulated in float64 over all calibration tokens; (XᵀX + λI) is solved by a
 * Cholesky factorisation in float64 ({@link Linalg}). λ = {@code ridge} · mean diagonal of XᵀX (scale-free; the paper's
 * λ is unknown).
 *
 * <p><b>Choosing λ on held-out windows (default).</b> On SmolLM2 with 16 × 128 calibration tokens a
 * light fixed ridge (10⁻³) fitted the calibration tokens and <em>raised</em> test perplexity (110.6 →
 * 166.7 after removing 6 layers by GradMAP): a C×C map from a few thousand tokens overfits. So by
 * default every 4th window is held out, λ is chosen from {@link #RIDGE_GRID} by the held-out error of
 * a map fitted on the other windows — and if no λ beats the identity there, no map is folded at all
 * (reported as ridge = +∞) — and the map is refitted on every window with the chosen λ.
 *
 * <p><b>Mean-only ablation.</b> Adding the mean difference δ = mean(H_o) − mean(H_p) as a bias is not
 * expressible: LLaMA's linear layers and RMSNorm have no bias, and no existing weight can add a
 * constant. Instead {@link #applyMeanOnly} folds the smallest (Frobenius) change of P = I that moves
 * the <em>mean</em> by exactly δ on the calibration data: {@code P = I + μ_M δᵀ / ||μ_M||²}
 * (μ_M the mean MLP output), since mean(M P) = μ_M + δ. Per token it adds
 * {@code (m·μ_M / ||μ_M||²) δ}, which averages to δ.
 */
public final class ProjectionCompensation {

    /**
     * @param ridge           λ relative to the mean diagonal of XᵀX, used as given when
     *                        {@code validationEvery} is 0 (1e-3: a light pull towards P = I)
     * @param microBatch      windows per forward pass (4)
     * @param validationEvery hold out every n-th calibration window, choose λ from {@link #RIDGE_GRID}
     *                        — or no map at all — by the error on the held-out windows, then refit on
     *                        every window (4; 0 = no selection, use {@code ridge})
     * @param skipTokens      leading positions of every window left out of the regression (0). The
     *                        first token is LLaMA's attention sink, whose massive activations dominate
     *                        the squared error; but the folded map acts on every position, the sink
     *                        too, and a map fitted without it can wreck it: on SmolLM2 (GradMAP's 6
     *                        layers removed, map at original layer 11) skipping it gave test
     *                        perplexity 429 instead of 111. Kept as an option for experiments.
     */
    public record Config(double ridge, int microBatch, int validationEvery, int skipTokens) {
        /** λ chosen on every 4th window, micro-batches of 4, every token regressed. */
        public static final Config DEFAULT = new Config(1e-3, 4, 4, 0);

        public Config {
            if (ridge < 0) throw new IllegalArgumentException("ridge must be >= 0, got " + ridge);
            if (microBatch < 1) throw new IllegalArgumentException("microBatch must be >= 1, got " + microBatch);
            if (validationEvery < 0 || validationEvery == 1) {
                throw new IllegalArgumentException("validationEvery must be 0 (off) or >= 2, got " + validationEvery);
            }
            if (skipTokens < 0) throw new IllegalArgumentException("skipTokens must be >= 0, got " + skipTokens);
        }

        /** A fixed relative ridge, no held-out selection, every token regressed. */
        public Config(double ridge, int microBatch) {
            this(ridge, microBatch, 0, 0);
        }
    }

    /** Relative ridges tried when {@link Config#validationEvery} is on. */
    public static final double[] RIDGE_GRID = {1e-4, 1e-3, 1e-2, 1e-1, 1, 10};

    /**
     * What a compensation did.
     *
     * @param prunedLayer   layer of the pruned model whose down_proj received P
     * @param originalLayer layer of the original model whose output was the target
     * @param map           P, C×C row-major (row-vector convention: out = r + M P)
     * @param lambda        the absolute λ used (0 for the mean-only map, +∞ when the held-out
     *                      windows preferred no map: P = I, the model is unchanged)
     * @param ridge         λ relative to the mean diagonal of XᵀX (NaN for the mean-only map)
     * @param heldOutBefore error on the held-out windows without the map (NaN without selection)
     * @param heldOutAfter  error on the held-out windows with the map fitted on the others
     * @param errorBefore   Σ over calibration tokens of ||out − H_o||² before the fold
     * @param errorAfter    the same after the fold, from the accumulated moments
     * @param tokens        calibration tokens
     * @param seconds       wall time (forward passes, accumulation, solve, fold)
     */
    public record Result(int prunedLayer, int originalLayer, double[] map, double lambda, double ridge,
                         double errorBefore, double errorAfter, double heldOutBefore, double heldOutAfter,
                         long tokens, double seconds) {}

    private ProjectionCompensation() {}

    /**
     * GradMAP's choice of where to compensate: the pruned layer whose per-channel mean output
     * shifts most from its original layer's ({@link MeanShift#largest}). Apply there with
     * {@code survivors[j]} as the original layer.
     */
    public static int largestShiftLayer(LlamaModel original, LlamaModel pruned, int[] survivors, int[][] calibration,
            Config config) {
        return MeanShift.measure(original, pruned, survivors, calibration, config.microBatch()).largest(1)[0];
    }

    /** Least-squares P at {@code prunedLayer} towards the original's {@code originalLayer} output, folded in. */
    public static Result apply(LlamaModel original, LlamaModel pruned, int prunedLayer, int originalLayer,
            int[][] calibration, Config config) {
        long start = System.nanoTime();
        int n = config.validationEvery();
        int[][] fit = n == 0 ? calibration : windows(calibration, n, false);
        int[][] held = n == 0 ? new int[0][] : windows(calibration, n, true);
        if (held.length == 0 || fit.length == 0) {    // too few windows to hold any out
            fit = calibration;
            held = new int[0][];
        }
        Moments m = Moments.collect(original, pruned, prunedLayer, originalLayer, fit, config);
        int c = m.c;
        double ridge = config.ridge();
        double heldBefore = Double.NaN, heldAfter = Double.NaN;
        if (held.length > 0) {
            // 1. choose λ (or no map) by the error on the held-out windows of a map fitted on the rest
            Moments h = Moments.collect(original, pruned, prunedLayer, originalLayer, held, config);
            heldBefore = h.errorOf(identity(c));
            heldAfter = heldBefore;
            ridge = Double.POSITIVE_INFINITY;
            for (double r : RIDGE_GRID) {
                double e = h.errorOf(ridge(m.xtx, m.xty, r * m.meanDiagonal(), c));
                if (e < heldAfter) {
                    heldAfter = e;
                    ridge = r;
                }
            }
            m = m.plus(h);                               // 2. refit on every window
        }
        double lambda = ridge * m.meanDiagonal();
        double[] p = Double.isInfinite(ridge) ? identity(c) : ridge(m.xtx, m.xty, lambda, c);
        if (!Double.isInfinite(ridge)) {
            fold(pruned, prunedLayer, p, c);
        }
        return new Result(prunedLayer, originalLayer, p, lambda, ridge, m.errorOf(identity(c)), m.errorOf(p),
                heldBefore, heldAfter, m.n, (System.nanoTime() - start) / 1e9);
    }

    /**
     * The projection at several pruned layers (e.g. {@link MeanShift#largest}'s first few), each towards
     * {@code survivors[j]}: fitted and folded one layer after another from the lowest up, so that each fit sees
     * the layers below it already compensated. Results in that order.
     */
    public static List<Result> applyAt(LlamaModel original, LlamaModel pruned, int[] prunedLayers,
            int[] survivors, int[][] calibration, Config config) {
        int[] order = Arrays.stream(prunedLayers).distinct().sorted().toArray();
        if (order.length != prunedLayers.length) {
            throw new IllegalArgumentException("pruned layers " + Arrays.toString(prunedLayers) + " repeat a layer");
        }
        List<Result> results = new ArrayList<>();
        for (int j : order) {
            if (j < 0 || j >= survivors.length) {
                throw new IllegalArgumentException("pruned layer " + j + " outside [0, " + survivors.length + ")");
            }
            results.add(apply(original, pruned, j, survivors[j], calibration, config));
        }
        return List.copyOf(results);
    }

    /** Every {@code every}-th window (held out) or all the others. */
    static int[][] windows(int[][] calibration, int every, boolean heldOut) {
        return java.util.stream.IntStream.range(0, calibration.length)
                .filter(i -> (i % every == every - 1) == heldOut)
                .mapToObj(i -> calibration[i]).toArray(int[][]::new);
    }

    /** The mean-only ablation: P = I + μ_M δᵀ/||μ_M||², which shifts the mean output by δ = μ_o − μ_p. */
    public static Result applyMeanOnly(LlamaModel original, LlamaModel pruned, int prunedLayer, int originalLayer,
            int[][] calibration, Config config) {
        long start = System.nanoTime();
        Moments m = Moments.collect(original, pruned, prunedLayer, originalLayer, calibration, config);
        int c = m.c;
        double[] muM = new double[c];
        double[] delta = new double[c];
        double norm = 0;
        for (int k = 0; k < c; k++) {
            muM[k] = m.sumX[k] / m.n;
            delta[k] = (m.sumHo[k] - m.sumHp[k]) / m.n;
            norm += muM[k] * muM[k];
        }
        double[] p = Linalg.multiply(muM, c, 1, delta, c);                       // μ_M δᵀ (C, C)
        for (int i = 0; i < p.length; i++) p[i] /= norm;
        for (int i = 0; i < c; i++) p[i * c + i] += 1;
        fold(pruned, prunedLayer, p, c);
        return new Result(prunedLayer, originalLayer, p, 0, Double.NaN, m.errorOf(identity(c)), m.errorOf(p),
                Double.NaN, Double.NaN, m.n, (System.nanoTime() - start) / 1e9);
    }

    /**
     * The ridge solution P = (XᵀX + λI)⁻¹(XᵀY + λI) from accumulated moments, all C×C row-major.
     */
    public static double[] ridge(double[] xtx, double[] xty, double lambda, int c) {
        double[] a = xtx.clone();
        double[] rhs = xty.clone();
        for (int i = 0; i < c; i++) {
            a[i * c + i] += lambda;
            rhs[i * c + i] += lambda;
        }
        try {
            return Linalg.solvePositiveDefinite(a, rhs, c);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("XᵀX + λI, λ = " + lambda + ": " + e.getMessage()
                    + ": raise the ridge λ or add calibration tokens", e);
        }
    }

    private static void fold(LlamaModel pruned, int layer, double[] p, int c) {
        try (NDManager tmp = pruned.manager().newSubManager()) {
            pruned.insertMlpOutputMap(layer, OwnedArrays.of(tmp, p, new Shape(c, c)));
        }
    }

    static double[] identity(int c) {
        double[] id = new double[c * c];
        for (int i = 0; i < c; i++) id[i * c + i] = 1;
        return id;
    }

    /** Float64 moments of X = M (pruned MLP output) and Y = H_o − r over all calibration tokens. */
    private static final class Moments {
        final int c;
        final double[] xtx;
        final double[] xty;
        final double[] sumX;
        final double[] sumHp;
        final double[] sumHo;
        double yy;
        long n;

        private Moments(int c) {
            this.c = c;
            xtx = new double[c * c];
            xty = new double[c * c];
            sumX = new double[c];
            sumHp = new double[c];
            sumHo = new double[c];
        }

        static Moments collect(LlamaModel original, LlamaModel pruned, int j, int o, int[][] calibration, Config config) {
            if (j < 0 || j >= pruned.config().layers()) {
                throw new IllegalArgumentException("pruned layer " + j + " outside [0, " + pruned.config().layers() + ")");
            }
            if (o < 0 || o >= original.config().layers()) {
                throw new IllegalArgumentException("original layer " + o + " outside [0, " + original.config().layers() + ")");
            }
            int skip = config.skipTokens();
            if (skip >= calibration[0].length) {
                throw new IllegalArgumentException("skipTokens " + skip + " leaves nothing of windows of "
                        + calibration[0].length + " tokens");
            }
            int c = pruned.config().hidden();
            Moments m = new Moments(c);
            Trace trace = Trace.of(Trace.Output.HIDDEN_STATES, Trace.Output.LINEAR_INPUTS);
            NDIndex kept = new NDIndex(":, " + skip + ":, :");                            // positions skip..T-1
            for (int b0 = 0; b0 < calibration.length; b0 += config.microBatch()) {
                int[][] mb = Arrays.copyOfRange(calibration, b0, Math.min(calibration.length, b0 + config.microBatch()));
                long rows = (long) mb.length * (mb[0].length - skip);
                try (NDManager step = pruned.manager().newSubManager()) {
                    NDArray ho;
                    try (NDManager os = original.manager().newSubManager()) {
                        ho = original.forward(os, mb, Trace.HIDDEN_STATES_ONLY).hiddenStates().get(o + 1).get(kept)
                                .toType(DataType.FLOAT64, true).reshape(rows, c);          // (N, C)
                        ho.attach(step);
                    }
                    var r = pruned.forward(step, mb, trace);
                    NDArray act = r.linearInputs().get(TensorNames.key(j, "down_proj")).get(kept);  // (B, T', I)
                    NDArray x = Linear.linear(act, pruned.layer(j).down()).get(0)
                            .toType(DataType.FLOAT64, false).reshape(rows, c);            // M: (N, C)
                    NDArray hp = r.hiddenStates().get(j + 1).get(kept).toType(DataType.FLOAT64, false).reshape(rows, c);
                    NDArray y = ho.sub(hp.sub(x));                                       // H_o − r
                    NDArray xt = x.transpose();
                    addTo(m.xtx, xt.matMul(x));
                    addTo(m.xty, xt.matMul(y));
                    addTo(m.sumX, x.sum(new int[] {0}));
                    addTo(m.sumHp, hp.sum(new int[] {0}));
                    addTo(m.sumHo, ho.sum(new int[] {0}));
                    m.yy += y.square().sum().getDouble();
                }
                m.n += rows;
            }
            return m;
        }

        /** Mean diagonal of XᵀX: the scale λ is relative to. */
        double meanDiagonal() {
            double d = 0;
            for (int i = 0; i < c; i++) d += xtx[i * c + i];
            return d / c;
        }

        /** The moments of both sets of tokens together. */
        Moments plus(Moments o) {
            Moments m = new Moments(c);
            for (int i = 0; i < xtx.length; i++) {
                m.xtx[i] = xtx[i] + o.xtx[i];
                m.xty[i] = xty[i] + o.xty[i];
            }
            for (int i = 0; i < c; i++) {
                m.sumX[i] = sumX[i] + o.sumX[i];
                m.sumHp[i] = sumHp[i] + o.sumHp[i];
                m.sumHo[i] = sumHo[i] + o.sumHo[i];
            }
            m.yy = yy + o.yy;
            m.n = n + o.n;
            return m;
        }

        private static void addTo(double[] acc, NDArray a) {
            double[] v = a.toDoubleArray();
            for (int i = 0; i < acc.length; i++) acc[i] += v[i];
        }

        /** Σ ||X P − Y||² = tr(Pᵀ XᵀX P) − 2 tr(Pᵀ XᵀY) + Σ Y². */
        double errorOf(double[] p) {
            double quad = Linalg.dot(p, Linalg.multiply(xtx, c, c, p, c));         // tr(Pᵀ XᵀX P)
            double cross = Linalg.dot(p, xty);                                     // tr(Pᵀ XᵀY)
            return quad - 2 * cross + yy;
        }
    }
}
