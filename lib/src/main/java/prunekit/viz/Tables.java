package prunekit.viz;

import java.util.List;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Tablesaw tables as static HTML and as text. Cell values are the columns' own formatted strings
 * ({@link Column#getString(int)}), so a column's print formatter decides how numbers look.
 */
public final class Tables {

    /** Rows shown before a table is cut short; the rest is summarised in one line. */
    public static final int DEFAULT_MAX_ROWS = 60;

    private Tables() {}

    /** The table as HTML, at most {@link #DEFAULT_MAX_ROWS} rows. */
    public static String toHtml(Table table) {
        return toHtml(table, DEFAULT_MAX_ROWS);
    }

    /**
     * The table as an HTML {@code <table>}: the table's name as caption, a header row, numeric
     * columns right-aligned, every name and value HTML-escaped. A table longer than
     * {@code maxRows} shows its first {@code maxRows} rows and a last row saying how many are left.
     */
    public static String toHtml(Table table, int maxRows) {
        List<Column<?>> columns = table.columns();
        StringBuilder html = new StringBuilder("<table>\n");
        if (table.name() != null && !table.name().isEmpty()) {
            html.append("<caption>").append(escape(table.name())).append("</caption>\n");
        }
        html.append("<thead><tr>");
        for (Column<?> column : columns) {
            html.append("<th>").append(escape(column.name())).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        int shown = Math.min(table.rowCount(), maxRows);
        for (int row = 0; row < shown; row++) {
            html.append("<tr>");
            for (Column<?> column : columns) {
                html.append(column instanceof NumericColumn ? "<td style=\"text-align:right\">" : "<td>")
                        .append(escape(column.getString(row)))
                        .append("</td>");
            }
            html.append("</tr>\n");
        }
        if (shown < table.rowCount()) {
            html.append("<tr><td colspan=\"").append(columns.size()).append("\">… ")
                    .append(table.rowCount() - shown).append(" more rows</td></tr>\n");
        }
        return html.append("</tbody>\n</table>\n").toString();
    }

    /** The table as aligned text, at most {@link #DEFAULT_MAX_ROWS} rows (Tablesaw's own layout). */
    public static String toText(Table table) {
        return table.print(DEFAULT_MAX_ROWS);
    }

    /** {@code text} with the five characters that HTML gives meaning to replaced by entities. */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
