package prunekit.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import prunekit.model.LlamaModel;

/**
 * Live models measured side by side on the evaluation {@link Protocol}: each corpus's test split
 * (cross-domain first, then in-domain) at each window length, the first model added being the
 * reference (the dense model, read through {@link Baselines} so every notebook uses the same dense
 * numbers). {@link #table} shows every perplexity with its ratio to the reference; {@link #compare}
 * pairs two models window by window ({@link PairedComparison}), as a verdict needs.
 *
 * <pre>{@code
 * var live = new ProtocolTable(Protocol.DEFAULT).reference(dense).add("pruned", pruned).add("pruned + P", projected);
 * live.table("Compensation");                                        // ppl and ÷ dense per measure
 * live.compare("pruned + P", "pruned", "ppl sotu@128");             // ratio, interval, better / worse / tie
 * }</pre>
 */
public final class ProtocolTable {

    /** How one model's perplexity on one corpus's test split at one window length is measured. */
    @FunctionalInterface
    public interface Measurement {
        Perplexity.Result of(String corpus, int seqLen);
    }

    private final Protocol protocol;
    /** model name → measure ({@code ppl <corpus>@<seqLen>}) → result, in insertion order */
    private final Map<String, Map<String, Perplexity.Result>> results = new LinkedHashMap<>();

    /** An empty table measuring on {@code protocol}. */
    public ProtocolTable(Protocol protocol) {
        this.protocol = protocol;
    }

    /** The dense model as the reference, measured through {@link Baselines} (cached on disk). */
    public ProtocolTable reference(LlamaModel dense) {
        ModelScorer scorer = new ModelScorer(dense);
        return add(dense.config().name(), (corpus, n) -> Baselines.perplexity(scorer, dense.tokenizer(), corpus, "test", config(dense, n)));
    }

    /** A model measured live on every corpus and window length of the protocol. */
    public ProtocolTable add(String name, LlamaModel model) {
        ModelScorer scorer = new ModelScorer(model);
        return add(name, (corpus, n) -> Perplexity.ofSplit(scorer, model.tokenizer(), corpus, "test", config(model, n)));
    }

    /** A model measured by {@code measurement} on every corpus and window length of the protocol. */
    public ProtocolTable add(String name, Measurement measurement) {
        if (results.containsKey(name)) throw new IllegalArgumentException("model '" + name + "' is already in the table");
        Map<String, Perplexity.Result> row = new LinkedHashMap<>();
        for (String corpus : protocol.evalCorpora()) {
            for (int n : protocol.seqLens()) row.put(measure(corpus, n), measurement.of(corpus, n));
        }
        results.put(name, row);
        return this;
    }

    /** {@code ppl <corpus>@<seqLen>}, the name {@link RecordSet} gives the same measurement. */
    public static String measure(String corpus, int seqLen) {
        return "ppl " + corpus + "@" + seqLen;
    }

    /** The measures, cross-domain corpora first, each at every window length. */
    public List<String> measures() {
        List<String> out = new ArrayList<>();
        for (String corpus : protocol.evalCorpora()) {
            for (int n : protocol.seqLens()) out.add(measure(corpus, n));
        }
        return out;
    }

    /** One model's measurement. */
    public Perplexity.Result result(String model, String measure) {
        Map<String, Perplexity.Result> row = results.get(model);
        if (row == null) throw new IllegalArgumentException("no model '" + model + "' in the table; models: " + results.keySet());
        Perplexity.Result r = row.get(measure);
        if (r == null) throw new IllegalArgumentException("no measure '" + measure + "'; measures: " + measures());
        return r;
    }

    /** Model A against model B on the same windows of {@code measure}. */
    public PairedComparison compare(String a, String b, String measure) {
        return PairedComparison.of(result(a, measure), result(b, measure));
    }

    /**
     * One row per model; per measure its perplexity and {@code ÷ ref}, the ratio to the reference (the
     * first model). The in-domain corpus's columns say so.
     */
    public Table table(String title) {
        if (results.isEmpty()) throw new IllegalStateException("no models measured yet");
        String ref = results.keySet().iterator().next();
        Table t = Table.create(title + String.format(" (%,d tokens per corpus and length; ÷ ref = ratio to %s)",
                protocol.evalTokens(), ref), StringColumn.create("model", List.copyOf(results.keySet())));
        for (String corpus : protocol.evalCorpora()) {
            for (int n : protocol.seqLens()) {
                String m = measure(corpus, n);
                double[] ppl = results.values().stream().mapToDouble(row -> row.get(m).ppl()).toArray();
                double[] ratio = new double[ppl.length];
                for (int i = 0; i < ppl.length; i++) ratio[i] = ppl[i] / ppl[0];
                String label = corpus + "@" + n + (protocol.isInDomain(corpus) ? " (in-domain)" : "");
                t.addColumns(DoubleColumn.create(label, RecordTables.round(ppl)),
                        DoubleColumn.create("÷ ref " + label, RecordTables.round(ratio)));
            }
        }
        return t;
    }

    private Perplexity.Config config(LlamaModel model, int seqLen) {
        return Perplexity.Config.forDevice(model.device(), seqLen, protocol.evalTokens());
    }
}
