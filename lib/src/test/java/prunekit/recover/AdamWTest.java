package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AdamWTest {

    @Test
    void twoStepsEqualTheHandComputedUpdate() {
        // loss = Σ c·p, so g = c at every step; p0 = (1, -2), c = (0.5, -3), lr 0.1, λ 0.01.
        double[] p0 = {1, -2};
        double[] c = {0.5, -3};
        double lr = 0.1;
        AdamW opt = new AdamW(0.9, 0.999, 1e-8, 0.01);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {1, -2});
            p.setRequiresGradient(true);
            NDArray coef = m.create(new float[] {0.5f, -3});
            AdamW.State state = new AdamW.State();
            double[] expected = p0.clone();
            double[] m1 = new double[2];
            double[] v1 = new double[2];
            for (int t = 1; t <= 2; t++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(p.mul(coef).sum());
                }
                opt.step(Map.of("p", p), state, lr);
                try (NDArray g = p.getGradient()) {
                    g.subi(g);                                                  // gradients accumulate: clear them
                }
                // by hand, torch.optim.AdamW's algorithm
                for (int i = 0; i < 2; i++) {
                    expected[i] *= 1 - lr * 0.01;
                    m1[i] = 0.9 * m1[i] + 0.1 * c[i];
                    v1[i] = 0.999 * v1[i] + 0.001 * c[i] * c[i];
                    double mHat = m1[i] / (1 - Math.pow(0.9, t));
                    double vHat = v1[i] / (1 - Math.pow(0.999, t));
                    expected[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
                }
                float[] got = p.toFloatArray();
                assertArrayEquals(new float[] {(float) expected[0], (float) expected[1]}, got, 1e-6f, "step " + t);
            }
            assertEquals(2, state.step());
        }
    }

    /**
     * A thread on which DJL never started its engine has libtorch's default, autograd on (a Jupyter kernel's
     * cell thread when the engine was started on the main thread, as on the GPU route): the update is still
     * made, in place, and the thread's mode is as it was afterwards.
     */
    @Test
    void stepsOnAThreadWhereAutogradIsOn() throws InterruptedException {
        Engine.getInstance();                                                   // started here, on the test's thread
        AtomicReference<Throwable> failure = new AtomicReference<>();
        float[][] after = new float[1][];
        boolean[] modes = new boolean[2];
        Thread t = new Thread(() -> {
            try (NDManager m = NDManager.newBaseManager()) {
                modes[0] = JniUtils.isGradMode();
                NDArray p = m.create(new float[] {1, -2});
                p.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(p.mul(m.create(new float[] {0.5f, -3})).sum());
                }
                new AdamW(0.9, 0.999, 1e-8, 0.01).step(Map.of("p", p), new AdamW.State(), 0.1);
                after[0] = p.toFloatArray();
                modes[1] = JniUtils.isGradMode();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        if (failure.get() != null) throw new AssertionError("step on a fresh thread", failure.get());
        assertEquals(true, modes[0], "libtorch's default on a fresh thread");
        assertEquals(true, modes[1], "the thread's mode afterwards");
        // one step from (1, -2) with g = (0.5, -3): p·(1 − lr·λ) − lr·sign(g) (Adam's first step is ±lr)
        assertArrayEquals(new float[] {(float) (0.999 - 0.1), (float) (-2 * 0.999 + 0.1)}, after[0], 1e-5f);
    }
}
