package prunekit.data.tasks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import prunekit.data.Corpus;
import prunekit.data.Document;

/**
 * LAMBADA-style cloze (Paperno et al. 2016, arXiv:1606.06031): predict the last word of a passage.
 * The passage is a sentence of at least eight words ending in "{@code word.}" with a lower-case
 * alphabetic word of at least three letters, preceded by the sentence before it when the corpus is
 * coherent. Unlike LAMBADA (open vocabulary, passages filtered by humans) this is 4-way multiple
 * choice, and the three distractors are <b>on topic</b>: content words of the same document (no
 * function words), within two letters of the gold word's length, drawn first from the passage itself
 * so that copying a word of the context is no shortcut. Distractors from the whole corpus by
 * frequency (the first version) left dense SmolLM2 at 0.94-0.97, at ceiling; on-topic ones make the
 * model tell which of several plausible words the sentence needs.
 */
public final class ClozeGenerator implements TaskGenerator {

    private static final Pattern WORD = Pattern.compile("[a-z]{3,}");
    private static final Pattern LAST = Pattern.compile("(.*) ([a-z]{3,})\\.[\"'”’]?$");
    /** Function words: never distractors (a sentence rarely ends in one, so they would be easy to reject). */
    static final Set<String> FUNCTION_WORDS = Set.of("the", "and", "for", "are", "but", "not", "you", "all", "any",
            "can", "had", "her", "was", "one", "our", "out", "has", "his", "how", "its", "may", "who", "did", "yet",
            "she", "him", "they", "them", "their", "there", "these", "those", "this", "that", "with", "from", "have",
            "were", "been", "will", "would", "could", "should", "which", "what", "when", "where", "while", "into",
            "upon", "than", "then", "also", "such", "some", "very", "must", "shall", "each", "other", "about", "over",
            "under", "more", "most", "only", "just", "your", "ours", "itself", "himself", "herself");

    @Override public String name() { return "cloze"; }

    @Override
    public String substituteFor() {
        return "LAMBADA (last-word prediction), as 4-way multiple choice with on-topic distractors from the same document";
    }

    @Override public int choices() { return 4; }

    @Override public String metric() { return "acc"; }

    @Override
    public List<SourcedItem> generate(Corpus corpus, List<Document> docs, int count, Random rng) {
        // 1. Candidate passages: {context, gold word, document index}.
        List<String[]> candidates = new ArrayList<>();
        for (int d = 0; d < docs.size(); d++) {
            List<String> sents = Sentences.split(docs.get(d).text());
            for (int i = 0; i < sents.size(); i++) {
                var m = LAST.matcher(sents.get(i));
                if (!m.matches() || Sentences.words(sents.get(i)).length < 8) continue;
                String before = corpus.coherent() && i > 0 ? sents.get(i - 1) + " " : "";
                candidates.add(new String[] {before + m.group(1), m.group(2), Integer.toString(d)});
            }
        }
        // 2. Draw passages; three distractors from the passage's content words, then the document's.
        List<SourcedItem> out = new ArrayList<>();
        for (String[] c : shuffle(candidates, rng)) {
            if (out.size() == count) break;
            String gold = c[1];
            Document doc = docs.get(Integer.parseInt(c[2]));
            List<String> distractors = new ArrayList<>();
            for (List<String> pool : List.of(contentWords(c[0], gold), contentWords(doc.text(), gold))) {
                List<String> left = shuffle(pool, rng);
                for (int k = 0; k < left.size() && distractors.size() < 3; k++) {
                    if (!distractors.contains(" " + left.get(k))) distractors.add(" " + left.get(k));
                }
            }
            if (distractors.size() < 3) continue;
            out.add(new SourcedItem(TaskGenerator.shuffled(c[0], " " + gold, distractors, rng),
                    corpus.name() + "/" + doc.id()));
        }
        return out;
    }

    /** Distinct lower-case content words of {@code text} within two letters of {@code gold}'s length, other than it. */
    static List<String> contentWords(String text, String gold) {
        Set<String> out = new LinkedHashSet<>();
        for (String w : text.split("[^A-Za-z]+")) {
            if (!WORD.matcher(w).matches() || w.equals(gold) || FUNCTION_WORDS.contains(w)) continue;
            if (Math.abs(w.length() - gold.length()) <= 2) out.add(w);
        }
        return new ArrayList<>(out);
    }

    static <T> List<T> shuffle(List<T> list, Random rng) {
        List<T> copy = new ArrayList<>(list);
        java.util.Collections.shuffle(copy, rng);
        return copy;
    }
}
