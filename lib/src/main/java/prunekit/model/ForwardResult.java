package prunekit.model;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;

/**
 * What one forward pass produced; every array belongs to the step manager passed to
 * {@link LlamaModel#forward}.
 *
 * @param logits       (B, T, V) next-token logits, or null unless traced ({@link Trace.Output#LOGITS})
 * @param finalHidden  (B, T, C) residual stream after the final RMSNorm
 * @param hiddenStates L+1 arrays (B, T, C): index 0 is the embedding output, index l+1 the output
 *                     of layer l (before the final norm), as Hugging Face's
 *                     {@code output_hidden_states}; empty unless traced
 * @param linearInputs input of each linear module keyed {@code layers.{i}.{module}}, e.g.
 *                     {@code layers.3.down_proj} (B, T, in); empty unless traced
 * @param probes       one zero leaf per layer added to its output; after a backward pass
 *                     {@code probes.get(l).getGradient()} is dLoss/dh_l; empty unless traced
 */
public record ForwardResult(
        NDArray logits,
        NDArray finalHidden,
        List<NDArray> hiddenStates,
        Map<String, NDArray> linearInputs,
        List<NDArray> probes) {}
