package prunekit.data;

import java.util.List;
import java.util.Set;

/**
 * Rebuilds readable text from Brown Corpus word tokens: {@code ``} and {@code ''} become straight
 * double quotes, punctuation attaches to the word before it, opening brackets and quotes to the word
 * after it, {@code --} stays a spaced dash, and a sentence-final period after an abbreviation's
 * period ({@code Jr. .}) is dropped.
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
            if (w.equals(".") && sb.length() > 0 && sb.charAt(sb.length() - 1) == '.') continue; // "Jr." + "."
            if (!glueNext && !NO_SPACE_BEFORE.contains(w)) sb.append(' ');
            sb.append(switch (w) {
                case "``", "''" -> "\"";
                default -> w;
            });
            glueNext = NO_SPACE_AFTER.contains(w);
        }
        return sb.toString();
    }
}
