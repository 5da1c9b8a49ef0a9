package prunekit.data;

import prunekit.model.LlamaModel;
import prunekit.model.Models;
import prunekit.model.Tokenizer;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Sizes of every corpus split in documents, characters and (given a tokenizer) tokens, for the
 * table in {@code data/README.md}. {@code main} prints documents and characters; call
 * {@link #table(Tokenizer)} with a model's tokenizer to add its token counts.
 */
public final class CorpusStats {

    private CorpusStats() {}

    /** One row per (corpus, split); the tokens column is filled only when {@code tokenizer} is non-null. */
    public static Table table(Tokenizer tokenizer) {
        StringColumn corpus = StringColumn.create("corpus");
        StringColumn split = StringColumn.create("split");
        IntColumn docs = IntColumn.create("documents");
        LongColumn chars = LongColumn.create("characters");
        LongColumn tokens = LongColumn.create("tokens");
        for (String name : Corpora.NAMES) {
            for (Split s : Split.values()) {
                var d = Corpora.documents(name, s.label());
                corpus.append(name);
                split.append(s.label());
                docs.append(d.size());
                chars.append(d.stream().mapToLong(x -> x.text().length()).sum());
                if (tokenizer == null) tokens.appendMissing();
                else tokens.append(TokenStream.of(d, tokenizer).length);
            }
        }
        return Table.create("corpus splits", corpus, split, docs, chars, tokens);
    }

    /**
     * Prints documents and characters per split; with model names or paths as arguments (e.g.
     * {@code smollm2 stories15m}), also each model's token count.
     */
    public static void main(String[] args) {
        if (args.length == 0) {
            System.out.println(table(null).removeColumns("tokens").printAll());
        }
        for (String spec : args) {
            try (LlamaModel m = Models.load(spec)) {
                System.out.println(m.config().name());
                System.out.println(table(m.tokenizer()).printAll());
            }
        }
    }
}
