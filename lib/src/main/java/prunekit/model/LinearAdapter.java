package prunekit.model;

import ai.djl.ndarray.NDArray;

/**
 * An addition to the output of a decoder layer's linear modules, computed from the module's input:
 * a linear module then gives {@code x Wᵀ + delta(x)}. LoRA's low-rank update
 * ({@code prunekit.recover.LoraAdapters}) is one: {@code delta(x) = (α/r) · x Aᵀ Bᵀ}, which trains A and
 * B without ever forming (or differentiating) the full weight.
 */
public interface LinearAdapter {

    /**
     * The addition to module {@code module} (a name of {@link LayerWeights#LINEARS}) of layer
     * {@code layer} for input x (B, T, in): (B, T, out), or null for none.
     */
    NDArray delta(int layer, String module, NDArray x);
}
