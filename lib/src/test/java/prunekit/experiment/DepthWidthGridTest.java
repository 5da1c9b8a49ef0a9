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
import prunekit.eval.Protocol;
import prunekit.eval.RecordPivot;
import prunekit.eval.ResultRecord;
import prunekit.merge.MergeRule;
import prunekit.merge.SlidingMerge;
import prunekit.model.DeepTinyModels;
import prunekit.model.LlamaModel;
import prunekit.testing.NeedsCache;
import prunekit.width.UnitImportance;
import prunekit.width.WidthPlan;
import prunekit.width.WidthPruner;

/**
 * Depth, width and both on a tiny model (7 layers, hidden 16, MLP 24): the records the grid promises, parameter
 * counts checked against a count of the tensors by hand, and the depth + width model against the two steps done
 * directly with the library.
 */
class DepthWidthGridTest {

    private static final Evaluation TINY = new Evaluation(Protocol.of("moby-dick", List.of("moby-dick"), List.of(16), 64),
            3, 8, 0, List.of(), 0, false);
    private static final List<String> METHODS = List.of("slm", "block-influence", "width-taylor-element", "slm+width");

    private static ResultRecord one(List<ResultRecord> rs, String method, String target, String metric) {
        List<ResultRecord> found = rs.stream().filter(r -> r.method().equals(method) && r.metric().equals(metric)
                && RecordPivot.setting(r.settings(), "target").equals(target)).toList();
        assertEquals(1, found.size(), method + " " + target + " " + metric + ": " + found);
        return found.get(0);
    }

    private static long tensorEntries(LlamaModel m) {
        long layers = m.layers().stream().mapToLong(l -> l.all().values().stream().mapToLong(a -> a.size()).sum()).sum();
        return layers + 2L * 40 * 16 + 16;           // + embedding and untied head (vocab 40 × hidden 16), final norm
    }

    @Test
    @NeedsCache(NeedsCache.MOBY_DICK)
    void threeModelsPerTargetAtMatchedCountsAndDepthPlusWidthIsTheTwoStepsByHand() {
        List<ResultRecord> records = new ArrayList<>();
        DepthWidthGrid.Config config = new DepthWidthGrid.Config(List.of(0.3, 0.4), 0.5, UnitImportance.TAYLOR_ELEMENT,
                0, 4, TINY, true);
        try (LlamaModel model = DeepTinyModels.model(7, 4, DataType.FLOAT32)) {
            DepthWidthGrid.run(model, config, records::add);

            long dense = tensorEntries(model);
            long perLayer = model.layers().get(0).all().values().stream().mapToLong(a -> a.size()).sum();   // 1952
            assertEquals(14960, dense);                                  // 2 × 640 + 16 + 7 × 1952
            assertEquals(dense, one(records, "dense", "0", "params").value(), 0.5);
            int[] depth = {2, 3};                                         // round(0.3 × 14960 / 1952), round(0.4 × ...)
            int[] half = {1, 2};                                          // round(0.5 × 2), round(0.5 × 3)
            for (int i = 0; i < 2; i++) {
                double t = config.targets().get(i);
                String target = DepthWidthGrid.label(t);
                double kept = dense - t * dense;
                for (String method : METHODS) {
                    ResultRecord ppl = one(records, method, target, "ppl");
                    assertEquals(ppl.n() / 16, ppl.units().length, 1);      // per-window units kept for pairing
                    one(records, method, target, "select_s");
                }
                // depth: K whole layers, within half a layer of the target
                for (String method : List.of("slm", "block-influence")) {
                    ResultRecord params = one(records, method, target, "params");
                    assertEquals(dense - depth[i] * perLayer, params.value(), 0.5);
                    assertEquals(String.valueOf(depth[i]), RecordPivot.setting(params.settings(), "remove"));
                    assertTrue(Math.abs(params.value() - kept) <= perLayer / 2.0, method + " " + params.value());
                }
                // width: within one MLP channel in every layer (7 × 3 × 16; 48 per layer after merging)
                ResultRecord width = one(records, "width-taylor-element", target, "params");
                int channels = Integer.parseInt(RecordPivot.setting(width.settings(), "channels_removed"));
                assertEquals(dense - channels * 7 * 48, width.value(), 0.5);
                assertTrue(Math.abs(width.value() - kept) <= 7 * 48, "width " + width.value() + " vs " + kept);
                ResultRecord fused = one(records, "slm+width", target, "params");
                int merged = 7 - half[i];
                assertTrue(Math.abs(fused.value() - kept) <= merged * 48, "slm+width " + fused.value() + " vs " + kept);
                assertEquals(String.valueOf(half[i]), RecordPivot.setting(fused.settings(), "remove"));
                assertEquals("0", RecordPivot.setting(fused.settings(), "kv_groups_removed"));
                one(records, "slm+width", target, "prune_s");
                one(records, "slm", target, "similarities");
            }

            // the 0.4 slm+width model is SLM to 2 layers, then the channels that reach 0.6 × 14960, measured directly
            int[][] depthCalib = CalibrationSampler.sample("moby-dick", model.tokenizer(),
                    new CalibrationSampler.Config(3, 8, 0)).toArray(new int[0][]);
            int[][] widthCalib = CalibrationSampler.sample("moby-dick", model.tokenizer(),
                    new CalibrationSampler.Config(4, 8, 0)).toArray(new int[0][]);
            SlidingMerge.Result slm = SlidingMerge.toDepth(model, MergeRule.PAPER, depthCalib, SlidingMerge.Config.forModel(7), 2);
            try (LlamaModel m = slm.model()) {
                long mergedCount = dense - 2 * perLayer;                          // 11056
                int channels = (int) Math.round((mergedCount - 0.6 * dense) / (5 * 48.0));   // 2080 / 240 → 9
                assertEquals(9, channels);
                WidthPruner.Result w = WidthPruner.prune(m, widthCalib, UnitImportance.TAYLOR_ELEMENT, new WidthPlan(0, channels));
                try (LlamaModel byHand = w.model()) {
                    double ppl = Perplexity.ofSplit(new ModelScorer(byHand), byHand.tokenizer(), "moby-dick", "test",
                            new Perplexity.Config(16, 64, 4, false)).ppl();
                    ResultRecord rec = one(records, "slm+width", "0.40", "ppl");
                    assertEquals(ppl, rec.value(), 1e-9 * ppl);
                    assertEquals(mergedCount - channels * 5 * 48, one(records, "slm+width", "0.40", "params").value(), 0.5);
                    assertEquals(slm.mergesText(), RecordPivot.setting(rec.settings(), "merged_windows"));
                    assertEquals(String.valueOf(channels), RecordPivot.setting(rec.settings(), "channels_removed"));
                }
            }
        }
    }

    @Test
    void aTargetOrSplitOutsideTheOpenUnitIntervalIsRefusedByName() {
        var bad = assertThrows(IllegalArgumentException.class, () -> new DepthWidthGrid.Config(List.of(0.2, 1.0), 0.5,
                UnitImportance.TAYLOR_ELEMENT, 0, 4, TINY, true));
        assertTrue(bad.getMessage().contains("target 1.0 is outside (0, 1)"), bad.getMessage());
        var split = assertThrows(IllegalArgumentException.class, () -> new DepthWidthGrid.Config(List.of(0.2), 0,
                UnitImportance.TAYLOR_ELEMENT, 0, 4, TINY, true));
        assertTrue(split.getMessage().contains("split 0.0 is outside (0, 1)"), split.getMessage());
        assertEquals("0.20", DepthWidthGrid.label(0.2));
        assertEquals("0.275", DepthWidthGrid.label(0.275));
    }
}
