package prunekit.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.model.LmLoss;
import prunekit.model.Trace;

/**
 * Throughput of the forward pass and of forward + backward (the LM loss, gradients of every
 * decoder weight) on random tokens, with the median of several timed runs after a warm-up, and
 * the process's peak resident memory; the achieved GFLOP/s from a FLOP count of the model
 * ({@link #forwardFlopsPerToken}), and the GFLOP/s of one large float32 matrix product, the
 * practical ceiling of this machine ({@link #matmul}). A benchmark, not a test: it reports, it
 * asserts nothing.
 */
public final class ModelBenchmark {

    /**
     * One measurement.
     *
     * @param phase          {@code "forward"} or {@code "fwdbwd"} (forward + backward)
     * @param medianSeconds  median wall time of one timed run (batch × seqLen tokens)
     * @param bestSeconds    fastest timed run
     * @param totalSeconds   wall time of the whole phase: warm-up and every timed run
     * @param hostSeconds    median time until a run had issued its last operation: on a GPU, when the host is
     *                       done and only the device may still be working (close to medianSeconds: the pass is
     *                       bound by the host's time per operation); on the CPU the same as the run
     * @param flopsPerToken  model FLOPs per token of this phase ({@link #forwardFlopsPerToken},
     *                       {@link #forwardBackwardFlopsPerToken})
     * @param peakRssMb      the process's peak resident memory after this phase, MiB
     * @param loss           fwdbwd: the mean next-token NLL of the last run (a check that another
     *                       implementation computed the same model on the same tokens); NaN for forward
     */
    public record Result(String phase, int batch, int seqLen, int iterations, double medianSeconds, double bestSeconds,
            double totalSeconds, double hostSeconds, double flopsPerToken, long peakRssMb, double loss) {

        public double tokensPerSecond() {
            return batch * seqLen / medianSeconds;
        }

        /** Model FLOPs per second at the median run time, in units of 10⁹. */
        public double gflops() {
            return flopsPerToken * tokensPerSecond() / 1e9;
        }

        /** {@code <phase>_<quantity>=value} lines, for scripts. */
        public String keyValues() {
            return (Double.isNaN(loss) ? "" : line(phase + "_loss", "%.6f", loss) + "\n") + String.join("\n",
                    line(phase + "_tok_s", "%.1f", tokensPerSecond()),
                    line(phase + "_median_s", "%.4f", medianSeconds),
                    line(phase + "_host_s", "%.4f", hostSeconds),
                    line(phase + "_best_s", "%.4f", bestSeconds),
                    line(phase + "_total_s", "%.3f", totalSeconds),
                    line(phase + "_gflops", "%.2f", gflops()),
                    line(phase + "_flops_per_token", "%.0f", flopsPerToken),
                    phase + "_peak_rss_mb=" + peakRssMb);
        }
    }

    /**
     * The matrix-product ceiling: {@code (n × n)·(n × n)} in float32, {@code 2n³} FLOPs a product.
     *
     * @param medianSeconds median wall time of one product over the timed runs
     * @param totalSeconds  wall time of the warm-up and every timed run
     */
    public record MatmulResult(int n, int iterations, double medianSeconds, double bestSeconds, double totalSeconds) {

        /** {@code 2n³ / median}, in units of 10⁹ FLOP/s. */
        public double gflops() {
            return 2.0 * n * n * (double) n / medianSeconds / 1e9;
        }

        /** {@code matmul_<quantity>=value} lines, for scripts. */
        public String keyValues() {
            return String.join("\n",
                    "matmul_n=" + n,
                    line("matmul_median_s", "%.5f", medianSeconds),
                    line("matmul_best_s", "%.5f", bestSeconds),
                    line("matmul_total_s", "%.3f", totalSeconds),
                    line("matmul_gflops", "%.2f", gflops()));
        }
    }

    private ModelBenchmark() {}

    /** {@link #forward(LlamaModel, int, int, int, int)} after one warm-up pass. */
    public static Result forward(LlamaModel model, int batch, int seqLen, int iterations) {
        return forward(model, batch, seqLen, 1, iterations);
    }

    /**
     * Forward passes of B random windows of T tokens, all logits computed and summed.
     *
     * @param warmup untimed passes first: the JVM compiles DJL's and prunekit's Java code over the first
     *               passes (on this 2-core machine C2 kept compiling until about pass 48 and the passes got
     *               faster until about pass 41: environment/bench-vs-pytorch.sh gives both sides 60)
     */
    public static Result forward(LlamaModel model, int batch, int seqLen, int warmup, int iterations) {
        return forward(model, batch, seqLen, warmup, iterations, Turns.ALONE);
    }

