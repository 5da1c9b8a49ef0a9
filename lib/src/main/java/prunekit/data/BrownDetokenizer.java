package prunekit.data;

import java.util.List;
import java.util.Set;

/**
 * Rebuilds readable text from Brown Corpus word tokens: {@code ``} and {@code ''} become straight
 * double quotes, punctuation attaches to the word before it, opening brackets and quotes to the word
 * after it, {@code --} stays a spaced dash, and a sentence-final {@code . ? !} that follows another
 * one (an abbreviation's period, {@code Jr. .}, or this package's doubled final marks,
 * {@code ?/. ?/.}), possibly across a closing quote, is dropped.
 */
public final class BrownDetokenizer {

    private static final Set<String> NO_SPACE_BEFORE = Set.of(",", ".", ";", ":", "?", "!", ")", "]", "''", "'");
    private static final Set<String> NO_SPACE_AFTER = Set.of("(", "[", "``");

    private BrownDetokenizer() {}

    /** Joins {@code words} (tags already removed) into one line of text. */
    public static String detokenize(List<String> words) {
        StringBuilder sb = new StringBuilder();
        boolean glueNext = true; // no space before the first word
        for (String w : words) {
            if (isEnd(w) && endsSentence(sb)) continue; // "Jr. ." and the corpus's doubled "? ?"
            if (!glueNext && !NO_SPACE_BEFORE.contains(w)) sb.append(' ');
            sb.append(switch (w) {
                case "``", "''" -> "\"";
                default -> w;
            });
            glueNext = NO_SPACE_AFTER.contains(w);
        }
        return sb.toString();
    }

    private static boolean isEnd(String w) {
        return w.equals(".") || w.equals("?") || w.equals("!");
    }

    private static boolean endsSentence(StringBuilder sb) {
        int i = sb.length() - 1;
        if (i >= 0 && sb.charAt(i) == '"') i--;
        return i >= 0 && ".?!".indexOf(sb.charAt(i)) >= 0;
    }
}
