package prunekit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.Arrays;

/**
 * Autoregressive decoding with a key/value cache ({@link KvCache}): the prompt runs once, then each
 * new token runs alone against the cached keys and values, so a token costs the same at any length.
 * The next token comes from {@link Sampling} (greedy, or temperature / top-k / top-p with a seed).
 * Generation stops at the end-of-sequence token (not before {@code minNewTokens}: until then its
 * logit is −∞, transformers' {@code min_new_tokens}), after {@code maxNewTokens}, or at the model's
 * context length.
 */
public final class Generator {

    /**
     * @param maxNewTokens at most this many new tokens (40)
     * @param minNewTokens no end-of-sequence stop before this many (0)
     * @param sampling how each token is chosen ({@link Sampling#GREEDY})
     */
    public record Settings(int maxNewTokens, int minNewTokens, Sampling sampling) {
        /** 40 tokens at most, greedy. */
        public static final Settings DEFAULT = new Settings(40, 0, Sampling.GREEDY);

        public Settings {
            if (maxNewTokens < 0) throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
            if (minNewTokens < 0 || minNewTokens > maxNewTokens) {
                throw new IllegalArgumentException("min new tokens must be in [0, max new tokens = " + maxNewTokens + "], got "
                        + minNewTokens);
            }
        }
    }

    private Generator() {}

    /** Greedy continuation of {@code prompt}, at most {@code maxNewTokens} tokens: the generated text only. */
    public static String greedy(LlamaModel model, String prompt, int maxNewTokens) {
        return generate(model, prompt, new Settings(maxNewTokens, 0, Sampling.GREEDY));
    }

    /**
     * Continues {@code prompt} (a BOS is prepended when the tokenizer has one).
     *
     * @return the generated text only (the prompt is not repeated)
     */
    public static String generate(LlamaModel model, String prompt, Settings settings) {
        int[] prompted = promptIds(model, prompt);
        return continuation(model, prompted, generate(model, prompted, settings));
    }

    /** The text of {@code ids} after its first {@code prompt.length} ids (the prompt). */
    public static String continuation(LlamaModel model, int[] prompt, int[] ids) {
        // decode prompt + continuation together: tokenizers that strip a leading space from the
        // first piece would otherwise glue the continuation to the prompt
        Tokenizer tok = model.tokenizer();
        String promptText = tok.decode(prompt);
        String full = tok.decode(ids);
        return full.startsWith(promptText) ? full.substring(promptText.length()) : full;
    }

    /** The prompt's ids with BOS first when the tokenizer has one; an empty prompt without BOS is an error. */
    public static int[] promptIds(LlamaModel model, String prompt) {
        Tokenizer tok = model.tokenizer();
        int[] encoded = tok.encode(prompt);
        int[] ids = tok.bosId() >= 0 ? prepend(tok.bosId(), encoded) : encoded;
        if (ids.length == 0) throw new IllegalArgumentException("empty prompt: give some text (the tokenizer has no BOS token)");
        return ids;
    }

    /** Prompt ids followed by the generated ids, through the key/value cache. */
    public static int[] generate(LlamaModel model, int[] prompt, Settings settings) {
        return decode(model, prompt, settings, true);
    }

    /** The same without a cache, the whole sequence re-run for every token: the reference the cache is tested against. */
    static int[] generateUncached(LlamaModel model, int[] prompt, Settings settings) {
        return decode(model, prompt, settings, false);
    }

    private static int[] decode(LlamaModel model, int[] prompt, Settings settings, boolean cached) {
        int eos = model.tokenizer().eosId();
        Sampling.Chooser chooser = settings.sampling().chooser();
        int[] ids = prompt.clone();
        int limit = model.config().maxSequenceLength();
        try (KvCache cache = cached ? model.newCache() : null) {
            int[] feed = prompt;                                              // what the next pass runs
            for (int n = 0; n < settings.maxNewTokens() && ids.length < limit; n++) {
                float[] logits;
                try (NDManager step = model.manager().newSubManager()) {
                    // 1. logits of the last position: the prompt (then one token) after the cache, or everything again
                    ForwardResult r = cached ? model.forward(step, new int[][] {feed}, cache, Trace.FINAL_HIDDEN_ONLY)
                            : model.forward(step, new int[][] {ids}, Trace.FINAL_HIDDEN_ONLY);
                    NDArray last = r.finalHidden().get(new NDIndex(":, -1:, :"));
                    logits = model.logits(last).toFloatArray();                   // (V)
                }
                // 2. no end of sequence before minNewTokens, then choose
                if (n < settings.minNewTokens() && eos >= 0) logits[eos] = Float.NEGATIVE_INFINITY;
                int next = chooser.next(logits);
                ids = Arrays.copyOf(ids, ids.length + 1);
                ids[ids.length - 1] = next;
                feed = new int[] {next};
                if (next == eos) break;
            }
        }
        return ids;
    }

    static int[] prepend(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
