package prunekit.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;

class ChartImagesTest {

    private static final XYChart SINE = Charts.line("sine", "x", "sin x",
            Map.of("sin", new double[][] {{0, 1, 2, 3}, {0, 0.84, 0.91, 0.14}}));

    @Test
    void pngDecodesToAnImageOfTheChartsSize() throws IOException {
        byte[] png = ChartImages.png(SINE);

        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(720, image.getWidth());
        assertEquals(420, image.getHeight());
    }

    @Test
    void base64IsThePngBytes() {
        assertArrayEquals(ChartImages.png(SINE), Base64.getDecoder().decode(ChartImages.pngBase64(SINE)));
    }

    @Test
    void describeNamesTypeTitleAndSize() {
        assertEquals("XYChart \"sine\" (720x420 PNG)", ChartImages.describe(SINE));
    }
}
