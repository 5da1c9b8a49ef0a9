package prunekit.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * The host's time per tensor operation, in microseconds: what a pass over a small batch costs once the
 * device's own work is negligible. A chain of {@value #OPS} additions of two 1 × 4 float32 tensors on the
 * manager's device, each result the next operand and closed after use (as the forward pass closes its
 * intermediates), and one number read back at the end; the median of {@value #RUNS} chains after
 * {@value #UNTIMED} untimed ones. {@code prunekit bench} measures it after its cells, when the JIT has compiled
 * the path and, in lockstep, every side has loaded: measured first, in the turn a side gets as soon as it has
 * loaded, it overlapped the other sides' loading (7.5–8 µs an operation on a 2-core machine, against 1.7–2.5 µs
 * alone).
 */
public final class DispatchOverhead {

    /** Additions per chain. */
    static final int OPS = 2000;

    /** Timed chains. */
    static final int RUNS = 5;

    /** Untimed chains before them. */
    static final int UNTIMED = 5;

    private DispatchOverhead() {}

    /** Microseconds per operation, all the chains in one turn. */
    public static double microseconds(NDManager manager, Turns turns) {
        turns.await();
        double[] runs = new double[UNTIMED + RUNS];             // the first UNTIMED are warm-ups
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
        double[] timed = Arrays.copyOfRange(runs, UNTIMED, runs.length);
        Arrays.sort(timed);
        return timed[timed.length / 2];
    }
}
