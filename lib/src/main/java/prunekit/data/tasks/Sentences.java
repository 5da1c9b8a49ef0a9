package prunekit.data.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rule-based English sentence splitter, good enough to cut task items from our corpora: a line
 * break always ends a sentence; inside a line a sentence ends at {@code . ! ?} (plus closing quotes
 * or brackets) followed by a space and an upper-case letter or opening quote, unless the word
 * before the period is a known abbreviation or a single initial.
 */
public final class Sentences {

    private static final Pattern END = Pattern.compile("[.!?]+[\"'”’)\\]]*\\s+(?=[\"'“‘(\\[]?[A-Z])");
    private static final Set<String> ABBREVIATIONS = Set.of("mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "gov",
            "sen", "rep", "mt", "no", "vs", "capt", "col", "lt", "rev", "prof", "co", "inc", "u.s", "e.g", "i.e", "etc");

    private Sentences() {}

    /** Sentences of {@code text}, whitespace-collapsed, in order. */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\\R")) {
            line = line.strip().replaceAll("\\s+", " ");
            if (line.isEmpty()) continue;
            int start = 0;
            Matcher m = END.matcher(line);
            while (m.find()) {
                if (isAbbreviation(line, m.start())) continue;
                out.add(line.substring(start, m.end()).strip());
                start = m.end();
            }
            if (start < line.length()) out.add(line.substring(start).strip());
        }
        return out;
    }

    /** Whitespace-separated words of a sentence. */
    public static String[] words(String sentence) {
        return sentence.isBlank() ? new String[0] : sentence.strip().split(" ");
    }

    private static boolean isAbbreviation(String line, int periodAt) {
        if (line.charAt(periodAt) != '.') return false;
        int w = periodAt;
        while (w > 0 && line.charAt(w - 1) != ' ') w--;
        String word = line.substring(w, periodAt).replaceAll("^[\"'“‘(]+", "").toLowerCase();
        return ABBREVIATIONS.contains(word) || word.length() == 1 && Character.isLetter(word.charAt(0));
    }
}
