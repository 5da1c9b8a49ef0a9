package prunekit.data.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import prunekit.data.Corpus;
import prunekit.data.Document;

/**
 * BLiMP-style minimal pairs (Warstadt et al. 2020, arXiv:1912.00582): a real sentence against the
 * same sentence with two of its words swapped; the model should prefer the real one. Both choices
 * have the same bytes, so acc_norm equals acc here. BLiMP's pairs isolate one grammatical
 * phenomenon each; ours swap two random lower-case words (not the first word), which usually breaks
 * syntax or meaning. Context is empty: the sentences are scored from BOS.
 */
public final class MinimalPairGenerator implements TaskGenerator {

    @Override public String name() { return "minimal-pair"; }

    @Override
    public String substituteFor() {
        return "BLiMP (grammatical vs. ungrammatical sentence), with two random words swapped instead of curated phenomena";
    }

    @Override public int choices() { return 2; }

    @Override
    public List<SourcedItem> generate(Corpus corpus, List<Document> docs, int count, Random rng) {
        // 1. Candidate sentences: 6 to 25 words, starting upper-case, with two different swappable words.
        List<String[]> candidates = new ArrayList<>(); // {sentence, source}
        for (Document d : docs) {
            for (String s : Sentences.split(d.text())) {
                String[] w = Sentences.words(s);
                if (w.length < 6 || w.length > 25 || !Character.isUpperCase(s.codePointAt(0))) continue;
                if (swappable(w).size() >= 3) candidates.add(new String[] {s, corpus.name() + "/" + d.id()});
            }
        }
        // 2. Swap two different words at random swappable positions.
        List<SourcedItem> out = new ArrayList<>();
        for (String[] c : ClozeGenerator.shuffle(candidates, rng)) {
            if (out.size() == count) break;
            String[] w = Sentences.words(c[0]);
            List<Integer> pos = swappable(w);
            int a = pos.get(rng.nextInt(pos.size()));
            int b = pos.get(rng.nextInt(pos.size()));
            if (w[a].equals(w[b])) continue;
            String tmp = w[a];
            w[a] = w[b];
            w[b] = tmp;
            out.add(new SourcedItem(TaskGenerator.shuffled("", c[0], List.of(String.join(" ", w)), rng), c[1]));
        }
        return out;
    }

    /** Positions (after the first) of purely lower-case alphabetic words. */
    private static List<Integer> swappable(String[] words) {
        List<Integer> pos = new ArrayList<>();
        for (int i = 1; i < words.length; i++) if (words[i].matches("[a-z]+")) pos.add(i);
        return pos;
    }
}
