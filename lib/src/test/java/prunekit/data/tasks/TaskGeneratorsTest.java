package prunekit.data.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import prunekit.data.Corpus;
import prunekit.data.Document;

class TaskGeneratorsTest {

    /** A fake coherent corpus of numbered sentences with varied words. */
    private static final Corpus FAKE = new Corpus() {
        @Override public String name() { return "fake"; }
        @Override public String source() { return "test"; }
        @Override public boolean coherent() { return true; }
        @Override public List<Document> documents() {
            String[] words = {"river", "stone", "light", "house", "field", "water", "tower", "cloud", "grass", "metal", "glass", "paper"};
            List<Document> docs = new ArrayList<>();
            for (int d = 0; d < 6; d++) {
                StringBuilder sb = new StringBuilder();
                for (int s = 0; s < 30; s++) {
                    sb.append("The ").append(words[(d + s) % 12]).append(" was near the ").append(words[(d * 5 + s * 7) % 12])
                            .append(" and the old ").append(words[(s * 3 + 1) % 12]).append(" by the ").append(words[(d + 2 * s) % 12])
                            .append(" in the ").append(words[(d + 3 * s) % 12]).append(". ");
                }
                docs.add(new Document("d" + d, "", sb.toString()));
            }
            return docs;
        }
    };

    @Test
    void splitsSentencesButNotAtAbbreviations() {
        assertEquals(List.of("Mr. Smith went to Washington.", "He saw Dr. J. Doe there!", "\"Why?\" he asked."),
                Sentences.split("Mr. Smith went to Washington. He saw Dr. J. Doe there! \"Why?\" he asked."));
    }

    @Test
    void generatorsAreDeterministicAndWellFormed() {
        for (TaskGenerator g : TaskBuilder.GENERATORS) {
            var a = g.generate(FAKE, FAKE.documents(), 20, new Random(1));
            var b = g.generate(FAKE, FAKE.documents(), 20, new Random(1));
            assertEquals(a, b, g.name());
            assertEquals(20, a.size(), g.name());
            for (SourcedItem s : a) {
                assertEquals(g.choices(), s.item().choices().size(), g.name());
                assertEquals(g.choices(), s.item().choices().stream().distinct().count(), g.name() + " duplicate choices");
            }
            assertNotEquals(a, g.generate(FAKE, FAKE.documents(), 20, new Random(2)), g.name());
        }
    }

    @Test
    void clozeGoldEndsARealSentenceAndItsDistractorsAreContentWordsOfTheDocument() {
        String text = String.join(" ", FAKE.documents().stream().map(Document::text).toList());
        for (SourcedItem s : new ClozeGenerator().generate(FAKE, FAKE.documents(), 10, new Random(0))) {
            String gold = s.item().choices().get(s.item().gold());
            String passage = s.item().context() + gold + ".";
            assertTrue(text.contains(passage), passage);
            String doc = FAKE.documents().stream().filter(d -> s.source().endsWith("/" + d.id())).findFirst().orElseThrow().text();
            for (String c : s.item().choices()) {
                String w = c.strip();
                assertTrue(doc.contains(w), w + " is a word of " + s.source());
                assertTrue(!ClozeGenerator.FUNCTION_WORDS.contains(w), w + " is a function word");
                assertTrue(Math.abs(w.length() - gold.strip().length()) <= 2, w + " vs " + gold);
            }
        }
    }

    @Test
    void minimalSetsEditTheRealSentenceOnceEach() {
        String text = String.join(" ", FAKE.documents().stream().map(Document::text).toList());
        for (SourcedItem s : new MinimalPairGenerator().generate(FAKE, FAKE.documents(), 10, new Random(0))) {
            String real = s.item().choices().get(s.item().gold());
            assertTrue(text.contains(real), real);
            String[] x = real.split(" ");
            int flips = 0;
            for (int j = 0; j < 4; j++) {
                if (j == s.item().gold()) continue;
                String[] y = s.item().choices().get(j).split(" ");
                assertEquals(x.length, y.length);
                List<Integer> diff = new ArrayList<>();
                for (int i = 0; i < x.length; i++) if (!x[i].equals(y[i])) diff.add(i);
                boolean flip = diff.size() == 1 && y[diff.get(0)].equals(MinimalPairGenerator.FLIPS.get(x[diff.get(0)]));
                boolean preposition = diff.size() == 1 && MinimalPairGenerator.PREPOSITIONS.contains(x[diff.get(0)])
                        && MinimalPairGenerator.PREPOSITIONS.contains(y[diff.get(0)]);
                assertTrue(flip || preposition, real + " -> " + s.item().choices().get(j));
                if (flip) flips++;
            }
            assertTrue(flips >= 1, "at least one agreement flip: " + s.item().choices());
        }
    }

    @Test
    void nextSentenceEndingsAreRestsOfRealSentences() {
        String text = String.join(" ", FAKE.documents().stream().map(Document::text).toList());
        for (SourcedItem s : new NextSentenceGenerator().generate(FAKE, FAKE.documents(), 10, new Random(0))) {
            String gold = s.item().choices().get(s.item().gold());
            assertTrue(text.contains(s.item().context() + gold), s.item().context() + gold);
            for (String c : s.item().choices()) assertTrue(text.contains(c.strip()), c);
        }
    }
}
