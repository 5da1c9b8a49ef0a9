package prunekit.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import prunekit.model.DeepTinyModels;
import prunekit.model.LayerWeights;
import prunekit.model.LlamaModel;

/** The three merge rules against weights computed element by element in Java. */
class MergeRuleTest {

    private static final Set<String> LINEARS = Set.of(LayerWeights.LINEARS);

    @Test
    void rulesMatchHandComputedWeights() {
        try (LlamaModel model = DeepTinyModels.model(5, 11, DataType.FLOAT64);
             NDManager m = NDManager.newBaseManager()) {
            List<LayerWeights> window = model.layers().subList(1, 4);             // layers 1, 2, 3; base = 1
            double[] before = model.layer(2).q().toDoubleArray();
            LayerWeights paper = MergeRule.PAPER.merge(window, m);
            LayerWeights code = MergeRule.CODE.merge(window, m);
            LayerWeights average = MergeRule.AVERAGE.merge(window, m);
            for (String name : LayerWeights.ALL) {
                double[] t1 = model.layer(1).all().get(name).toDoubleArray();
                double[] t2 = model.layer(2).all().get(name).toDoubleArray();
                double[] t3 = model.layer(3).all().get(name).toDoubleArray();
                double[] wantPaper = new double[t1.length];
                double[] wantCode = new double[t1.length];
                double[] wantAverage = new double[t1.length];
                for (int i = 0; i < t1.length; i++) {
                    boolean linear = LINEARS.contains(name);
                    wantPaper[i] = linear ? t1[i] + (t2[i] - t1[i]) + (t3[i] - t1[i]) : t1[i];
                    wantCode[i] = linear ? t3[i] : t1[i];
                    wantAverage[i] = (t1[i] + t2[i] + t3[i]) / 3;
                }
                assertArrayEquals(wantPaper, paper.all().get(name).toDoubleArray(), 1e-12, "paper " + name);
                assertArrayEquals(wantCode, code.all().get(name).toDoubleArray(), 0.0, "code " + name);
                assertArrayEquals(wantAverage, average.all().get(name).toDoubleArray(), 1e-12, "average " + name);
                assertEquals(model.layer(1).all().get(name).getShape(), paper.all().get(name).getShape());
            }
            assertArrayEquals(before, model.layer(2).q().toDoubleArray(), 0.0, "the window is left as it was");
            assertTrue(paper.q().getManager() == m || paper.q().getManager().getParentManager() == m,
                    "merged tensors belong to the given manager");
        }
    }

    @Test
    void namesAndUnknownRule() {
        assertEquals("paper", MergeRule.of("paper").name());
        assertEquals("code", MergeRule.of("code").name());
        assertEquals("average", MergeRule.of("average").name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MergeRule.of("mean"));
        assertTrue(e.getMessage().contains("'mean'") && e.getMessage().contains(MergeRule.NAMES), e.getMessage());
    }
}
