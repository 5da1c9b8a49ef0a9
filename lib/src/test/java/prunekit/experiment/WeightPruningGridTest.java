package prunekit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import prunekit.data.CalibrationSampler;
import prunekit.eval.ModelScorer;
import prunekit.eval.Perplexity;
import prunekit.eval.ResultRecord;
import prunekit.model.DeepTinyModels;
import prunekit.model.LlamaModel;
import prunekit.sparsity.MaskStats;
import prunekit.sparsity.SparsityPattern;
import prunekit.sparsity.Wanda;
import prunekit.sparsity.WeightImportance;
import prunekit.sparsity.WeightPruner;
import prunekit.testing.NeedsCache;

/** The GBLM grid on a tiny model: every record it promises, and numbers checked against direct runs. */
class WeightPruningGridTest {

    private static final Evaluation TINY = new Evaluation(prunekit.eval.Protocol.of("moby-dick", List.of("moby-dick"), List.of(16), 64), 2, 8, 0, List.of(), 0, false);
    private static final WeightPruningGrid.Config SMALL = new WeightPruningGrid.Config(
            List.of(SparsityPattern.unstructured(0.5), SparsityPattern.nm(2, 4)), List.of(0.25), List.of(1),
            List.of(0.0), TINY);

    private static double value(List<ResultRecord> rs, String method, String settingsStart, String metric) {
        return rs.stream().filter(r -> r.method().equals(method) && r.settings().startsWith(settingsStart)
                        && r.metric().equals(metric)).mapToDouble(ResultRecord::value).findFirst()
                .orElseThrow(() -> new AssertionError("no " + method + " " + settingsStart + " " + metric + " in " + rs));
    }

    @Test
    @NeedsCache(NeedsCache.MOBY_DICK)
    void recordsEveryCellAndAgreesWithDirectRuns() {
        List<ResultRecord> records = new ArrayList<>();
        try (LlamaModel model = DeepTinyModels.model(2, 5, DataType.FLOAT32)) {
            WeightPruningGrid.run(model, List.of("magnitude", "wanda", "gblm"), SMALL, records::add);

            // sparsity as asked, parameters kept = total − zeros
            assertEquals(0.5, value(records, "wanda", "sparsity=0.5;calib", "sparsity"), 1e-12);
            assertEquals(0.5, value(records, "magnitude", "nm=2:4", "sparsity"), 1e-12);
            assertEquals(0.25, value(records, "gblm", "sparsity=0.25;sweep", "sparsity"), 0.02);
            long linear = MaskStats.linearParameters(model);
            assertEquals(model.parameterCount() - linear / 2, value(records, "wanda", "sparsity=0.5;calib", "params"), 0.5);
            assertEquals(model.parameterCount(), value(records, "dense", "sparsity=0", "params"), 0.5);

            // the grid's Wanda at 50 % is WeightPruner + Perplexity run directly
            int[][] calib = CalibrationSampler.sample("moby-dick", model.tokenizer(),
                    new CalibrationSampler.Config(2, 8, 0)).toArray(new int[0][]);
            var direct = WeightPruner.prune(model, new Wanda(), null, calib,
                    WeightPruner.Config.of(SparsityPattern.unstructured(0.5)));
            try (LlamaModel m = direct.model()) {
                double ppl = Perplexity.ofSplit(new ModelScorer(m), m.tokenizer(), "moby-dick", "test",
                        new Perplexity.Config(16, 64, 4, false)).ppl();
                assertEquals(ppl, value(records, "wanda", "sparsity=0.5;calib", "ppl"), 1e-9 * ppl);
            }
            // GBLM with α = 0 has Wanda's score, so the same model and perplexity
            assertEquals(value(records, "wanda", "sparsity=0.5;calib", "ppl"),
                    value(records, "gblm", "sparsity=0.5;alpha=0.0", "ppl"), 1e-9);
            // one gradient-statistics time per calibration set; the fewer-samples runs exist for both methods
            assertEquals(2, records.stream().filter(r -> r.metric().equals("gradient_s")).count());
            assertTrue(value(records, "gblm", "sparsity=0.5;samples;calib=moby-dick:1x8", "ppl") > 0);
            assertTrue(value(records, "wanda", "sparsity=0.5;samples;calib=moby-dick:1x8", "ppl") > 0);
            assertTrue(value(records, "gblm", "sparsity=0.5;norm=l1", "ppl") > 0);
        }
    }

    @Test
    @NeedsCache(NeedsCache.MOBY_DICK)
    void aMetricWithoutANameInWeightMethodsIsMeasuredLikeTheBuiltInOnes() {
        List<ResultRecord> records = new ArrayList<>();
        var halfOnly = new WeightPruningGrid.Config(List.of(SparsityPattern.unstructured(0.5)), List.of(), List.of(),
                List.of(), TINY);
        WeightImportance doubled = WeightImportance.named("wanda-doubled", s -> {   // 2 x Wanda: the same order
            float[] w = new Wanda().scores(s);
            for (int i = 0; i < w.length; i++) w[i] *= 2;
            return w;
        }, true, false);
        try (LlamaModel model = DeepTinyModels.model(2, 5, DataType.FLOAT32)) {
            WeightPruningGrid.runMethods(model, List.of(doubled), halfOnly, records::add);
            int[][] calib = CalibrationSampler.sample("moby-dick", model.tokenizer(),
                    new CalibrationSampler.Config(2, 8, 0)).toArray(new int[0][]);
            var direct = WeightPruner.prune(model, new Wanda(), null, calib,
                    WeightPruner.Config.of(SparsityPattern.unstructured(0.5)));
            try (LlamaModel m = direct.model()) {
                double ppl = Perplexity.ofSplit(new ModelScorer(m), m.tokenizer(), "moby-dick", "test",
                        new Perplexity.Config(16, 64, 4, false)).ppl();
                assertEquals(ppl, value(records, "wanda-doubled", "sparsity=0.5;calib", "ppl"), 1e-9 * ppl);
                assertEquals(m.parameterCount() - MaskStats.linearParameters(m) / 2,
                        value(records, "wanda-doubled", "sparsity=0.5;calib", "params"), 0.5);
            }
            assertTrue(value(records, "dense", "sparsity=0", "ppl") > 0);
            assertEquals(0, records.stream().filter(r -> r.metric().equals("gradient_s")).count());   // none asked for
        }
    }

    @Test
    void unknownMethodsAndBadSettingsAreNamed() {
        try (LlamaModel model = DeepTinyModels.model(2, 5, DataType.FLOAT32)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> WeightPruningGrid.run(model, List.of("wandaa"), SMALL, r -> { }));
            assertTrue(e.getMessage().contains("wandaa") && e.getMessage().contains("sparsegpt"), e.getMessage());
        }
        var e2 = assertThrows(IllegalArgumentException.class, () -> new WeightPruningGrid.Config(
                SMALL.patterns(), List.of(1.5), List.of(), List.of(), TINY));
        assertTrue(e2.getMessage().contains("1.5"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> new WeightPruningGrid.Config(
                SMALL.patterns(), List.of(), List.of(9), List.of(), TINY));
        assertTrue(e3.getMessage().contains("9"), e3.getMessage());
    }
}
