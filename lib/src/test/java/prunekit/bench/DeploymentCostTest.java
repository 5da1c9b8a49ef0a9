package prunekit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.eval.RecordSet;
import prunekit.eval.ResultRecord;
import prunekit.eval.Results;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.model.TinyModels;
import tech.tablesaw.api.Table;

/** Layers, parameters and non-zero parameters of the measured variants, counted here from the config. */
class DeploymentCostTest {

    @TempDir Path dir;

    /** One decoder layer's linear weights, product by product. */
    private static long linearPerLayer(LlamaConfig c) {
        long q = (long) c.heads() * c.headDim(), kv = (long) c.kvHeads() * c.headDim();
        return c.hidden() * q + 2 * c.hidden() * kv + q * c.hidden() + 3L * c.hidden() * c.intermediate();
    }

    @Test
    void variantsKeepTheParametersCountedByHand() {
        try (LlamaModel tiny = TinyModels.model(false, 5, DataType.FLOAT32)) {
            LlamaConfig c = tiny.config();
            long dense = tiny.parameterCount(), layer = linearPerLayer(c) + 2L * c.hidden();   // + its two RMSNorm gains
            Table t = DeploymentCost.measure(tiny, List.of(DeploymentCost.Variant.dense(),
                    DeploymentCost.Variant.removeLayers("m", "remove=1;removed=1;calib=x"),
                    DeploymentCost.Variant.magnitude(0.5)), new DeploymentCost.Config(1, 8, 1, true));
            assertEquals(List.of(c.layers(), c.layers() - 1, c.layers()), t.intColumn("layers").asList());
            assertEquals("1 layers removed (m)", t.stringColumn("variant").get(1));
            assertEquals((dense - layer) / 1e6, t.doubleColumn("params (M)").get(1), 0.005);
            // 50 % of every row of every linear weight zeroed: half the linear weights of every layer
            assertEquals((dense - c.layers() * linearPerLayer(c) / 2) / 1e6, t.doubleColumn("non-zero (M)").get(2), 0.005);
            assertEquals(1.0, t.doubleColumn("x dense").get(0), 1e-12);
            assertTrue(t.doubleColumn("tok/s").get(1) > 0);
        }
    }

    @Test
    void recordedRatiosAreAgainstTheRecordsOwnDenseModel() {
        Path csv = dir.resolve("latency.csv");
        Results.append(csv, List.of(tok("dense", "", 100), tok("block-influence", "remove=6;calib=brown:16x128", 125),
                tok("magnitude", "sparsity=0.5", 90)));
        Table t = DeploymentCost.recorded(List.of(DeploymentCost.Variant.dense(),
                new DeploymentCost.Variant("six", "block-influence", "remove=6", m -> m),
                new DeploymentCost.Variant("nine", "block-influence", "remove=9", m -> m),
                DeploymentCost.Variant.magnitude(0.5)), "forward_tok_s", RecordSet.load(csv));
        var ratio = t.doubleColumn("latency.csv x dense");
        assertEquals(1.0, ratio.getDouble(0), 1e-12);
        assertEquals(125 / 100.0, ratio.getDouble(1), 1e-12);
        assertTrue(ratio.isMissing(2), "a variant the record lacks: no number");
        assertEquals(90 / 100.0, ratio.getDouble(3), 1e-12);
    }

    private static ResultRecord tok(String method, String settings, double value) {
        return new ResultRecord(Instant.now(), "tiny", method, settings, "random-tokens:batch=1", 256, 0, "gpu(0)", 1,
                "forward_tok_s", value, Double.NaN, 20);
    }
}
