package prunekit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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

/** SLM at target depths on a tiny model: the records it promises, checked against a direct search and count. */
class MergeDepthGridTest {

    private static final Evaluation TINY = new Evaluation(Protocol.of("moby-dick", List.of("moby-dick"), List.of(16), 64),
            3, 8, 0, List.of(), 0, false);

    private static List<ResultRecord> of(List<ResultRecord> rs, String settingsStart, String metric) {
        return rs.stream().filter(r -> r.settings().startsWith(settingsStart) && r.metric().equals(metric)).toList();
    }

    @Test
    @NeedsCache(NeedsCache.MOBY_DICK)
    void eachDepthIsTheSearchedMergeMeasuredLikeTheLayerGrid() {
        List<ResultRecord> records = new ArrayList<>();
        try (LlamaModel model = DeepTinyModels.model(7, 4, DataType.FLOAT32)) {
            MergeDepthGrid.Config config = new MergeDepthGrid.Config(List.of(1, 3), Set.of(), MergeRule.PAPER, -1, -1, TINY, true);
            MergeDepthGrid.run(model, config, records::add);

            // one parameter count per model: dense, then each depth K = the dense count minus K layers' tensors
            long perLayer = model.layers().get(0).all().values().stream().mapToLong(a -> a.size()).sum();
            assertEquals(model.parameterCount(), of(records, "remove=0", "params").get(0).value(), 0.5);
            for (int k : List.of(1, 3)) {
                ResultRecord params = of(records, "remove=" + k + ";", "params").get(0);
                assertEquals("slm", params.method());
                assertEquals(model.parameterCount() - k * perLayer, params.value(), 0.5);
                assertEquals(String.valueOf(k), RecordPivot.setting(params.settings(), "remove"));
                assertEquals("1..5", RecordPivot.setting(params.settings(), "range"));
                assertEquals(1, of(records, "remove=" + k + ";", "select_s").size());
                assertTrue(of(records, "remove=" + k + ";", "similarities").get(0).value() >= 1);
            }

            // the 3-layer model's perplexity is the library's search at K = 3, measured directly
            int[][] calib = CalibrationSampler.sample("moby-dick", model.tokenizer(),
                    new CalibrationSampler.Config(3, 8, 0)).toArray(new int[0][]);
            SlidingMerge.Result direct = SlidingMerge.toDepth(model, MergeRule.PAPER, calib,
                    SlidingMerge.Config.forModel(7), 3);
            try (LlamaModel m = direct.model()) {
                double ppl = Perplexity.ofSplit(new ModelScorer(m), m.tokenizer(), "moby-dick", "test",
                        new Perplexity.Config(16, 64, 4, false)).ppl();
                ResultRecord rec = of(records, "remove=3;", "ppl").get(0);
                assertEquals(ppl, rec.value(), 1e-9 * ppl);
                assertEquals(direct.mergesText(), RecordPivot.setting(rec.settings(), "merged_windows"));
                assertEquals(rec.n() / 16, rec.units().length, 1);             // per-window units kept for pairing
            }
        }
    }

    @Test
    @NeedsCache(NeedsCache.MOBY_DICK)
    void recoveryMeasuresEachMergedModelAgainAsSlmPlusLora() {
        var recovery = new prunekit.recover.Recovery.Config(2, 2, 1, 16, 1e-2, 1, 1.0, prunekit.recover.AdamW.DEFAULT,
                "moby-dick", 2, 0);
        List<ResultRecord> records = new ArrayList<>();
        try (LlamaModel model = DeepTinyModels.model(7, 4, DataType.FLOAT32)) {
            var config = new MergeDepthGrid.Config(List.of(2), Set.of(), MergeRule.PAPER, -1, -1, TINY, false)
                    .withRecovery(recovery);
            MergeDepthGrid.run(model, config, records::add);
            ResultRecord before = records.stream().filter(r -> r.method().equals("slm") && r.metric().equals("ppl"))
                    .findFirst().orElseThrow();
            List<ResultRecord> after = records.stream().filter(r -> r.method().equals("slm+lora") && r.metric().equals("ppl"))
                    .toList();
            assertEquals(1, after.size(), records.toString());
            assertEquals(before.settings() + ";recovery=lora;recovery_steps=2;recovery_corpus=moby-dick",
                    after.get(0).settings());
            assertTrue(after.get(0).value() != before.value(), "recovery changed nothing");
            assertEquals(1, records.stream().filter(r -> r.metric().equals("recover_s")).count());
        }
    }
}
