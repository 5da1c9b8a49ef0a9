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
}
