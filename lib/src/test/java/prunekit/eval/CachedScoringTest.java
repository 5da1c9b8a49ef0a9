package prunekit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import prunekit.data.tasks.ChoiceItem;
import prunekit.model.LlamaModel;
import prunekit.model.Models;

/** Multiple choice through the key/value cache (the context run once) against whole sequences, on stories15M. */
class CachedScoringTest {

    private static LlamaModel model;

    @BeforeAll
    static void load() {
        model = Models.load("stories15m");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void scoresEqualThoseOfWholeSequences() {
        ChoiceTask task = new ChoiceTask("t", List.of(
                new ChoiceItem("Once upon a time, there was a little girl named", List.of(" Lily", " a dog", " the big red ball")
                        , 0),
                new ChoiceItem("Tom and his mom went to the park. They saw a big", List.of(" tree", " sun in the sky", " car"), 0),
                new ChoiceItem("", List.of("The cat sat on the mat.", "Mat the on sat cat the."), 0)));
        ModelScorer cached = new ModelScorer(model);
        TokenScorer whole = new TokenScorer() {                 // the interface's default: every sequence whole
            @Override public float[][] nextTokenLogProbs(int[][] sequences) { return cached.nextTokenLogProbs(sequences); }
            @Override public int maxSequenceLength() { return cached.maxSequenceLength(); }
            @Override public String name() { return cached.name(); }
        };
        var config = new MultipleChoice.Config(4, false);
        var a = MultipleChoice.evaluate(cached, model.tokenizer(), task, config);
        var b = MultipleChoice.evaluate(whole, model.tokenizer(), task, config);
        for (int i = 0; i < task.items().size(); i++) {
            double[] x = a.scores().get(i).logLik();
            double[] y = b.scores().get(i).logLik();
            for (int j = 0; j < x.length; j++) assertEquals(y[j], x[j], 1e-3, "item " + i + " choice " + j);
            assertEquals(b.scores().get(i).predicted(), a.scores().get(i).predicted());
        }
    }

    @Test
    void wholeSequencesAcrossItemsScoreAsTheCache() {   // the GPU's way (Config.forDevice), here on the CPU
        ChoiceTask task = TaskLoader.load("cloze").limit(6);
        ModelScorer scorer = new ModelScorer(model);
        var cached = MultipleChoice.evaluate(scorer, model.tokenizer(), task, new MultipleChoice.Config(16, false));
        for (int batch : new int[] {5, MultipleChoice.Config.GPU_BATCH}) {
            var whole = MultipleChoice.evaluate(scorer, model.tokenizer(), task, new MultipleChoice.Config(batch, false, true));
            for (int i = 0; i < task.items().size(); i++) {
                double[] x = cached.scores().get(i).logLik();
                double[] y = whole.scores().get(i).logLik();
                for (int j = 0; j < x.length; j++) assertEquals(x[j], y[j], 1e-3, "batch " + batch + " item " + i + " choice " + j);
                assertEquals(cached.scores().get(i).tokens()[0], whole.scores().get(i).tokens()[0]);
            }
        }
    }

    @Test
    void forDevicePicksTheCacheOnACpuAndWholeBatchesOnAGpu() {
        assertEquals(new MultipleChoice.Config(16, true, false), MultipleChoice.Config.forDevice(Device.cpu(), true));
        assertEquals(new MultipleChoice.Config(MultipleChoice.Config.GPU_BATCH, false, true), MultipleChoice.Config.forDevice(Device.gpu(), false));
        assertEquals(4, Perplexity.Config.forDevice(Device.cpu(), 128, 0).batchSize());
        assertEquals(64, Perplexity.Config.forDevice(Device.gpu(), 128, 0).batchSize());
        assertEquals(32, Perplexity.Config.forDevice(Device.gpu(), 256, 0).batchSize());
        assertEquals(4, Perplexity.Config.forDevice(Device.gpu(), 2048, 0).batchSize());
        assertEquals(4, Perplexity.Config.forDevice(Device.gpu(), 8192, 0).batchSize());
    }
}
