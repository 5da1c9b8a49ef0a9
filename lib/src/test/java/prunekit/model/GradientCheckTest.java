package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The backward pass against central finite differences, on a tiny random model in float64:
 * dL/dw ≈ (L(w + ε) − L(w − ε)) / 2ε for a few entries of every tensor of every layer.
 */
class GradientCheckTest {

    private static final int[][] TOKENS = {{1, 5, 9, 13, 22, 7, 31, 3}, {1, 8, 8, 30, 2, 17, 4, 11}};
    private static final double EPS = 1e-6;

    @Test
    void weightGradientsMatchFiniteDifferences() {
        try (LlamaModel model = TinyModels.model(false, 7, DataType.FLOAT64)) {
            model.setTrainable(true);
            Map<String, double[]> analytic = new java.util.LinkedHashMap<>();
            try (NDManager step = model.manager().newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // the path the gradient metrics take (the head a chunk of positions at a time, here 3
                // of the 14); the finite differences below go through the full logits
                NDArray loss = LmLoss.nextTokenLogProbs(model, model.forward(step, TOKENS, Trace.FINAL_HIDDEN_ONLY)
                        .finalHidden(), TOKENS, 3).mean().neg();
                gc.backward(loss);
                for (int l = 0; l < model.config().layers(); l++) {
                    for (Map.Entry<String, NDArray> e : model.layer(l).all().entrySet()) {
                        try (NDArray g = e.getValue().getGradient()) {
                            analytic.put(l + "." + e.getKey(), g.toDoubleArray());
                        }
                    }
                }
            }
            model.setTrainable(false);
            int checked = 0;
            for (int l = 0; l < model.config().layers(); l++) {
                for (String module : LayerWeights.ALL) {
                    double[] g = analytic.get(l + "." + module);
                    for (int idx : new int[] {0, g.length / 3, g.length - 1}) {
                        double numeric = FiniteDifferences.derivative(model, TOKENS, l, module, idx, EPS);
                        assertEquals(numeric, g[idx], 1e-6 + 1e-5 * Math.abs(numeric),
                                "layer " + l + " " + module + "[" + idx + "]");
                        checked++;
                    }
                }
            }
            assertEquals(2 * 9 * 3, checked);
        }
    }

    @Test
    void activationProbesReceiveTheGradientOfEachLayerOutput() {
        try (LlamaModel model = TinyModels.model(true, 3, DataType.FLOAT64);
                NDManager step = model.manager().newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            Trace trace = Trace.of(Trace.Output.HIDDEN_STATES, Trace.Output.ACTIVATION_PROBES, Trace.Output.LOGITS);
            ForwardResult r = model.forward(step, TOKENS, trace);
            gc.backward(LmLoss.meanNll(r.logits(), TOKENS));
            assertEquals(2, r.probes().size());
            for (NDArray probe : r.probes()) {
                double norm = probe.getGradient().norm().getDouble();
                assertTrue(norm > 1e-6, "probe gradient is zero: " + norm);
            }
        }
    }

    /**
     * DJL frees the Java buffer behind a scalar operand ({@code mul(0.125)}) or a tensor made from a
     * Java array once its wrapper is unreachable, while autograd may still hold the tensor for the
     * backward pass. Collect garbage between forward and backward, refill the freed memory with NaN,
     * and the gradients must still equal those of an undisturbed pass.
     */
    @Test
    void gradientsSurviveGarbageCollectionBetweenForwardAndBackward() throws InterruptedException {
        try (LlamaModel model = TinyModels.model(true, 5, DataType.FLOAT32)) {
            model.setTrainable(true);
            Map<String, float[]> reference = layerGradients(model, false);
            for (int run = 0; run < 3; run++) {
                Map<String, float[]> now = layerGradients(model, true);
                for (Map.Entry<String, float[]> e : reference.entrySet()) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(e.getValue(), now.get(e.getKey()), 1e-6f,
                            "run " + run + ": " + e.getKey());
                }
            }
        }
    }

    /** Every decoder tensor's gradient after one backward pass, optionally with a GC in between. */
    private static Map<String, float[]> layerGradients(LlamaModel model, boolean collectGarbage)
            throws InterruptedException {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        try (NDManager step = model.manager().newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = LmLoss.meanNll(model.forward(step, TOKENS, Trace.NONE).logits(), TOKENS);
            if (collectGarbage) {
                System.gc();                                  // buffers only Java held are freed here ...
                Thread.sleep(50);                             // ... by the cleaner thread
                java.util.List<java.nio.ByteBuffer> filler = new java.util.ArrayList<>();
                for (int i = 0; i < 20_000; i++) {           // ... and their memory handed out again
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(8);
                    b.putFloat(0, Float.NaN).putFloat(4, Float.NaN);
                    filler.add(b);
                }
                gc.backward(loss);
                filler.clear();
            } else {
                gc.backward(loss);
            }
            for (int l = 0; l < model.config().layers(); l++) {
                for (Map.Entry<String, NDArray> e : model.layer(l).all().entrySet()) {
                    try (NDArray g = e.getValue().getGradient()) {
                        out.put(l + "." + e.getKey(), g.toFloatArray());
                        g.subi(g);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void chunkedLogProbabilitiesEqualThoseOfTheFullLogits() {
        try (LlamaModel model = TinyModels.model(false, 7, DataType.FLOAT64);
                NDManager step = model.manager().newSubManager()) {
            ForwardResult r = model.forward(step, TOKENS, Trace.NONE);
            double[] full = LmLoss.nextTokenLogProbs(r.logits(), TOKENS).toDoubleArray();             // (B, T-1)
            double[] viaSlice = LmLoss.nextTokenLogProbs(r.logits().get(":, :-1"), TOKENS).toDoubleArray();
            assertEquals(2 * 7, full.length);
            for (int chunk : new int[] {1, 3, 14, 100}) {                     // uneven, exact and oversized chunks
                NDArray chunked = LmLoss.nextTokenLogProbs(model, r.finalHidden(), TOKENS, chunk);
                assertEquals(new ai.djl.ndarray.types.Shape(2, 7), chunked.getShape());
                double[] c = chunked.toDoubleArray();
                for (int i = 0; i < full.length; i++) {
                    assertEquals(full[i], c[i], 1e-12, "chunk " + chunk + ", position " + i);
                    assertEquals(full[i], viaSlice[i], 1e-12, "position " + i);
                }
            }
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> LmLoss.nextTokenLogProbs(r.logits().get(":, :-2"), TOKENS));
            assertTrue(e.getMessage().contains("(2, 6, ") && e.getMessage().contains("expected (2, 7, V) or (2, 8, V)"),
                    e.getMessage());
            e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> LmLoss.nextTokenLogProbs(model, r.logits(), TOKENS));
            assertTrue(e.getMessage().startsWith("final hidden states of shape (2, 8, "), e.getMessage());
        }
    }
}
