package prunekit.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapSeries;
import org.knowm.xchart.XYChart;

class ChartsTest {

    @Test
    void lineKeepsSeriesOrderAndValues() {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("dense", new double[][] {{0, 0.5}, {10, 12}});
        series.put("pruned", new double[][] {{0, 0.5}, {11, 19}});

        XYChart chart = Charts.line("ppl", "sparsity", "perplexity", series);

        assertEquals(List.of("dense", "pruned"), chart.getSeriesCollection().stream().map(s -> s.getName()).toList());
        assertArrayEquals(new double[] {11, 19}, chart.getSeries("pruned").getYData());
        assertEquals(720, chart.getWidth());
        assertEquals(420, chart.getHeight());
    }

    @Test
    void lineRejectsUnequalLengths() {
        var error = assertThrows(IllegalArgumentException.class,
                () -> Charts.line("t", "x", "y", Map.of("s", new double[][] {{0, 1, 2}, {0, 1}})));
        assertTrue(error.getMessage().contains("series 's'"), error.getMessage());
    }

    @Test
    void barHasOneValuePerCategory() {
        CategoryChart chart = Charts.bar("acc", "task", "accuracy", List.of("boolq", "piqa"),
                Map.of("dense", new double[] {0.6, 0.7}));

        assertEquals(List.of("boolq", "piqa"), List.copyOf(chart.getSeries("dense").getXData()));
        var error = assertThrows(IllegalArgumentException.class, () -> Charts.bar("acc", "task", "accuracy",
                List.of("boolq", "piqa"), Map.of("dense", new double[] {0.6})));
        assertTrue(error.getMessage().contains("1 values for 2 categories"), error.getMessage());
    }

    @Test
    void heatmapPutsRowZeroAtTheTop() {
        // XChart's y axis grows upwards, so the top row of the picture has the largest y index.
        HeatMapChart chart = Charts.heatmap("m", new double[][] {{1, 2, 3}, {4, 5, 6}},
                List.of("r0", "r1"), List.of("c0", "c1", "c2"));
        HeatMapSeries series = chart.getHeatMapSeries();

        assertEquals(List.of("r1", "r0"), List.copyOf(series.getYData()));
        assertEquals(List.of("c0", "c1", "c2"), List.copyOf(series.getXData()));
        Map<String, Double> byCell = new LinkedHashMap<>();
        for (Number[] cell : series.getHeatData()) {
            String row = (String) series.getYData().get(cell[1].intValue());
            String col = (String) series.getXData().get(cell[0].intValue());
            byCell.put(row + col, cell[2].doubleValue());
        }
        assertEquals(Map.of("r0c0", 1.0, "r0c1", 2.0, "r0c2", 3.0, "r1c0", 4.0, "r1c1", 5.0, "r1c2", 6.0), byCell);
    }

    @Test
    void heatmapScaleEndsAreRoundedOutwards() {
        HeatMapChart chart = Charts.heatmap("m", new double[][] {{1.0000002, -0.16538}},
                List.of("r0"), List.of("c0", "c1"));

        assertEquals(-0.17, chart.getStyler().getMin());
        assertEquals(1.01, chart.getStyler().getMax());
    }

    @Test
    void decimalPatternKeepsThreeSignificantDigitsOfTheRange() {
        assertEquals("#,##0.##", Charts.decimalPattern(Stream.of(new double[] {-4, 4})));
        assertEquals("#,##0", Charts.decimalPattern(Stream.of(new double[] {0, 900})));
        assertEquals("#,##0.######", Charts.decimalPattern(Stream.of(new double[] {1e-4, 3e-4})));
        assertEquals("#,##0.###", Charts.decimalPattern(Stream.of(new double[] {0.5, 0.5})));
    }

    @Test
    void heatmapRejectsLabelsThatDoNotFit() {
        var error = assertThrows(IllegalArgumentException.class, () -> Charts.heatmap("m",
                new double[][] {{1, 2}}, List.of("r0"), List.of("c0")));
        assertTrue(error.getMessage().contains("matrix is 1x2"), error.getMessage());
    }

    @Test
    void lineTurnsLogarithmicWhenValuesSpanDecadesAndKeepsColoursApart() {
        var flat = Charts.line("ppl", "k", "perplexity", Map.of("a", new double[][] {{0, 1}, {40, 60}}));
        assertTrue(!flat.getStyler().isYAxisLogarithmic());
        var series = new java.util.LinkedHashMap<String, double[][]>();
        series.put("gradmap", new double[][] {{0, 3, 6}, {45, 60, 3.07e9}});
        series.put("block influence", new double[][] {{0, 3, 6}, {45, 61, 120}});
        var chart = Charts.line("ppl", "layers removed", "perplexity", series);
        assertTrue(chart.getStyler().isYAxisLogarithmic());
        assertEquals("perplexity (log scale)", chart.getYAxisTitle());
        var colours = chart.getSeriesCollection().stream().map(s -> s.getLineColor()).distinct().count();
        assertEquals(2, colours);
        var markers = chart.getSeriesCollection().stream().map(s -> s.getMarker().getClass()).distinct().count();
        assertEquals(2, markers, "a series drawn over another still shows its own markers");
    }

    @Test
    void perplexityDrawsTheUniformGuessLine() {
        var chart = Charts.perplexity("ppl", "layers removed", "perplexity",
                Map.of("last-n", new double[][] {{0, 9}, {45, 1.7e9}}), 49152);
        assertTrue(chart.getStyler().isYAxisLogarithmic());
        var guess = chart.getSeries("uniform guess (V = 49,152)");
        assertArrayEquals(new double[] {49152, 49152}, guess.getYData());
        assertArrayEquals(new double[] {0, 9}, guess.getXData());
    }

    @Test
    void heatmapHasAxisTitlesAndNamesItsValues() {
        var chart = Charts.heatmap("cka", new double[][] {{1, 0.5}, {0.5, 1}}, List.of("0", "1"), List.of("0", "1"),
                "layer", "layer", "linear CKA");
        assertEquals("layer", chart.getXAxisTitle());
        assertEquals("layer", chart.getYAxisTitle());
        assertTrue(chart.getSeries("linear CKA") != null);
    }
}
