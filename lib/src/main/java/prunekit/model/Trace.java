package prunekit.model;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a forward pass produces besides the final-normed stream: a set of {@link Output}s, so a call
 * reads what it traces, e.g. {@code Trace.of(Output.HIDDEN_STATES, Output.LINEAR_INPUTS)}. The
 * constants name the common sets.
 *
 * @param outputs what the pass records (and whether it runs the output head); immutable
 */
public record Trace(Set<Trace.Output> outputs) {

    /** One thing a forward pass can record, each a field of {@link ForwardResult}. */
    public enum Output {
        /** The residual stream after the embedding and after every layer ({@link ForwardResult#hiddenStates()}). */
        HIDDEN_STATES,
        /** The input of every linear module, what Wanda/GBLM statistics read ({@link ForwardResult#linearInputs()}). */
        LINEAR_INPUTS,
        /**
         * A zero leaf added to every layer's output, so a backward pass yields dLoss/dh for each layer
         * (DJL returns zeros for non-leaf gradients) ({@link ForwardResult#probes()}).
         */
        ACTIVATION_PROBES,
        /** The output head's logits; without it the pass stops after the final norm (cheaper). */
        LOGITS
    }

    /** Logits only. */
    public static final Trace NONE = of(Output.LOGITS);
    /** Logits and every layer's hidden state. */
    public static final Trace HIDDEN_STATES = of(Output.HIDDEN_STATES, Output.LOGITS);
    /** Hidden states only, no output head. */
    public static final Trace HIDDEN_STATES_ONLY = of(Output.HIDDEN_STATES);
    /** Nothing recorded and no output head: the final-normed stream alone (see {@link LmLoss#nextTokenLogProbs(LlamaModel, ai.djl.ndarray.NDArray, int[][])}). */
    public static final Trace FINAL_HIDDEN_ONLY = of();
    /** Logits and the inputs of every linear module. */
    public static final Trace LINEAR_INPUTS = of(Output.LINEAR_INPUTS, Output.LOGITS);

    public Trace {
        outputs = Collections.unmodifiableSet(outputs.isEmpty() ? EnumSet.noneOf(Output.class) : EnumSet.copyOf(outputs));
    }

    /** The trace that records exactly {@code outputs} (none: the final-normed stream alone). */
    public static Trace of(Output... outputs) {
        Set<Output> set = EnumSet.noneOf(Output.class);
        Collections.addAll(set, outputs);
        return new Trace(set);
    }

    /** Whether the pass records {@code output}. */
    public boolean has(Output output) {
        return outputs.contains(output);
    }
}
