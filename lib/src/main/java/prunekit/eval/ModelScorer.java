package prunekit.eval;

import ai.djl.ndarray.NDManager;
import prunekit.model.LlamaModel;
import prunekit.model.LmLoss;

/** Scores tokens with a {@link LlamaModel}: one forward pass per batch, in its own step manager. */
public final class ModelScorer implements TokenScorer {

    private final LlamaModel model;

    public ModelScorer(LlamaModel model) {
        this.model = model;
    }

    @Override
    public float[][] nextTokenLogProbs(int[][] sequences) {
        int t = sequences[0].length;
        float[][] out = new float[sequences.length][t - 1];
        if (t < 2) {
            return out;
        }
        try (NDManager step = model.manager().newSubManager()) {
            float[] flat = LmLoss.nextTokenLogProbs(model, step, sequences)
                    .toFloatArray();
            for (int b = 0; b < sequences.length; b++) {
                System.arraycopy(flat, b * (t - 1), out[b], 0, t - 1);
            }
        }
        return out;
    }

    @Override
    public int maxSequenceLength() {
        return model.config().maxSequenceLength();
    }

    @Override
    public String name() {
        return model.config().name();
    }
}
