package prunekit.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import prunekit.model.io.ModelTensors;
import java.util.Map;
import java.util.function.Consumer;

/** {@link TinyModels} with more layers (hidden 16, 4/2 heads, vocab 40), for layer-pruning tests. */
public final class DeepTinyModels {

    /** Calibration-like windows for the tiny vocabulary: 3 windows of 8 tokens starting with BOS. */
    public static final int[][] WINDOWS = {
        {1, 5, 9, 13, 22, 7, 31, 3}, {1, 8, 8, 30, 2, 17, 4, 11}, {1, 39, 12, 6, 6, 25, 19, 33}};

    private DeepTinyModels() {}

    public static LlamaConfig config(int layers) {
        return new LlamaConfig("tiny-" + layers, TinyModels.VOCAB, 16, 24, layers, 4, 2, 4, 10000.0, 1e-5, 16, false);
    }

    public static LlamaModel model(int layers, long seed, DataType dtype) {
        return model(layers, seed, dtype, tensors -> { });
    }

    /** {@link #model} with its tensors edited before it is built (e.g. one embedding row changed). */
    public static LlamaModel model(int layers, long seed, DataType dtype, Consumer<Map<String, HostTensor>> edit) {
        LlamaConfig c = config(layers);
        Map<String, HostTensor> tensors = TinyModels.tensors(c, seed);
        edit.accept(tensors);
        return ModelTensors.fromTensors(c, tensors, TinyModels.tokenizer(), Device.cpu(), "tiny", dtype);
    }
}
