package prunekit.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class TablesTest {

    private static Table layers(int rows) {
        StringColumn names = StringColumn.create("layer <i>");
        DoubleColumn scores = DoubleColumn.create("score");
        for (int i = 0; i < rows; i++) {
            names.append("layers." + i + " <mlp> & \"q\"");
            scores.append(i + 0.5);
        }
        return Table.create("scores by layer", names, scores);
    }

    @Test
    void htmlHasCaptionHeaderAndEscapedCells() {
        String html = Tables.toHtml(layers(2));

        assertTrue(html.startsWith("<table>\n<caption>scores by layer</caption>"), html);
        assertTrue(html.contains("<thead><tr><th>layer &lt;i&gt;</th><th>score</th></tr></thead>"), html);
        assertTrue(html.contains("<td>layers.1 &lt;mlp&gt; &amp; &quot;q&quot;</td>"), html);
        assertTrue(html.contains("<td style=\"text-align:right\">1.5</td>"), html);
        assertFalse(html.contains("<mlp>"), html);
    }

    @Test
    void htmlCutsLongTablesAndSaysHowManyRowsAreLeft() {
        String html = Tables.toHtml(layers(10), 3);

        assertEquals(1 + 3 + 1, html.split("<tr>", -1).length - 1, html); // header, 3 rows, the note
        assertTrue(html.contains("layers.2 "), html);
        assertFalse(html.contains("layers.3 "), html);
        assertTrue(html.contains("<td colspan=\"2\">… 7 more rows</td>"), html);
    }

    @Test
    void textShowsHeaderAndValues() {
        String text = Tables.toText(layers(2));

        assertTrue(text.contains("scores by layer"), text);
        assertTrue(text.contains("layer <i>"), text);
        assertTrue(text.contains("0.5") && text.contains("1.5"), text);
    }
}
