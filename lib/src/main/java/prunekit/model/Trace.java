package prunekit.model;

/**
 * What a forward pass records besides the logits.
 *
 * @param hiddenStates     keep the residual stream after the embedding and after every layer
 * @param linearInputs     keep the input of every linear module (what Wanda/GBLM statistics read)
 * @param activationProbes add a zero leaf to every layer's output so a backward pass yields
 *                         dLoss/dh for each layer (DJL returns zeros for non-leaf gradients)
 * @param logits           compute the output head; false stops after the final norm (cheaper)
 */
public record Trace(boolean hiddenStates, boolean linearInputs, boolean activationProbes, boolean logits) {

    /** Logits only. */
    public static final Trace NONE = new Trace(false, false, false, true);
    /** Logits and every layer's hidden state. */
    public static final Trace HIDDEN_STATES = new Trace(true, false, false, true);
    /** Hidden states only, no output head. */
    public static final Trace HIDDEN_STATES_ONLY = new Trace(true, false, false, false);
    /** Nothing recorded and no output head: the final-normed stream alone (see {@link LmLoss#nextTokenLogProbs(LlamaModel, NDArray, int[][])}). */
    public static final Trace FINAL_HIDDEN_ONLY = new Trace(false, false, false, false);
    /** Logits and the inputs of every linear module. */
    public static final Trace LINEAR_INPUTS = new Trace(false, true, false, true);
}
