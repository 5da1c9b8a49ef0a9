package prunekit.data.tasks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import prunekit.data.Corpus;
import prunekit.data.Document;

/**
 * BLiMP-style grammaticality (Warstadt et al. 2020, arXiv:1912.00582), as a four-way minimal set:
 * a real sentence against three copies of it, each with <b>one</b> edit that makes it
 * ungrammatical — an agreement word flipped to its other form (subject-verb: is/are, was/were,
 * has/have, does/do; determiner-noun: this/these, those/that; the article a/an; pronoun case:
 * him/he, her/she, them/they, us/we, me/I) or two neighbouring lower-case words swapped. At least
 * one of the three is an agreement flip. The model should give the real sentence the highest
 * likelihood (acc, as BLiMP; all four are scored from BOS with an empty context).
 *
 * <p>BLiMP's pairs are written by hand per phenomenon; ours edit real sentences, so a few edits stay
 * grammatical ("that" as a conjunction), which caps the ceiling a little below 1. Why four-way: as
 * pairs, agreement flips left dense SmolLM2 at 0.96 (200 items), at ceiling, while 6 random layers
 * removed scored 0.76; the first version (two random words swapped) sat at 0.98 dense and still
 * 0.87 with the last 9 layers removed. Needing to beat three edits at once brings the dense model
 * off the ceiling and widens the gap a damaged one shows.
 */
public final class MinimalPairGenerator implements TaskGenerator {

    /** Each agreement word and its other form. */
    static final Map<String, String> FLIPS = Map.ofEntries(
            Map.entry("is", "are"), Map.entry("are", "is"), Map.entry("was", "were"), Map.entry("were", "was"),
            Map.entry("has", "have"), Map.entry("have", "has"), Map.entry("does", "do"), Map.entry("do", "does"),
            Map.entry("this", "these"), Map.entry("these", "this"), Map.entry("those", "that"),
            Map.entry("a", "an"), Map.entry("an", "a"), Map.entry("him", "he"), Map.entry("her", "she"),
            Map.entry("them", "they"), Map.entry("they", "them"), Map.entry("us", "we"), Map.entry("we", "us"),
            Map.entry("me", "I"));

    @Override public String name() { return "minimal-pair"; }

    @Override
    public String substituteFor() {
        return "BLiMP (grammatical vs. ungrammatical), as 4-way: a real sentence against three single-edit corruptions"
                + " (agreement flips, neighbouring words swapped)";
    }

    @Override public int choices() { return 4; }

    @Override public String metric() { return "acc"; }

    @Override
    public List<SourcedItem> generate(Corpus corpus, List<Document> docs, int count, Random rng) {
        // 1. Candidate sentences: 6 to 30 words, starting upper-case, with an agreement word after the first.
        List<String[]> candidates = new ArrayList<>(); // {sentence, source}
        for (Document d : docs) {
            for (String s : Sentences.split(d.text())) {
                String[] w = Sentences.words(s);
                if (w.length < 6 || w.length > 30 || !Character.isUpperCase(s.codePointAt(0))) continue;
                if (!flips(w).isEmpty()) candidates.add(new String[] {s, corpus.name() + "/" + d.id()});
            }
        }
        // 2. Three distinct edited copies: one agreement flip, then two more edits of either kind.
        List<SourcedItem> out = new ArrayList<>();
        for (String[] c : ClozeGenerator.shuffle(candidates, rng)) {
            if (out.size() == count) break;
            String[] w = Sentences.words(c[0]);
            List<String> flips = flips(w);
            List<String> all = new ArrayList<>(flips);
            all.addAll(swaps(w));
            Set<String> edited = new LinkedHashSet<>();
            edited.add(flips.get(rng.nextInt(flips.size())));
            for (String e : ClozeGenerator.shuffle(all, rng)) if (edited.size() < 3) edited.add(e);
            edited.remove(c[0]);
            if (edited.size() < 3) continue;
            out.add(new SourcedItem(TaskGenerator.shuffled("", c[0], List.copyOf(edited), rng), c[1]));
        }
        return out;
    }

    /** Every copy of the sentence with one agreement word (after the first word) flipped. */
    private static List<String> flips(String[] words) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < words.length; i++) {
            if (!FLIPS.containsKey(words[i])) continue;
            String[] w = words.clone();
            w[i] = FLIPS.get(words[i]);
            out.add(String.join(" ", w));
        }
        return out;
    }

    /** Every copy with two neighbouring, different, purely lower-case words (after the first) swapped. */
    private static List<String> swaps(String[] words) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i + 1 < words.length; i++) {
            if (!words[i].matches("[a-z]+") || !words[i + 1].matches("[a-z]+") || words[i].equals(words[i + 1])) continue;
            String[] w = words.clone();
            w[i] = words[i + 1];
            w[i + 1] = words[i];
            out.add(String.join(" ", w));
        }
        return out;
    }
}
