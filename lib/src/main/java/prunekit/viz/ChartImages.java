package prunekit.viz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.internal.chartpart.Chart;

/** XChart charts as PNG images, at the chart's own width and height. */
public final class ChartImages {

    private ChartImages() {}

    /** The chart as PNG bytes. */
    public static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("chart '" + chart.getTitle() + "': PNG encoding failed", e);
        }
    }

    /** The chart as base64-encoded PNG, the form Jupyter stores under {@code image/png}. */
    public static String pngBase64(Chart<?, ?> chart) {
        return Base64.getEncoder().encodeToString(png(chart));
    }

    /** One line saying what the image shows, for viewers that show only text. */
    public static String describe(Chart<?, ?> chart) {
        return String.format("%s \"%s\" (%dx%d PNG)",
                chart.getClass().getSimpleName(), chart.getTitle(), chart.getWidth(), chart.getHeight());
    }
}
