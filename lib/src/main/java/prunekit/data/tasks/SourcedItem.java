package prunekit.data.tasks;


/**
 * A generated item and where it came from.
 *
 * @param item the question
 * @param source {@code <corpus>/<document id>}
 */
public record SourcedItem(ChoiceItem item, String source) {}