    /** As {@link #forward(LlamaModel, int, int, int, int)}, each pass in its turn (warm-up passes too). */
    public static Result forward(LlamaModel model, int batch, int seqLen, int warmup, int iterations, Turns turns) {
        int[][] tokens = randomTokens(model, batch, seqLen);
        double[] times = new double[warmup + iterations];
        double[] host = new double[times.length];
        for (int i = 0; i < times.length; i++) {
            turns.await();
            long t0 = System.nanoTime();
            long issued = forwardOnce(model, tokens);
            long t1 = System.nanoTime();
            times[i] = (t1 - t0) / 1e9;
            host[i] = (issued - t0) / 1e9;
            turns.pass();
        }
        return result("forward", batch, seqLen, warmup, times, host, forwardFlopsPerToken(model.config(), seqLen),
                Double.NaN);
    }

    /** {@link #forwardBackward(LlamaModel, int, int, int, int)} after one warm-up pass. */
    public static Result forwardBackward(LlamaModel model, int batch, int seqLen, int iterations) {
        return forwardBackward(model, batch, seqLen, 1, iterations);
    }

    /** Forward + backward of the mean next-token NLL, every decoder weight trainable; {@code warmup} untimed passes first. */
    public static Result forwardBackward(LlamaModel model, int batch, int seqLen, int warmup, int iterations) {
        return forwardBackward(model, batch, seqLen, warmup, iterations, Turns.ALONE);
    }

    /** As {@link #forwardBackward(LlamaModel, int, int, int, int)}, each pass in its turn. */
    public static Result forwardBackward(LlamaModel model, int batch, int seqLen, int warmup, int iterations,
            Turns turns) {
        int[][] tokens = randomTokens(model, batch, seqLen);
        boolean wasTrainable = model.isTrainable();
        model.setTrainable(true);
        double[] times = new double[warmup + iterations];
        double[] host = new double[times.length];
        double lastLoss = Double.NaN;
        for (int i = 0; i < times.length; i++) {
            turns.await();
            long t0 = System.nanoTime();
            long issued;
            try (NDManager step = model.manager().newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = LmLoss.meanNll(model, step, tokens);
                gc.backward(loss);
                issued = System.nanoTime();
                model.zeroGradients();
                lastLoss = loss.getFloat();
            }
            times[i] = (System.nanoTime() - t0) / 1e9;
            host[i] = (issued - t0) / 1e9;
            turns.pass();
        }
        model.setTrainable(wasTrainable);
        return result("fwdbwd", batch, seqLen, warmup, times, host,
                forwardBackwardFlopsPerToken(model.config(), seqLen), lastLoss);
    }

    /**
     * One forward pass (after a warm-up) under PyTorch's profiler, written as a Chrome trace (JSON, one
     * event per operator with its wall span): where a forward pass spends its time, operator by
     * operator, and how much falls between operators (host-side overhead: DJL's JNI calls, Java
     * objects, manager bookkeeping). {@code environment/bench/profile_summary.py} compares such a
     * trace with one from PyTorch's own profiler.
     */
    public static void profileForward(LlamaModel model, int batch, int seqLen, Path trace) {
        int[][] tokens = randomTokens(model, batch, seqLen);
        forwardOnce(model, tokens);                                              // warm-up, not traced
        JniUtils.startProfile(false, true, false);
        try {
            forwardOnce(model, tokens);
        } finally {
            JniUtils.stopProfile(trace.toAbsolutePath().toString());
        }
    }

    /**
     * One forward pass, every logit computed and summed (read back: the pass has finished); the
     * {@link System#nanoTime} at which the sum was issued.
     */
    private static long forwardOnce(LlamaModel model, int[][] tokens) {
        try (NDManager step = model.manager().newSubManager()) {
            NDArray sum = model.forward(step, tokens, Trace.NONE).logits().sum();
            long issued = System.nanoTime();
            sum.getFloat();
            return issued;
        }
    }

    /**
     * Times {@code iterations} products of two random {@code n × n} float32 matrices (after one
     * warm-up product) in a sub-manager of {@code manager}, on its device. Reading one entry of
     * the product back waits for it: on a GPU, {@code matMul} returns as soon as the kernel is queued.
     */
    public static MatmulResult matmul(NDManager manager, int n, int iterations) {
        return matmul(manager, n, iterations, Turns.ALONE);
    }

    /** As {@link #matmul(NDManager, int, int)}, all the products in one turn. */
    public static MatmulResult matmul(NDManager manager, int n, int iterations, Turns turns) {
        if (n < 1 || iterations < 1) {
            throw new IllegalArgumentException("matmul benchmark needs n >= 1 and iterations >= 1, got n=" + n
                    + ", iterations=" + iterations);
        }
        turns.await();
        try (NDManager m = manager.newSubManager()) {
            NDArray a = m.randomNormal(new Shape(n, n), DataType.FLOAT32);
            NDArray b = m.randomNormal(new Shape(n, n), DataType.FLOAT32);
            double[] times = new double[iterations + 1];
            for (int i = 0; i <= iterations; i++) {            // run 0 is the warm-up
                long t0 = System.nanoTime();
                try (NDArray c = a.matMul(b)) {
                    c.get(0, 0).getFloat();
                }
                times[i] = (System.nanoTime() - t0) / 1e9;
            }
            turns.pass();
            double[] timed = timedRuns(times, 1);
            return new MatmulResult(n, iterations, timed[timed.length / 2], timed[0], Arrays.stream(times).sum());
        }
    }

