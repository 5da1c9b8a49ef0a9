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
 * BLiMP-style acceptability (Warstadt et al. 2020, arXiv:1912.00582), as a four-way minimal set:
 * a real sentence against three copies of it, each with <b>one</b> word changed — an agreement word
 * flipped to its other form (subject-verb: is/are, was/were, has/have, does/do; determiner-noun:
 * this/these, those/that; the article a/an; pronoun case: him/he, her/she, them/they, us/we, me/I)
 * or a preposition replaced by another (in, on, at, of, for, to, with, from, by, into, about, over).
 * One of the three is an agreement flip, the others prepositions where the sentence has them, else
 * more flips. The model should give the real sentence the
 * highest likelihood (acc, as BLiMP; all four are scored from BOS with an empty context).
 *
 * <p>BLiMP's pairs are written by hand per phenomenon; ours edit real sentences, so some edits stay
 * acceptable ("that" as a conjunction, "walked to / in the park"), which caps the ceiling below 1.
 * Why this design, measured on SmolLM2 with 200 items: the first version (two random words swapped,
 * pairs) sat at 0.98 dense and still 0.87 with the last 9 layers removed; agreement flips as pairs
 * gave 0.96 dense (0.76 with 6 random layers removed); four-way with neighbouring-word swaps as the
 * other edits, 0.935 dense — swaps are too easy to spot. Prepositions are the subtle edit that brings
 * the dense model off the ceiling: with one flip and two edits of either kind, 0.905 dense; the
 * shipped version takes prepositions first.
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

    /** Prepositions that replace one another. */
    static final List<String> PREPOSITIONS = List.of("in", "on", "at", "of", "for", "to", "with", "from", "by", "into",
            "about", "over");

    @Override
    public String substituteFor() {
        return "BLiMP (acceptable vs. not), as 4-way: a real sentence against three one-word edits"
                + " (agreement flips, prepositions replaced)";
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
        // 2. Three distinct edited copies: one agreement flip, then prepositions, then other flips.
        List<SourcedItem> out = new ArrayList<>();
        for (String[] c : ClozeGenerator.shuffle(candidates, rng)) {
            if (out.size() == count) break;
            String[] w = Sentences.words(c[0]);
            List<String> flips = flips(w);
            Set<String> edited = new LinkedHashSet<>();
            edited.add(flips.get(rng.nextInt(flips.size())));
            for (String e : ClozeGenerator.shuffle(prepositions(w, rng), rng)) if (edited.size() < 3) edited.add(e);
            for (String e : ClozeGenerator.shuffle(flips, rng)) if (edited.size() < 3) edited.add(e);
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

    /** Every copy with one preposition (after the first word) replaced by another, drawn at random. */
    private static List<String> prepositions(String[] words, Random rng) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < words.length; i++) {
            if (!PREPOSITIONS.contains(words[i])) continue;
            String[] w = words.clone();
            String other;
            do {
                other = PREPOSITIONS.get(rng.nextInt(PREPOSITIONS.size()));
            } while (other.equals(words[i]));
            w[i] = other;
            out.add(String.join(" ", w));
        }
        return out;
    }
}
