package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class ProtocolTableTest {

    private static final Protocol SMALL = new Protocol("brown", List.of("sotu"), "brown", List.of(8, 16), 10_000);

    /** A model whose expected NLL per token is 3 + shift, the same window noise for every shift. */
    private static ProtocolTable.Measurement noisy(double shift) {
        return (corpus, n) -> Perplexity.ofStream(new NoisyScorer(3 + shift, 0.5, 7), NoisyScorer.stream(40, n), -1,
                corpus + "/test", new Perplexity.Config(n, 0, 8, false));
    }

    @Test
    void ratiosAndComparisonsFollowTheShiftsOnEveryMeasure() {
        ProtocolTable t = new ProtocolTable(SMALL).add("dense", noisy(0)).add("worse", noisy(0.2)).add("same", noisy(0));
        assertEquals(List.of("ppl sotu@8", "ppl sotu@16", "ppl brown@8", "ppl brown@16"), t.measures());
        Table table = t.table("test");
        assertEquals(List.of("model", "sotu@8", "÷ ref sotu@8", "sotu@16", "÷ ref sotu@16", "brown@8 (in-domain)",
                "÷ ref brown@8 (in-domain)", "brown@16 (in-domain)", "÷ ref brown@16 (in-domain)"), table.columnNames());
        // every token of "worse" costs 0.2 nats more on the same windows: PPL ratio exp(0.2)
        assertEquals(Math.exp(0.2), table.doubleColumn("÷ ref sotu@16").get(1), 1e-3);
        assertEquals(1.0, table.doubleColumn("÷ ref brown@8 (in-domain)").get(2), 1e-12);
        for (String m : t.measures()) {
            PairedComparison worse = t.compare("worse", "dense", m);
            assertEquals(PairedComparison.Verdict.WORSE, worse.verdict(), m);
            assertEquals(Math.exp(0.2), worse.estimate(), 1e-4, m);
            assertEquals(PairedComparison.Verdict.TIE, t.compare("same", "dense", m).verdict(), m);
        }
    }
}
