package prunekit.data.tasks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Pattern;
import prunekit.data.Corpus;
import prunekit.data.Document;

/**
 * LAMBADA-style cloze (Paperno et al. 2016, arXiv:1606.06031): predict the last word of a passage.
 * The passage is a sentence ending in "{@code word.}" with a lower-case alphabetic word of at least
 * three letters, preceded by up to two sentences of the same document when the corpus is coherent.
 * Unlike LAMBADA (open vocabulary, passages filtered by humans) this is 4-way multiple choice: the
 * gold word and three distractors from the same corpus's test vocabulary with similar frequency
 * (within a factor 2, widened to 4 and then to any if needed) and length (within one letter).
 */
public final class ClozeGenerator implements TaskGenerator {

    private static final Pattern WORD = Pattern.compile("[a-z]{3,}");
    private static final Pattern LAST = Pattern.compile("(.*) ([a-z]{3,})\\.[\"'”’]?$");

    @Override public String name() { return "cloze"; }

    @Override
    public String substituteFor() {
        return "LAMBADA (last-word prediction), as 4-way multiple choice with frequency- and length-matched distractors";
    }

    @Override public int choices() { return 4; }

    @Override
    public List<SourcedItem> generate(Corpus corpus, List<Document> docs, int count, Random rng) {
        // 1. Word frequencies of the test split (lower-case alphabetic words), sorted for determinism.
        Map<String, Integer> freq = new TreeMap<>();
        for (Document d : docs) {
            for (String w : d.text().toLowerCase().split("[^a-z]+")) if (WORD.matcher(w).matches()) freq.merge(w, 1, Integer::sum);
        }
        // 2. Candidate passages: context = previous sentences + target sentence without its last word.
        List<String[]> candidates = new ArrayList<>(); // {context, gold word, source}
        for (Document d : docs) {
            List<String> sents = Sentences.split(d.text());
            for (int i = 0; i < sents.size(); i++) {
                var m = LAST.matcher(sents.get(i));
                if (!m.matches() || Sentences.words(sents.get(i)).length < 8) continue;
                StringBuilder ctx = new StringBuilder();
                if (corpus.coherent()) for (int k = Math.max(0, i - 2); k < i; k++) ctx.append(sents.get(k)).append(' ');
                ctx.append(m.group(1));
                candidates.add(new String[] {ctx.toString(), m.group(2), corpus.name() + "/" + d.id()});
            }
        }
        // 3. Draw passages, then distractors matched on frequency and length.
        List<SourcedItem> out = new ArrayList<>();
        Map<String, List<String>> pools = new HashMap<>();
        for (String[] c : shuffle(candidates, rng)) {
            if (out.size() == count) break;
            List<String> pool = pools.computeIfAbsent(c[1], g -> distractorPool(g, freq));
            if (pool.size() < 3) continue;
            List<String> distractors = new ArrayList<>();
            while (distractors.size() < 3) {
                String w = " " + pool.get(rng.nextInt(pool.size()));
                if (!distractors.contains(w)) distractors.add(w);
            }
            out.add(new SourcedItem(TaskGenerator.shuffled(c[0], " " + c[1], distractors, rng), c[2]));
        }
        return out;
    }

    /** Words other than {@code gold} with length within 1 and frequency within a factor 2 (then 4, then any). */
    static List<String> distractorPool(String gold, Map<String, Integer> freq) {
        int f = freq.getOrDefault(gold, 1);
        for (double factor : new double[] {2, 4, Double.POSITIVE_INFINITY}) {
            List<String> pool = new ArrayList<>();
            for (var e : freq.entrySet()) {
                if (e.getKey().equals(gold) || Math.abs(e.getKey().length() - gold.length()) > 1) continue;
                if (e.getValue() * factor >= f && e.getValue() <= f * factor) pool.add(e.getKey());
            }
            if (pool.size() >= 10) return pool;
        }
        return List.of();
    }

    static <T> List<T> shuffle(List<T> list, Random rng) {
        List<T> copy = new ArrayList<>(list);
        java.util.Collections.shuffle(copy, rng);
        return copy;
    }
}
