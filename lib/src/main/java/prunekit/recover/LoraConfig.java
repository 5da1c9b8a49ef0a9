package prunekit.recover;

import java.util.List;
import prunekit.model.LayerWeights;

/**
 * Low-rank adapters (Hu et al. 2021, "LoRA", arXiv:2106.09685): a frozen linear weight W (out × in)
 * is trained as W + (α / r) · B A, with A (r × in) and B (out × r). B starts at zero, so training
 * starts from the base model exactly; A starts as in peft ({@code kaiming_uniform_(a = √5)}, i.e.
 * uniform in ±1/√in).
 *
 * @param rank r (8: peft's default and the SLM paper's recovery setting)
 * @param alpha α (16: the SLM paper's recovery setting, scaling α / r = 2)
 * @param dropout dropout on the adapter's input while training (0: peft's default)
 * @param modules linear modules that get adapters, Hugging Face names (all seven: q, k, v, o, gate,
 *                up, down, as Shortened LLaMA and LLM-Pruner recover)
 * @param seed seed of A's initialisation (0)
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> modules, long seed) {

    /** r = 8, α = 16, no dropout, every linear module, seed 0. */
    public static final LoraConfig DEFAULT = new LoraConfig(8, 16, 0, List.of(LayerWeights.LINEARS), 0);

    public LoraConfig {
        modules = List.copyOf(modules);
        if (rank <= 0) throw new IllegalArgumentException("LoRA rank must be > 0, got " + rank);
        if (!(alpha > 0) || !Double.isFinite(alpha)) throw new IllegalArgumentException("LoRA alpha must be > 0, got " + alpha);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        if (modules.isEmpty()) throw new IllegalArgumentException("no modules to adapt; accepted: " + String.join(", ", LayerWeights.LINEARS));
        for (String m : modules) {
            if (!List.of(LayerWeights.LINEARS).contains(m)) {
                throw new IllegalArgumentException("unknown module '" + m + "'; accepted: " + String.join(", ", LayerWeights.LINEARS));
            }
        }
    }

    /** α / r, the factor on B A. */
    public double scaling() {
        return alpha / rank;
    }

    /** This config with another rank. */
    public LoraConfig withRank(int r) {
        return new LoraConfig(r, alpha, dropout, modules, seed);
    }
}
