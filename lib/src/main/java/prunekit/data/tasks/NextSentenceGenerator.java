package prunekit.data.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import prunekit.data.Corpus;
import prunekit.data.Document;

/**
 * HellaSwag-style sentence continuation (Zellers et al. 2019, arXiv:1905.07830): given two or three
 * consecutive sentences, pick the one that really follows. The three wrong endings are real
 * sentences from other test documents of the same corpus with a length within 40% of the true one
 * (HellaSwag's are adversarially generated, so ours are easier). Needs coherent corpora, so
 * nlp-corpus (shuffled sentences) is left out.
 */
public final class NextSentenceGenerator implements TaskGenerator {

    @Override public String name() { return "next-sentence"; }

    @Override
    public String substituteFor() {
        return "HellaSwag (choose the ending), with real sentences from other documents as distractors";
    }

    @Override public int choices() { return 4; }

    @Override public boolean accepts(Corpus corpus) { return corpus.coherent(); }

    @Override
    public List<SourcedItem> generate(Corpus corpus, List<Document> docs, int count, Random rng) {
        // 1. Usable sentences (5 to 40 words) per document.
        List<List<String>> sents = new ArrayList<>();
        List<String[]> all = new ArrayList<>(); // {sentence, doc index}
        for (int d = 0; d < docs.size(); d++) {
            List<String> s = Sentences.split(docs.get(d).text());
            sents.add(s);
            for (String x : s) if (usable(x)) all.add(new String[] {x, Integer.toString(d)});
        }
        // 2. Candidate positions: k = 2 or 3 usable context sentences followed by a usable ending.
        List<int[]> positions = new ArrayList<>(); // {doc, index of the ending}
        for (int d = 0; d < docs.size(); d++) {
            for (int i = 3; i < sents.get(d).size(); i++) {
                if (usable(sents.get(d).get(i)) && usable(sents.get(d).get(i - 1)) && usable(sents.get(d).get(i - 2))) {
                    positions.add(new int[] {d, i});
                }
            }
        }
        // 3. Draw positions; distractors from other documents with a similar length.
        List<SourcedItem> out = new ArrayList<>();
        for (int[] p : ClozeGenerator.shuffle(positions, rng)) {
            if (out.size() == count) break;
            List<String> doc = sents.get(p[0]);
            int k = 2 + rng.nextInt(2);
            String context = String.join(" ", doc.subList(p[1] - k, p[1]));
            String gold = doc.get(p[1]);
            List<String> distractors = new ArrayList<>();
            for (int tries = 0; distractors.size() < 3 && tries < 2000; tries++) {
                String[] s = all.get(rng.nextInt(all.size()));
                double ratio = (double) s[0].length() / gold.length();
                if (Integer.parseInt(s[1]) == p[0] || ratio < 0.6 || ratio > 1.4) continue;
                if (!distractors.contains(" " + s[0])) distractors.add(" " + s[0]);
            }
            if (distractors.size() < 3) continue;
            out.add(new SourcedItem(TaskGenerator.shuffled(context, " " + gold, distractors, rng),
                    corpus.name() + "/" + docs.get(p[0]).id()));
        }
        return out;
    }

    private static boolean usable(String s) {
        int n = Sentences.words(s).length;
        return n >= 5 && n <= 40 && Character.isUpperCase(s.codePointAt(0));
    }
}
