package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Central finite differences of the mean next-token loss in one weight entry (float64 models). */
public final class FiniteDifferences {

    private FiniteDifferences() {}

    /** (L(w + ε) − L(w − ε)) / 2ε for entry {@code idx} of a layer tensor, the loss over {@code tokens}. */
    public static double derivative(LlamaModel model, int[][] tokens, int layer, String module, int idx, double eps) {
        return (lossWith(model, tokens, layer, module, idx, eps) - lossWith(model, tokens, layer, module, idx, -eps))
                / (2 * eps);
    }

    /** The loss with one weight entry shifted by delta (the tensor is restored afterwards). */
    public static double lossWith(LlamaModel model, int[][] tokens, int layer, String module, int idx, double delta) {
        NDArray w = model.layer(layer).all().get(module);
        double[] values = w.toDoubleArray();
        double original = values[idx];
        values[idx] = original + delta;
        try (NDManager tmp = model.manager().newSubManager()) {
            model.setTensor(layer, module, tmp.create(values, w.getShape()));
        }
        double loss;
        try (NDManager step = model.manager().newSubManager()) {
            loss = LmLoss.meanNll(model.forward(step, tokens, Trace.NONE).logits(), tokens).getDouble();
        }
        values[idx] = original;
        try (NDManager tmp = model.manager().newSubManager()) {
            model.setTensor(layer, module, tmp.create(values, model.layer(layer).all().get(module).getShape()));
        }
        return loss;
    }
}
