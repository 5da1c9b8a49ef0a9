package prunekit.viz;

import java.awt.Color;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The chart shapes the paper notebooks draw, at one size ({@value #WIDTH}x{@value #HEIGHT}) and one
 * style. Each returns an XChart chart that a notebook cell can end with (see
 * {@link Notebook#install()}), restyle further, or write out with {@link ChartImages#png}.
 *
 * <p>Charts are drawn off-screen: loading this class sets {@code java.awt.headless=true} unless
 * the JVM was started with a value for it.
 */
public final class Charts {

    /** Width of every chart, in pixels. */
    public static final int WIDTH = 720;

    /** Height of every chart, in pixels. */
    public static final int HEIGHT = 420;

    /** Line series with more points than this are drawn without markers. */
    private static final int MARKERS_UP_TO = 40;

    /** Heat maps with at most this many rows and columns print each cell's value. */
    private static final int HEATMAP_VALUES_UP_TO = 12;

    /** A line chart whose positive values span at least this ratio gets a logarithmic y axis. */
    static final double LOG_SCALE_FROM_RATIO = 100;

    /**
     * Series colours: Okabe and Ito's eight colours that stay apart for colour-blind readers, then
     * four more; after twelve series the colours repeat with dashed lines.
     */
    private static final Color[] PALETTE = {
        new Color(0x000000), new Color(0xE69F00), new Color(0x56B4E9), new Color(0x009E73),
        new Color(0xF0E442), new Color(0x0072B2), new Color(0xD55E00), new Color(0xCC79A7),
        new Color(0x7F7F7F), new Color(0x8C564B), new Color(0x17BECF), new Color(0xBCBD22)
    };

    /** Markers cycled with the colours, so that a series drawn over another still shows. */
    private static final org.knowm.xchart.style.markers.Marker[] MARKERS = {
        SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND, SeriesMarkers.TRIANGLE_UP,
        SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS, SeriesMarkers.PLUS
    };

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Charts() {}

    /**
     * Lines, one per series, drawn in the map's iteration order (use a {@code LinkedHashMap} to fix
     * it). Each series is {@code {xs, ys}}: {@code series.get(name)[0]} holds the x values and
     * {@code [1]} the y values, of equal length. Series get colours and markers that stay apart; when
     * the y values are positive and span a factor of {@value #LOG_SCALE_FROM_RATIO} or more the y axis
     * is logarithmic (and its title says so), so one exploded series does not flatten the others.
     */
    public static XYChart line(String title, String xLabel, String yLabel, Map<String, double[][]> series) {
        series.forEach((name, xy) -> {
            if (xy.length != 2 || xy[0].length != xy[1].length) {
                throw new IllegalArgumentException("line chart '" + title + "', series '" + name
                        + "': expected {xs, ys} of equal length, got " + describeShape(xy));
            }
        });
        boolean log = spansDecades(series.values().stream().map(xy -> xy[1]));
        String yTitle = log && !yLabel.contains("log") ? yLabel + " (log scale)" : yLabel;
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(title).xAxisTitle(xLabel).yAxisTitle(yTitle).build();
        chart.getStyler().setYAxisLogarithmic(log);
        chart.getStyler().setMarkerSize(6).setLegendPosition(LegendPosition.OutsideE)
                .setLegendVisible(series.size() > 1)
                .setChartBackgroundColor(Color.WHITE);
        int i = 0;
        for (var e : series.entrySet()) {
            double[][] xy = e.getValue();
            org.knowm.xchart.XYSeries s = chart.addSeries(e.getKey(), xy[0], xy[1]);
            s.setLineColor(PALETTE[i % PALETTE.length]);
            s.setMarkerColor(PALETTE[i % PALETTE.length]);
            s.setMarker(xy[0].length > MARKERS_UP_TO ? SeriesMarkers.NONE : MARKERS[i % MARKERS.length]);
            if (i >= PALETTE.length) s.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
            i++;
        }
        chart.getStyler().setXAxisDecimalPattern(decimalPattern(series.values().stream().map(xy -> xy[0])));
        if (!log) chart.getStyler().setYAxisDecimalPattern(decimalPattern(series.values().stream().map(xy -> xy[1])));
        return chart;
    }

    /**
     * A perplexity chart: {@link #line} on a logarithmic axis with a dashed reference line at the
     * perplexity of a uniform guess over the vocabulary (PPL = V), which a broken model can exceed:
     * a value above the line is worse than knowing nothing.
     *
     * @param vocabSize V, the model's vocabulary size
     */
    public static XYChart perplexity(String title, String xLabel, String yLabel, Map<String, double[][]> series,
                                     int vocabSize) {
        XYChart chart = line(title, xLabel, yLabel, series);
        chart.getStyler().setYAxisLogarithmic(true).setLegendVisible(true);
        if (!chart.getYAxisTitle().contains("log")) chart.setYAxisTitle(yLabel + " (log scale)");
        DoubleSummaryStatistics xs = series.values().stream().flatMapToDouble(xy -> Arrays.stream(xy[0]))
                .summaryStatistics();
        double x0 = xs.getCount() == 0 ? 0 : xs.getMin();
        double x1 = xs.getCount() == 0 ? 1 : xs.getMax();
        org.knowm.xchart.XYSeries guess = chart.addSeries(String.format(Locale.ROOT, "uniform guess (V = %,d)", vocabSize),
                new double[] {x0, x1}, new double[] {vocabSize, vocabSize});
        guess.setMarker(SeriesMarkers.NONE);
        guess.setLineColor(Color.GRAY);
        guess.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
        return chart;
    }

    /** Whether the positive values span a factor of {@value #LOG_SCALE_FROM_RATIO} or more (all must be positive). */
    static boolean spansDecades(Stream<double[]> values) {
        DoubleSummaryStatistics stats = values.flatMapToDouble(Arrays::stream).filter(Double::isFinite).summaryStatistics();
        return stats.getCount() > 0 && stats.getMin() > 0 && stats.getMax() / stats.getMin() >= LOG_SCALE_FROM_RATIO;
    }

    /**
     * Grouped bars: one group per category, one bar per series in each group. Every series holds
     * one value per category, in the order of {@code categories}.
     */
    public static CategoryChart bar(String title, String xLabel, String yLabel,
                                    List<String> categories, Map<String, double[]> series) {
        boolean log = spansDecades(series.values().stream());
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel)
                .yAxisTitle(log && !yLabel.contains("log") ? yLabel + " (log scale)" : yLabel).build();
        // labels that would not fit side by side are turned
        int labelChars = categories.stream().mapToInt(String::length).sum();
        chart.getStyler().setXAxisLabelRotation(categories.size() > 12 || labelChars > 70 ? 90 : labelChars > 45 ? 45 : 0)
                .setYAxisLogarithmic(log);
        if (!log) chart.getStyler().setYAxisDecimalPattern(decimalPattern(series.values().stream()));
        chart.getStyler().setLegendPosition(LegendPosition.OutsideE).setLegendVisible(series.size() > 1)
                .setChartBackgroundColor(Color.WHITE)
                .setSeriesColors(Arrays.copyOf(PALETTE, Math.max(1, Math.min(PALETTE.length, series.size()))));
        series.forEach((name, values) -> {
            if (values.length != categories.size()) {
                throw new IllegalArgumentException("bar chart '" + title + "', series '" + name + "': "
                        + values.length + " values for " + categories.size() + " categories");
            }
            List<Double> boxed = new ArrayList<>(values.length);
            for (double value : values) {
                boxed.add(value);
            }
            chart.addSeries(name, categories, boxed);
        });
        return chart;
    }

    /**
     * A heat map of {@code matrix[row][column]}, drawn like the printed matrix: row 0 at the top,
     * column 0 at the left. Small matrices (up to {@value #HEATMAP_VALUES_UP_TO} a side) print each
     * value in its cell.
     */
    public static HeatMapChart heatmap(String title, double[][] matrix,
                                       List<String> rowLabels, List<String> colLabels) {
        return heatmap(title, matrix, rowLabels, colLabels, "", "", title);
    }

    /**
     * {@link #heatmap(String, double[][], List, List)} with axis titles and a name for the values,
     * which titles the colour bar.
     *
     * @param rowTitle title of the vertical axis (the rows)
     * @param colTitle title of the horizontal axis (the columns)
     * @param valueTitle what a cell's colour measures, shown above the colour bar
     */
    public static HeatMapChart heatmap(String title, double[][] matrix, List<String> rowLabels,
                                       List<String> colLabels, String rowTitle, String colTitle, String valueTitle) {
        int rows = matrix.length;
        int cols = rows == 0 ? 0 : matrix[0].length;
        if (rows != rowLabels.size() || cols != colLabels.size()) {
            throw new IllegalArgumentException("heat map '" + title + "': matrix is " + rows + "x" + cols
                    + " but there are " + rowLabels.size() + " row and " + colLabels.size() + " column labels");
        }
        List<String> yLabels = new ArrayList<>(rowLabels);
        Collections.reverse(yLabels);
        List<Number[]> cells = new ArrayList<>(rows * cols);
        for (int row = 0; row < rows; row++) {
            if (matrix[row].length != cols) {
                throw new IllegalArgumentException("heat map '" + title + "': row " + row + " has "
                        + matrix[row].length + " values, row 0 has " + cols);
            }
            for (int col = 0; col < cols; col++) {
                cells.add(new Number[] {col, rows - 1 - row, matrix[row][col]});
            }
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(colTitle).yAxisTitle(rowTitle).build();
        String pattern = decimalPattern(Arrays.stream(matrix));
        DoubleSummaryStatistics stats = Arrays.stream(matrix).flatMapToDouble(Arrays::stream).summaryStatistics();
        chart.getStyler().setShowValue(rows <= HEATMAP_VALUES_UP_TO && cols <= HEATMAP_VALUES_UP_TO)
                .setHeatMapValueDecimalPattern(pattern)
                .setMin(roundTo(pattern, stats.getMin(), RoundingMode.FLOOR))
                .setMax(roundTo(pattern, stats.getMax(), RoundingMode.CEILING))
                .setPlotContentSize(1.0)
                .setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisLabelRotation(cols > 16 ? 90 : 0);
        chart.addSeries(valueTitle, colLabels, yLabels, cells);
        return chart;
    }

    /**
     * A tick-label pattern with three significant digits across the values' range, so that data
     * from float32 tensors (0.099999994) labels as 0.1 and small ranges keep their digits.
     */
    static String decimalPattern(Stream<double[]> values) {
        DoubleSummaryStatistics stats = values.flatMapToDouble(Arrays::stream).summaryStatistics();
        double span = stats.getCount() == 0 ? 0 : stats.getMax() - stats.getMin();
        double magnitude = span > 0 ? span : Math.max(Math.abs(stats.getMax()), Math.abs(stats.getMin()));
        int decimals = magnitude > 0 ? (int) Math.max(0, Math.min(12, 2 - Math.floor(Math.log10(magnitude)))) : 0;
        return decimals == 0 ? "#,##0" : "#,##0." + "#".repeat(decimals);
    }

    /**
     * {@code value} rounded to the digits of {@code pattern}, outwards. The heat map's colour scale
     * prints its two ends unformatted, so they are set to values that print short.
     */
    private static double roundTo(String pattern, double value, RoundingMode direction) {
        DecimalFormat format = new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT));
        format.setGroupingUsed(false);
        format.setRoundingMode(direction);
        return Double.parseDouble(format.format(value));
    }

    private static String describeShape(double[][] xy) {
        StringBuilder shape = new StringBuilder().append(xy.length).append(" arrays of lengths");
        for (double[] values : xy) {
            shape.append(' ').append(values.length);
        }
        return shape.toString();
    }
}
