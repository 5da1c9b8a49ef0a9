package prunekit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import prunekit.eval.ModelScorer;
import prunekit.eval.Perplexity;
import prunekit.eval.Protocol;
import prunekit.eval.ResultRecord;
import prunekit.importance.LastLayers;
import prunekit.importance.GradientMagnitude;
import prunekit.model.DeepTinyModels;
import prunekit.model.LlamaModel;
import prunekit.prune.LayerPruner;
import prunekit.recover.AdamW;
import prunekit.recover.LoraAdapters;
import prunekit.recover.LoraConfig;
import prunekit.recover.Recovery;
import prunekit.testing.NeedsCache;

/** The grid's recovery stage on a tiny model: the records it promises, and the model a direct recovery gives. */
class LayerPruningGridTest {

    private static final Evaluation TINY = new Evaluation(Protocol.of("moby-dick", List.of("moby-dick"), List.of(16), 64),
            3, 8, 0, List.of(), 0, false);
    private static final Recovery.Config RECOVERY = new Recovery.Config(3, 2, 1, 16, 1e-2, 1, 1.0, AdamW.DEFAULT,
            "moby-dick", 2, 0);

    private static ResultRecord one(List<ResultRecord> rs, String method, String metric) {
        List<ResultRecord> hits = rs.stream().filter(r -> r.method().equals(method) && r.metric().equals(metric)).toList();
        assertEquals(1, hits.size(), method + " " + metric + ": " + hits);
        return hits.get(0);
    }

    @Test
    void theGridFormOfEachMethodIsTheCommandLines() {
        var none = LayerPruningGrid.Compensation.NONE;
        var projection = LayerPruningGrid.Compensation.PROJECTION;
        var gradmap = LayerPruningGrid.Method.of("gradmap", 0);
        assertEquals(LayerPruner.Mode.ITERATIVE, gradmap.mode());
        assertTrue(gradmap.metric() instanceof GradientMagnitude, gradmap.metric().getClass().getName());
        assertEquals(List.of(none, projection, LayerPruningGrid.Compensation.MEAN_ONLY), gradmap.compensations());
        for (String name : List.of("gradmap-oneshot", "gradmap-taylor-oneshot", "block-influence", "ppl", "last")) {
            var m = LayerPruningGrid.Method.of(name, 0);
            assertEquals(name, m.name());
            assertEquals(LayerPruner.Mode.ONE_SHOT, m.mode(), name);
            assertEquals(List.of(none, projection), m.compensations(), name);
        }
        assertEquals(LayerPruner.Mode.ITERATIVE, LayerPruningGrid.Method.of("gradmap-squared", 0).mode());
        var e = assertThrows(IllegalArgumentException.class, () -> LayerPruningGrid.Method.of("gradmapp", 0));
        assertTrue(e.getMessage().contains("'gradmapp'") && e.getMessage().contains("block-influence"), e.getMessage());
    }

    @Test
    @NeedsCache(NeedsCache.MOBY_DICK)
    void recoveredModelsAreRecordedBesideThePrunedOnesAndEqualADirectRecovery() throws Exception {
        List<ResultRecord> records = new ArrayList<>();
        try (LlamaModel model = DeepTinyModels.model(7, 4, DataType.FLOAT32)) {
            var method = new LayerPruningGrid.Method("last", new LastLayers(), LayerPruner.Mode.ONE_SHOT,
                    List.of(LayerPruningGrid.Compensation.NONE));
            var config = new LayerPruningGrid.Config(List.of(2), Set.of(), TINY).withRecovery(RECOVERY);
            LayerPruningGrid.run(model, List.of(method), config, records::add);

            ResultRecord before = one(records, "last", "ppl");
            ResultRecord after = one(records, "last+lora", "ppl");
            assertEquals(before.settings() + ";recovery=lora;recovery_steps=3;recovery_corpus=moby-dick", after.settings());
            assertEquals(one(records, "last", "params").value(), one(records, "last+lora", "params").value(), 0.5);
            assertEquals(1, records.stream().filter(r -> r.metric().equals("recover_s")).count());
            ResultRecord loss = one(records, "last+lora", "train_loss");
            assertEquals(3, loss.units().length);                               // the curve: one loss per step
            assertEquals(loss.units()[2], loss.value(), 0);
            assertNotEquals(before.value(), after.value());

            // the same recovery run by hand on the same pruned model gives the recorded perplexity
            try (LlamaModel pruned = model.copy("direct")) {
                pruned.removeLayers(Set.of(5, 6));
                Path dir = Files.createTempDirectory("grid-recovery-test");
                try (LoraAdapters adapters = LoraAdapters.init(pruned, LoraConfig.DEFAULT)) {
                    Recovery.train(pruned, adapters, RECOVERY, dir, false);
                    adapters.mergeInto(pruned);
                }
                double ppl = Perplexity.ofSplit(new ModelScorer(pruned), pruned.tokenizer(), "moby-dick", "test",
                        new Perplexity.Config(16, 64, 4, false)).ppl();
                assertEquals(ppl, after.value(), 1e-9 * ppl);
            }
        }
    }
}
