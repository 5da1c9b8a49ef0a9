package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class GradientsTest {

    /** d(Σ c·w)/dw = c: two passes accumulate 2c, a pass after zeroing gives c again; a tensor without one is left alone. */
    @Test
    void zeroingStopsTheAccumulation() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1, -2, 3});
            NDArray c = m.create(new float[] {0.5f, -3, 2});
            w.setRequiresGradient(true);
            for (int pass = 0; pass < 2; pass++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(w.mul(c).sum());
                }
            }
            assertArrayEquals(new float[] {1, -6, 4}, w.getGradient().toFloatArray(), 0f);
            Gradients.zero(w);
            assertArrayEquals(new float[] {0, 0, 0}, w.getGradient().toFloatArray(), 0f);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(w.mul(c).sum());
            }
            assertArrayEquals(new float[] {0.5f, -3, 2}, w.getGradient().toFloatArray(), 0f);
            NDArray plain = m.create(new float[] {1, 2});
            Gradients.zero(plain);                                              // no gradient: nothing to do
            assertArrayEquals(new float[] {1, 2}, plain.toFloatArray(), 0f);
        }
    }
}
