package prunekit.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import prunekit.model.LlamaModel;
import prunekit.model.LmLoss;
import prunekit.model.Trace;

/**
 * Throughput of the forward pass and of forward + backward (the LM loss, gradients of every
 * decoder weight) on random tokens, with the median of several timed runs after a warm-up, and
 * the process's peak resident memory. A benchmark, not a test: it reports, it asserts nothing.
 */
public final class ModelBenchmark {

    /** One measurement. */
    public record Result(String phase, int batch, int seqLen, double medianSeconds, double bestSeconds,
            double tokensPerSecond, long peakRssMb) {
        @Override
        public String toString() {
            return String.format("%-16s batch=%d seqlen=%d median=%.3fs best=%.3fs tokens/s=%.0f peak_rss=%dMB",
                    phase, batch, seqLen, medianSeconds, bestSeconds, tokensPerSecond, peakRssMb);
        }
    }

    private ModelBenchmark() {}

    public static Result forward(LlamaModel model, int batch, int seqLen, int iterations) {
        int[][] tokens = randomTokens(model, batch, seqLen);
        double[] times = new double[iterations + 1];
        for (int i = 0; i <= iterations; i++) {                 // run 0 is the warm-up
            long t0 = System.nanoTime();
            try (NDManager step = model.manager().newSubManager()) {
                model.forward(step, tokens, Trace.NONE).logits().sum().getFloat();
            }
            times[i] = (System.nanoTime() - t0) / 1e9;
        }
        return result("forward", batch, seqLen, times);
    }

    public static Result forwardBackward(LlamaModel model, int batch, int seqLen, int iterations) {
        int[][] tokens = randomTokens(model, batch, seqLen);
        boolean wasTrainable = model.isTrainable();
        model.setTrainable(true);
        double[] times = new double[iterations + 1];
        for (int i = 0; i <= iterations; i++) {
            long t0 = System.nanoTime();
            try (NDManager step = model.manager().newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = LmLoss.meanNll(model.forward(step, tokens, Trace.NONE).logits(), tokens);
                gc.backward(loss);
                gc.zeroGradients();
            }
            times[i] = (System.nanoTime() - t0) / 1e9;
        }
        model.setTrainable(wasTrainable);
        return result("forward+backward", batch, seqLen, times);
    }

    private static Result result(String phase, int batch, int seqLen, double[] times) {
        double[] timed = Arrays.copyOfRange(times, 1, times.length);
        Arrays.sort(timed);
        double median = timed[timed.length / 2];
        return new Result(phase, batch, seqLen, median, timed[0], batch * seqLen / median, peakRssMb());
    }

    private static int[][] randomTokens(LlamaModel model, int batch, int seqLen) {
        Random r = new Random(0);
        int[][] t = new int[batch][seqLen];
        for (int[] row : t) {
            for (int i = 0; i < seqLen; i++) {
                row[i] = r.nextInt(model.config().vocabSize());
            }
        }
        return t;
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
