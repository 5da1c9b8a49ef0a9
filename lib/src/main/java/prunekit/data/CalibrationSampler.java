package prunekit.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import prunekit.model.Tokenizer;

/**
 * Draws calibration windows, as Wanda's and GBLM-Pruner's {@code get_c4} do: n windows of a fixed
 * token length at seeded random offsets. The papers draw 128 x 2048 tokens of C4 with seed 0; here
 * windows come from the calibration split of our corpora (joined by {@link TokenStream}), and the
 * defaults are sized for small models on a CPU.
 *
 * <p>Each window starts with the tokenizer's BOS when it has one (as Llama's tokenizer puts BOS at
 * the start of every C4 sample), followed by {@code seqLen - 1} stream tokens; without a BOS it is
 * {@code seqLen} stream tokens. Offsets are uniform over the stream, drawn with
 * {@code new Random(seed)}; windows may overlap each other.
 */
public final class CalibrationSampler {

    /**
     * @param samples number of windows (papers: 128; default 32 to fit CPU time)
     * @param seqLen tokens per window including BOS (papers: 2048; default 256, within both models' context)
     * @param seed seed of the offsets (papers: 0)
     */
    public record Config(int samples, int seqLen, long seed) {
        /** 32 windows x 256 tokens, seed 0. */
        public static final Config DEFAULT = new Config(32, 256, 0);

        public Config {
            if (samples < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samples);
            if (seqLen < 2) throw new IllegalArgumentException("seqLen must be >= 2, got " + seqLen);
        }
    }

    private CalibrationSampler() {}

    /** Windows from the committed calibration split of corpus {@code corpus}. */
    public static List<int[]> sample(String corpus, Tokenizer tokenizer, Config config) {
        return sample(TokenStream.of(Corpora.documents(corpus, Split.CALIBRATION.label()), tokenizer), tokenizer.bosId(), config);
    }

    /** Windows from an already tokenised stream; {@code bosId} &lt; 0 means no BOS. */
    public static List<int[]> sample(int[] stream, int bosId, Config config) {
        int head = bosId >= 0 ? 1 : 0;
        int body = config.seqLen() - head;
        if (stream.length < body) {
            throw new IllegalArgumentException("calibration stream has " + stream.length
                    + " tokens, fewer than one window of " + body + ": lower seqLen");
        }
        Random rng = new Random(config.seed());
        List<int[]> out = new ArrayList<>(config.samples());
        for (int n = 0; n < config.samples(); n++) {
            int start = rng.nextInt(stream.length - body + 1);
            int[] w = new int[config.seqLen()];
            if (head == 1) w[0] = bosId;
            System.arraycopy(stream, start, w, head, body);
            out.add(w);
        }
        return out;
    }
}
