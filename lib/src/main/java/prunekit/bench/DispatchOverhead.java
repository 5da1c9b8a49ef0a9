package prunekit.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * The host's time per tensor operation, in microseconds: what a pass over a small batch costs once the
 * device's own work is negligible. A chain of {@value #OPS} additions of two 1 × 4 float32 tensors on the
 * manager's device, each result the next operand and closed after use (as the forward pass closes its
 * intermediates), and one number read back at the end; the median of {@value #RUNS} chains after one
 * untimed. environment/bench/pytorch_bench.py measures the same chain ({@code dispatch_us}): the two
 * numbers compare DJL's JNI path with PyTorch's Python one, kernel launch included on a GPU.
 */
public final class DispatchOverhead {

    /** Additions per chain. */
    static final int OPS = 2000;

    /** Timed chains. */
    static final int RUNS = 5;

    private DispatchOverhead() {}

    /** Microseconds per operation, all the chains in one turn. */
    public static double microseconds(NDManager manager, Turns turns) {
        turns.await();
        double[] runs = new double[RUNS + 1];                   // run 0 is the warm-up
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.ones(new Shape(1, 4));
            NDArray y = m.full(new Shape(1, 4), 1e-6f);
            for (int r = 0; r < runs.length; r++) {
                long t0 = System.nanoTime();
                NDArray z = x.add(y);
                for (int i = 1; i < OPS; i++) {
                    NDArray next = z.add(y);
                    z.close();
                    z = next;
                }
                z.getFloat(0, 0);
                z.close();
                runs[r] = (System.nanoTime() - t0) / 1e3 / OPS;
            }
        }
        turns.pass();
        double[] timed = Arrays.copyOfRange(runs, 1, runs.length);
        Arrays.sort(timed);
        return timed[timed.length / 2];
    }
}
