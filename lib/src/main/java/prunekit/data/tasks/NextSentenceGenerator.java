package prunekit.data.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import prunekit.data.Corpus;
import prunekit.data.Document;

/**
 * HellaSwag-style ending (Zellers et al. 2019, arXiv:1905.07830): a sentence is cut after its first
 * 40 % of words; given the sentence before it and that opening, pick the true rest of the sentence.
 * The three wrong endings are the rests of sentences from other test documents of the same corpus,
 * cut the same way, with a word count within 20 % of the true one, so every ending is a well-formed
 * tail of a real sentence and only its fit to this opening tells it apart. HellaSwag's endings are
 * adversarially generated, ours are real text; read with acc_norm, as HellaSwag is.
 *
 * <p>The first version (whole next sentences from other documents, length within 40 %) left dense
 * SmolLM2 at acc 0.34, near chance: a whole sentence from another document of the same corpus is
 * often as plausible a next sentence as the true one. Needs coherent corpora, so nlp-corpus
 * (shuffled sentences) is left out.
 */
public final class NextSentenceGenerator implements TaskGenerator {

    @Override public String name() { return "next-sentence"; }

    @Override
    public String substituteFor() {
        return "HellaSwag (choose the ending), with the rests of real sentences from other documents as wrong endings";
    }

    @Override public int choices() { return 4; }

    @Override public String metric() { return "acc_norm"; }

    @Override public boolean accepts(Corpus corpus) { return corpus.coherent(); }

    @Override
    public List<SourcedItem> generate(Corpus corpus, List<Document> docs, int count, Random rng) {
        // 1. Cut every usable sentence (8 to 40 words) into opening and ending: {previous, opening, ending, doc}.
        List<String[]> cuts = new ArrayList<>();
        for (int d = 0; d < docs.size(); d++) {
            List<String> sents = Sentences.split(docs.get(d).text());
            for (int i = 1; i < sents.size(); i++) {
                String[] w = Sentences.words(sents.get(i));
                int prev = Sentences.words(sents.get(i - 1)).length;
                if (w.length < 8 || w.length > 40 || prev < 4 || prev > 40) continue;
                if (!Character.isUpperCase(sents.get(i).codePointAt(0))) continue;
                int k = Math.max(3, (int) Math.round(0.4 * w.length));
                String opening = String.join(" ", java.util.Arrays.copyOfRange(w, 0, k));
                String ending = String.join(" ", java.util.Arrays.copyOfRange(w, k, w.length));
                if (!Character.isLowerCase(ending.codePointAt(0))) continue;
                cuts.add(new String[] {sents.get(i - 1), opening, ending, Integer.toString(d)});
            }
        }
        // 2. Draw items; wrong endings from other documents with a word count within 20 %.
        List<SourcedItem> out = new ArrayList<>();
        for (String[] c : ClozeGenerator.shuffle(cuts, rng)) {
            if (out.size() == count) break;
            int words = Sentences.words(c[2]).length;
            List<String> distractors = new ArrayList<>();
            for (int tries = 0; distractors.size() < 3 && tries < 4000; tries++) {
                String[] o = cuts.get(rng.nextInt(cuts.size()));
                double ratio = (double) Sentences.words(o[2]).length / words;
                if (o[3].equals(c[3]) || ratio < 0.8 || ratio > 1.25 || o[2].equals(c[2])) continue;
                if (!distractors.contains(" " + o[2])) distractors.add(" " + o[2]);
            }
            if (distractors.size() < 3) continue;
            out.add(new SourcedItem(TaskGenerator.shuffled(c[0] + " " + c[1], " " + c[2], distractors, rng),
                    corpus.name() + "/" + docs.get(Integer.parseInt(c[3])).id()));
        }
        return out;
    }
}
