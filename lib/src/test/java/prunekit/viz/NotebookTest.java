package prunekit.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.HeatMapChart;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/** The renderers, driven through JJava's own {@link Renderer} as the kernel drives them. */
class NotebookTest {

    @Test
    void installDoesNothingWithoutARunningKernel() {
        assertFalse(Notebook.install());
    }

    @Test
    void tablesRenderAsHtmlAndText() {
        Renderer renderer = new Renderer();
        JJavaRenderers.register(renderer);
        Table table = Table.create("t", IntColumn.create("n", 7, 8));

        DisplayData data = renderer.render(table);

        assertEquals(Tables.toHtml(table), data.getData(MIMEType.TEXT_HTML));
        assertEquals(Tables.toText(table), data.getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void chartsOfAnyTypeRenderAsPng() throws IOException {
        Renderer renderer = new Renderer();
        JJavaRenderers.register(renderer);
        HeatMapChart chart = Charts.heatmap("h", new double[][] {{1}}, List.of("r"), List.of("c"));

        DisplayData data = renderer.render(chart);

        byte[] png = Base64.getDecoder().decode((String) data.getData(MIMEType.IMAGE_PNG));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(Charts.WIDTH, image.getWidth());
        assertEquals(Charts.HEIGHT, image.getHeight());
        assertEquals("HeatMapChart \"h\" (720x420 PNG)", data.getData(MIMEType.TEXT_PLAIN));
    }
}