    /**
     * Model FLOPs per token of one forward pass over a sequence of {@code seqLen} tokens, counting the
     * matrix products only (2 FLOPs per multiply-add):
     * <pre>
     *   F_fwd(T) = 2·L·P_layer + 2·V·C + 4·L·T·H·D
     *   P_layer  = C·H·D (q) + 2·C·K·D (k, v) + H·D·C (o) + 3·C·I (gate, up, down)
     * </pre>
     * with L layers, hidden size C, H query heads and K key/value heads of size D, MLP width I,
     * vocabulary V. {@code 2·L·P_layer} is "2 × non-embedding parameters" (the RMSNorm gains, 2·C a
     * layer, are no matrix product and are left out); {@code 2·V·C} is the output head, counted also
     * when it is tied to the embedding (the embedding lookup itself is a gather, no FLOPs);
     * {@code 4·L·T·H·D} is attention: per layer and head, a token's query against all T keys
     * (QKᵀ, T·D multiply-adds) and the softmax weights times the T values (T·D). T, not the T/2 a
     * causal kernel could skip: the code here and Hugging Face's eager attention compute the full
     * T × T scores and mask them. Norms, RoPE, softmax and SiLU are O(T·C) a token and left out.
     */
    public static double forwardFlopsPerToken(LlamaConfig c, int seqLen) {
        return 2.0 * c.layers() * linearWeightsPerLayer(c) + head(c) + attention(c, seqLen);
    }

    /**
     * Model FLOPs per token of forward + backward as {@link #forwardBackward} runs it: the decoder
     * weights trainable, the embedding and the head frozen. The backward pass of a product costs twice
     * its forward (the gradient of each operand) except the head's, whose frozen weight needs no
     * gradient, only its input does (once):
     * <pre>
     *   F_fb(T) = 3·(2·L·P_layer + 4·L·T·H·D) + 2·(2·V·C)
     * </pre>
     */
    public static double forwardBackwardFlopsPerToken(LlamaConfig c, int seqLen) {
        return 3 * (2.0 * c.layers() * linearWeightsPerLayer(c) + attention(c, seqLen)) + 2 * head(c);
    }

    /** P_layer: the entries of one decoder layer's seven linear weights. */
    private static double linearWeightsPerLayer(LlamaConfig c) {
        double q = (double) c.hidden() * c.heads() * c.headDim();
        double kv = (double) c.hidden() * c.kvHeads() * c.headDim();
        return q + 2 * kv + q + 3.0 * c.hidden() * c.intermediate();
    }

    private static double head(LlamaConfig c) {
        return 2.0 * c.vocabSize() * c.hidden();
    }

    private static double attention(LlamaConfig c, int seqLen) {
        return 4.0 * c.layers() * seqLen * c.heads() * c.headDim();
    }

    private static Result result(String phase, int batch, int seqLen, int warmup, double[] times, double[] host,
            double flopsPerToken, double loss) {
        double[] timed = timedRuns(times, warmup);
        double[] hostTimed = timedRuns(host, warmup);
        return new Result(phase, batch, seqLen, timed.length, timed[timed.length / 2], timed[0],
                Arrays.stream(times).sum(), hostTimed[hostTimed.length / 2], flopsPerToken, peakRssMb(), loss);
    }

    /** The timed runs (all but the first {@code warmup}), sorted ascending. */
    private static double[] timedRuns(double[] times, int warmup) {
        double[] timed = Arrays.copyOfRange(times, warmup, times.length);
        Arrays.sort(timed);
        return timed;
    }

    /** PyTorch's intra-op thread count as DJL set it ({@code -Dai.djl.pytorch.num_threads}); after the engine loaded. */
    public static int intraOpThreads() {
        return JniUtils.getNumThreads();
    }

    /** PyTorch's inter-op thread count ({@code -Dai.djl.pytorch.num_interop_threads}); after the engine loaded. */
    public static int interOpThreads() {
        return JniUtils.getNumInteropThreads();
    }

    /**
     * B rows of T ids, {@code new Random(0).nextInt(V)} drawn row by row (environment/bench/pytorch_bench.py
     * draws the same ids with a copy of java.util.Random's generator).
     */
    static int[][] randomTokens(LlamaModel model, int batch, int seqLen) {
        Random r = new Random(0);
        int[][] t = new int[batch][seqLen];
        for (int[] row : t) {
            for (int i = 0; i < seqLen; i++) {
                row[i] = r.nextInt(model.config().vocabSize());
            }
        }
        return t;
    }

    private static String line(String key, String format, double value) {
        return key + "=" + String.format(Locale.ROOT, format, value);
    }

    /** Peak resident set size of this process (VmHWM), in MiB; -1 where /proc is unavailable. */
    public static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
