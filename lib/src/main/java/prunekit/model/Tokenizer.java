package prunekit.model;

/**
 * Text to token ids and back, as the checkpoint's own tokenizer does it.
 *
 * <p>{@link #encode} never adds a beginning-of-sequence token: callers that want one prepend
 * {@link #bosId()} themselves, so that perplexity windows and multiple-choice continuations are
 * tokenised the same way for every model.
 */
public interface Tokenizer {

    /** Token ids of {@code text}, without special tokens. */
    int[] encode(String text);

    /** The text of {@code ids}; special tokens are skipped. */
    String decode(int[] ids);

    /**
     * Id of the beginning-of-sequence token that starts every sequence of this model, or -1 when
     * the model uses none (SmolLM2, for one, is trained without: its GGUF says add_bos_token=false).
     */
    int bosId();

    /** Id of the end-of-sequence token, or -1 if the vocabulary has none. */
    int eosId();

    /** Number of entries in the vocabulary. */
    int vocabSize();
}
