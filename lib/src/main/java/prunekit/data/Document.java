package prunekit.data;

/**
 * One document of a corpus: the unit that splits assign to calibration, validation or test.
 *
 * @param id stable identifier inside its corpus (e.g. a file name stem such as {@code ca01})
 * @param title human-readable title, may be empty
 * @param text plain text, paragraphs separated by blank lines
 */
public record Document(String id, String title, String text) {}
