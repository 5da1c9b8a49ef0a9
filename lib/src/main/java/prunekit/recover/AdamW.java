package prunekit.recover;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.model.NoGrad;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter 2019, "Decoupled Weight Decay
 * Regularization", arXiv:1711.05101, Algorithm 2), step for step as {@code torch.optim.AdamW}:
 *
 * <pre>
 *   p ← p − lr · λ · p                          (decay, decoupled from the gradient)
 *   m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²
 *   p ← p − lr · (m / (1 − β1^t)) / (sqrt(v / (1 − β2^t)) + ε)
 * </pre>
 *
 * Parameters are updated in place; the moments live beside them (same device and dtype).
 *
 * @param beta1 decay of the first moment (0.9)
 * @param beta2 decay of the second moment (0.999)
 * @param eps added to the root of the second moment (1e-8)
 * @param weightDecay λ (0.01, torch's default)
 */
public record AdamW(double beta1, double beta2, double eps, double weightDecay) {

    /** torch.optim.AdamW's defaults: β = (0.9, 0.999), ε = 1e-8, λ = 0.01. */
    public static final AdamW DEFAULT = new AdamW(0.9, 0.999, 1e-8, 0.01);

    public AdamW {
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("eps must be > 0, got " + eps);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
    }

    /** The moments of every parameter and the step count: what a checkpoint saves. */
    public static final class State {
        private final Map<String, NDArray> m = new LinkedHashMap<>();
        private final Map<String, NDArray> v = new LinkedHashMap<>();
        private long step;

        /** Steps taken. */
        public long step() {
            return step;
        }

        /** First moments by parameter name. */
        public Map<String, NDArray> firstMoments() {
            return m;
        }

        /** Second moments by parameter name. */
        public Map<String, NDArray> secondMoments() {
            return v;
        }

        /** Restores a saved state: the step count and both moments of every parameter. */
        public void restore(long steps, Map<String, NDArray> first, Map<String, NDArray> second) {
            step = steps;
            m.putAll(first);
            v.putAll(second);
        }
    }

    /**
     * One update of every parameter that has a gradient, at learning rate {@code lr}.
     *
     * @param params parameters by name (each with {@code getGradient()} set by a backward pass)
     */
    public void step(Map<String, NDArray> params, State state, double lr) {
        try (NoGrad off = NoGrad.enter()) {      // in-place updates of leaves that require a gradient
            update(params, state, lr);
        }
    }

    private void update(Map<String, NDArray> params, State state, double lr) {
        state.step++;
        double c1 = 1 - Math.pow(beta1, state.step);
        double c2 = 1 - Math.pow(beta2, state.step);
        for (var e : params.entrySet()) {
            NDArray p = e.getValue();
            NDArray m = state.m.computeIfAbsent(e.getKey(), k -> p.zerosLike());
            NDArray v = state.v.computeIfAbsent(e.getKey(), k -> p.zerosLike());
            List<NDArray> temporaries = new ArrayList<>();
            NDArray g = keep(temporaries, p.getGradient());
            // 1. decoupled decay, then the moments (in place)
            if (weightDecay > 0) p.muli(1 - lr * weightDecay);
            m.muli(beta1).addi(keep(temporaries, g.mul(1 - beta1)));
            v.muli(beta2).addi(keep(temporaries, g.square()).muli(1 - beta2));
            // 2. the bias-corrected step
            NDArray denom = keep(temporaries, keep(temporaries, v.div(c2)).sqrt()).addi(eps);
            p.subi(keep(temporaries, m.div(denom)).muli(lr / c1));
            for (NDArray t : temporaries) t.close();
        }
    }

    private static NDArray keep(List<NDArray> temporaries, NDArray a) {
        temporaries.add(a);
        return a;
    }
}
