package prunekit.data;

import java.util.Arrays;
import java.util.List;
import prunekit.model.Tokenizer;

/**
 * Documents as one stream of token ids, the form perplexity and calibration sampling read.
 *
 * <p>Each document is encoded on its own (so a token never spans two documents) and consecutive
 * documents are separated by the tokens of {@link #SEPARATOR}, a blank line. No BOS or EOS is
 * inserted: windows cut from the stream get their BOS from the caller.
 */
public final class TokenStream {

    /** Text placed between documents before encoding. */
    public static final String SEPARATOR = "\n\n";

    private TokenStream() {}

    /** Token ids of {@code docs} joined with {@link #SEPARATOR}. */
    public static int[] of(List<Document> docs, Tokenizer tokenizer) {
        return of(docs, tokenizer, 0);
    }

    /**
     * Token ids of the first documents of {@code docs}, joined with {@link #SEPARATOR}, stopping
     * once the stream holds at least {@code atLeast} tokens (0: all documents).
     */
    public static int[] of(List<Document> docs, Tokenizer tokenizer, long atLeast) {
        int[] sep = tokenizer.encode(SEPARATOR);
        int[][] parts = new int[docs.size()][];
        long total = 0;
        int used = 0;
        while (used < docs.size() && (atLeast <= 0 || total < atLeast)) {
            parts[used] = tokenizer.encode(docs.get(used).text());
            total += parts[used].length + (used > 0 ? sep.length : 0);
            used++;
        }
        parts = Arrays.copyOf(parts, used);
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(docs.size() + " documents give " + total + " tokens, too many for one stream");
        }
        int[] out = new int[(int) total];
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                System.arraycopy(sep, 0, out, at, sep.length);
                at += sep.length;
            }
            System.arraycopy(parts[i], 0, out, at, parts[i].length);
            at += parts[i].length;
        }
        return at == out.length ? out : Arrays.copyOf(out, at);
    }
}
