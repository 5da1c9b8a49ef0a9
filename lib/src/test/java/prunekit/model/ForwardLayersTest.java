package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The upper part of a forward pass, run from a traced residual stream, against the full pass. */
class ForwardLayersTest {

    private static final int[][] TOKENS = DeepTinyModels.WINDOWS;

    @Test
    void ownLayersFromAnyDepthReproduceTheFullPass() {
        try (LlamaModel model = DeepTinyModels.model(4, 9, DataType.FLOAT64);
             NDManager step = model.manager().newSubManager()) {
            ForwardResult full = model.forward(step, TOKENS, Trace.HIDDEN_STATES_ONLY);
            double[] expected = full.finalHidden().toDoubleArray();
            for (int l = 0; l <= 4; l++) {
                List<LayerWeights> upper = model.layers().subList(l, 4);          // empty for l = 4
                double[] got = model.forwardLayers(step, full.hiddenStates().get(l), upper).toDoubleArray();
                assertArrayEquals(expected, got, 1e-12, "from layer " + l);
            }
        }
    }

    @Test
    void aDifferentStackIsTheModelWithThoseLayers() {
        try (LlamaModel model = DeepTinyModels.model(4, 9, DataType.FLOAT64);
             LlamaModel edited = model.copy();
             NDManager step = model.manager().newSubManager()) {
            edited.removeLayers(java.util.Set.of(2));                             // layers 0, 1, 3
            double[] expected = edited.forward(step, TOKENS, Trace.NONE).finalHidden().toDoubleArray();
            ForwardResult full = model.forward(step, TOKENS, Trace.HIDDEN_STATES_ONLY);
            double[] got = model.forwardLayers(step, full.hiddenStates().get(1),
                    List.of(model.layer(1), model.layer(3))).toDoubleArray();
            assertArrayEquals(expected, got, 1e-12);
        }
    }
}
