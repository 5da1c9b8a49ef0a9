package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class GradientsTest {

    /**
     * d(Σ c·w)/dw = c: two passes accumulate 2c; zeroing writes zeros into that same gradient, after which a pass
     * gives c again; clearing on the CPU is zeroing (a gradient read before it reads zeros after); a tensor without
     * a gradient is left alone.
     */
    @Test
    void zeroingWritesZerosIntoTheGradientAndClearingOnTheCpuZeroes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray c = m.create(new float[] {0.5f, -3, 2});
            NDArray w = afterTwoPasses(m, c);
            NDArray old = w.getGradient();
            assertArrayEquals(new float[] {1, -6, 4}, old.toFloatArray(), 0f);
            Gradients.zero(w);
            assertArrayEquals(new float[] {0, 0, 0}, old.toFloatArray(), 0f);           // the same tensor, zeroed
            backward(() -> w.mul(c).sum(), 1);
            assertArrayEquals(new float[] {0.5f, -3, 2}, w.getGradient().toFloatArray(), 0f);
            assertFalse(w.getDevice().isGpu());
            Gradients.clear(w);
            assertArrayEquals(new float[] {0, 0, 0}, old.toFloatArray(), 0f);
            assertArrayEquals(new float[] {0, 0, 0}, w.getGradient().toFloatArray(), 0f);
            NDArray plain = m.create(new float[] {1, 2});
            Gradients.zero(plain);
            Gradients.clear(plain);
            assertArrayEquals(new float[] {1, 2}, plain.toFloatArray(), 0f);
        }
    }

    /**
     * After releasing, the gradient reads as zeros and the next pass's gradient is its own (c, then 2c after a
     * second pass without clearing), in a new tensor: one read before releasing keeps its values, where zeroing
     * would have written into it. The Java object, its values and its need of a gradient stay; the manager holds
     * no more arrays than before; a tensor without a gradient is left alone.
     */
    @Test
    void releasingDropsTheGradientAndKeepsTheTensor() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray c = m.create(new float[] {0.5f, -3, 2});
            NDArray w = afterTwoPasses(m, c);
            NDArray old = w.getGradient();
            int arrays = m.getManagedArrays().size();
            NDArray before = w;
            Gradients.release(w);
            assertEquals(arrays, m.getManagedArrays().size());                         // fresh handle in, old out
            assertSame(before, w);
            assertTrue(w.hasGradient());
            assertArrayEquals(new float[] {1, -2, 3}, w.toFloatArray(), 0f);
            assertArrayEquals(new float[] {0, 0, 0}, w.getGradient().toFloatArray(), 0f);
            backward(() -> w.mul(c).sum(), 1);
            assertArrayEquals(new float[] {0.5f, -3, 2}, w.getGradient().toFloatArray(), 0f);
            assertArrayEquals(new float[] {1, -6, 4}, old.toFloatArray(), 0f);          // not written again
            backward(() -> w.mul(c).sum(), 1);
            assertArrayEquals(new float[] {1, -6, 4}, w.getGradient().toFloatArray(), 0f);
            NDArray plain = m.create(new float[] {1, 2});
            Gradients.release(plain);
            assertFalse(plain.hasGradient());
            assertArrayEquals(new float[] {1, 2}, plain.toFloatArray(), 0f);
        }
    }

    /** w = (1, −2, 3), requiring a gradient, after two backward passes of Σ c·w: its gradient is 2c. */
    private static NDArray afterTwoPasses(NDManager m, NDArray c) {
        NDArray w = m.create(new float[] {1, -2, 3});
        w.setRequiresGradient(true);
        backward(() -> w.mul(c).sum(), 2);
        return w;
    }

    private static void backward(Supplier<NDArray> loss, int passes) {
        for (int pass = 0; pass < passes; pass++) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss.get());
            }
        }
    }
}
