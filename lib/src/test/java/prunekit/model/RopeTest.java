package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Both forms of {@link Rope} against the rotation written out in plain Java (RoFormer eq. 34, adjacent pairs). */
class RopeTest {

    private static final int B = 2, T = 5, N = 3, D = 8;
    private static final double THETA = 10000.0;

    /** x (batch, T, N, D) rotated at positions from..from+T-1, times {@code scale}, in double precision. */
    private static double[] reference(float[] x, int batch, int from, double scale) {
        double[] out = new double[x.length];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < T; t++)
                for (int n = 0; n < N; n++)
                    for (int i = 0; i < D / 2; i++) {
                        int at = ((b * T + t) * N + n) * D + 2 * i;
                        double angle = (from + t) * Math.pow(THETA, -2.0 * i / D);
                        double c = Math.cos(angle), s = Math.sin(angle);
                        out[at] = scale * (x[at] * c - x[at + 1] * s);
                        out[at + 1] = scale * (x[at + 1] * c + x[at] * s);
                    }
        return out;
    }

    private static float[] random(long seed) {
        return random(seed, B);
    }

    private static float[] random(long seed, int batch) {
        Random r = new Random(seed);
        float[] x = new float[batch * T * N * D];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    /** Batch 1 takes the matrix form's broadcasting product, batch 2 its product over positions. */
    @Test
    void bothFormsRotateAsTheFormulaSays() {
        for (int batch : new int[] {1, 2}) {
            float[] x = random(7, batch);
            Shape shape = new Shape(batch, T, N, D);
            try (NDManager m = NDManager.newBaseManager()) {
                for (Rope.Form form : Rope.Form.values()) {
                    for (int from : new int[] {0, 4}) {
                        try (Rope rope = new Rope(m, from, from + T, D, THETA, DataType.FLOAT32, form)) {
                            double[][] want = {reference(x, batch, from, 1), reference(x, batch, from, 1 / Math.sqrt(D))};
                            float[][] got = {rope.apply(m.create(x, shape)).toFloatArray(),
                                rope.applyToQueries(m.create(x, shape)).toFloatArray()};
                            for (int k = 0; k < 2; k++) {
                                double worst = 0;
                                for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(want[k][i] - got[k][i]));
                                assertTrue(worst < 1e-5, form + " batch " + batch + " from " + from
                                        + (k == 0 ? " keys" : " queries") + ": " + worst);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void theFormsHaveTheSameGradient() {
        float[] x = random(8);
        float[] weights = random(9);
        float[][] grads = new float[2][];
        for (Rope.Form form : Rope.Form.values()) {
            try (NDManager m = NDManager.newBaseManager(); Rope rope = new Rope(m, 2, 2 + T, D, THETA, DataType.FLOAT32, form);
                    ai.djl.training.GradientCollector collector = m.getEngine().newGradientCollector()) {
                NDArray in = m.create(x, new Shape(B, T, N, D));
                in.setRequiresGradient(true);
                NDArray loss = Activation.sigmoid(rope.applyToQueries(in.mul(1))).mul(m.create(weights, new Shape(B, T, N, D))).sum();
                collector.backward(loss);
                grads[form.ordinal()] = in.getGradient().toFloatArray();
            }
        }
        for (int i = 0; i < x.length; i++) assertEquals(grads[0][i], grads[1][i], 1e-6, "gradient " + i);
    }

    @Test
    void theLogitsOfATinyModelAgreeInBothForms() {
        int[][] tokens = {{1, 7, 12, 33, 5, 5, 19}, {3, 11, 39, 21, 2, 8, 9}};
        float[][] logits = new float[2][];
        String before = System.getProperty(Rope.PROPERTY);
        try {
            for (Rope.Form form : Rope.Form.values()) {
                System.setProperty(Rope.PROPERTY, form.name().toLowerCase());
                try (LlamaModel model = TinyModels.model(false, 31, DataType.FLOAT32);
                        NDManager step = model.manager().newSubManager()) {
                    logits[form.ordinal()] = model.forward(step, tokens, Trace.NONE).logits().toFloatArray();
                }
            }
        } finally {
            if (before == null) System.clearProperty(Rope.PROPERTY);
            else System.setProperty(Rope.PROPERTY, before);
        }
        for (int i = 0; i < logits[0].length; i++) assertEquals(logits[0][i], logits[1][i], 1e-5, "logit " + i);
    }

    @Test
    void theFormIsPickedByDeviceUnlessTheProperty() {
        assertEquals(Rope.Form.PAIRS, Rope.Form.of(null, false));
        assertEquals(Rope.Form.MATRIX, Rope.Form.of("", true));
        assertEquals(Rope.Form.PAIRS, Rope.Form.of("pairs", true));
        assertEquals(Rope.Form.MATRIX, Rope.Form.of("matrix", false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rope.Form.of("fused", false));
        assertTrue(e.getMessage().contains("prunekit.rope=fused") && e.getMessage().contains("pairs, matrix"), e.getMessage());
    }
}
