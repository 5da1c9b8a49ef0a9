package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.Arrays;

/**
 * Greedy decoding: repeatedly append the most probable next token. Recomputes the whole prefix at
 * each step (no key/value cache): simple, and fast enough for the short continuations the
 * notebooks show.
 */
public final class Generator {

    private Generator() {}

    /**
     * Continues {@code prompt} greedily for up to {@code maxNewTokens} tokens, stopping at the
     * end-of-sequence token or the model's context length. A BOS token is prepended when the
     * tokenizer has one.
     *
     * @return the generated text only (the prompt is not repeated)
     */
    public static String greedy(LlamaModel model, String prompt, int maxNewTokens) {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
        }
        Tokenizer tok = model.tokenizer();
        int[] encoded = tok.encode(prompt);
        int[] ids = tok.bosId() >= 0 ? prepend(tok.bosId(), encoded) : encoded;
        if (ids.length == 0) {
            throw new IllegalArgumentException("empty prompt: give some text (the tokenizer has no BOS token)");
        }
        int start = ids.length;
        for (int step = 0; step < maxNewTokens && ids.length < model.config().maxSequenceLength(); step++) {
            int next;
            try (NDManager m = model.manager().newSubManager()) {
                NDArray logits = model.forward(m, new int[][] {ids}, Trace.NONE).logits();
                next = (int) logits.get(new NDIndex(0, ids.length - 1)).argMax().getLong();
            }
            ids = Arrays.copyOf(ids, ids.length + 1);
            ids[ids.length - 1] = next;
            if (next == tok.eosId()) {
                break;
            }
        }
        // decode prompt + continuation together: tokenizers that strip a leading space from the
        // first piece would otherwise glue the continuation to the prompt
        String promptText = tok.decode(Arrays.copyOf(ids, start));
        String full = tok.decode(ids);
        return full.startsWith(promptText) ? full.substring(promptText.length()) : full;
    }

    static int[] prepend(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
