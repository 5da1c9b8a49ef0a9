package prunekit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import prunekit.model.LlamaConfig;
import prunekit.model.TinyModels;

/** The FLOP counts behind the benchmark's GFLOP/s, against products counted one by one. */
class ModelBenchmarkTest {

    /**
     * FLOPs of one sequence of T tokens through the tiny model, product by product: an
     * (m × k)·(k × n) product costs 2·m·k·n. Returns {forward, forward + backward with the
     * embedding and head frozen} per token.
     */
    private static double[] countedPerToken(LlamaConfig c, int t) {
        int hd = c.heads() * c.headDim();
        int kvd = c.kvHeads() * c.headDim();
        double layer = product(t, c.hidden(), hd)                        // q
                + 2 * product(t, c.hidden(), kvd)                        // k, v
                + c.heads() * product(t, c.headDim(), t)                 // scores Q Kᵀ, per head
                + c.heads() * product(t, t, c.headDim())                 // softmax(scores) V, per head
                + product(t, hd, c.hidden())                             // o
                + 2 * product(t, c.hidden(), c.intermediate())           // gate, up
                + product(t, c.intermediate(), c.hidden());              // down
        double head = product(t, c.hidden(), c.vocabSize());
        double forward = c.layers() * layer + head;
        // backward: both operands' gradients (2× forward) for every layer product; the head's weight is
        // frozen, so only its input gradient (1×)
        double forwardBackward = 3 * c.layers() * layer + 2 * head;
        return new double[] {forward / t, forwardBackward / t};
    }

    private static double product(int m, int k, int n) {
        return 2.0 * m * k * n;
    }

    @Test
    void tinyModelCountedByHand() {
        LlamaConfig c = TinyModels.config(true);   // L=2, C=16, I=24, H=4, K=2, D=4, V=40
        // per layer at T=8: q 4096, k 2048, v 2048, QKᵀ 2048, PV 2048, o 4096, gate/up/down 6144 each
        // = 34816; two layers 69632; head 2·8·16·40 = 10240; total 79872 / 8 tokens = 9984 a token
        assertEquals(9984, ModelBenchmark.forwardFlopsPerToken(c, 8), 1e-9);
        // forward + backward: 3 · 69632 + 2 · 10240 = 229376 / 8 = 28672 a token
        assertEquals(28672, ModelBenchmark.forwardBackwardFlopsPerToken(c, 8), 1e-9);
    }

    @Test
    void productCountAtSeveralLengthsAndTiedOrNot() {
        for (boolean tied : new boolean[] {true, false}) {
            LlamaConfig c = TinyModels.config(tied);
            for (int t : new int[] {1, 5, 16}) {
                double[] counted = countedPerToken(c, t);
                assertEquals(counted[0], ModelBenchmark.forwardFlopsPerToken(c, t), 1e-9, "forward, T=" + t);
                assertEquals(counted[1], ModelBenchmark.forwardBackwardFlopsPerToken(c, t), 1e-9, "fwd+bwd, T=" + t);
            }
        }
    }

    @Test
    void smolLm2IsTwiceItsNonEmbeddingParametersPlusHeadAndAttention() {
        // SmolLM2-135M: 30 layers, C=576, I=1536, 9 query / 3 kv heads of 64, V=49152, tied head
        LlamaConfig c = new LlamaConfig("smollm2-shape", 49152, 576, 1536, 30, 9, 3, 64, 1e5, 1e-5, 8192, true);
        long nonEmbedding = c.parameterCount() - (long) c.vocabSize() * c.hidden()   // minus the embedding,
                - 2L * c.hidden() * c.layers() - c.hidden();                          // the RMSNorm gains
        assertEquals(106_168_320L, nonEmbedding);
        // 2·106,168,320 + 2·49152·576 + 4·30·128·576 = 212,336,640 + 56,623,104 + 8,847,360
        assertEquals(277_807_104.0, ModelBenchmark.forwardFlopsPerToken(c, 128), 1e-3);
    }

    @Test
    void gflopsFromTimes() {
        // 2 × 8 tokens in a median 0.5 s = 32 tokens/s; at 9984 FLOPs a token = 319,488 FLOP/s
        var r = new ModelBenchmark.Result("forward", 2, 8, 3, 0.5, 0.4, 2.0, 0.45, 9984, 100, Double.NaN);
        assertEquals(32, r.tokensPerSecond(), 1e-12);
        assertEquals(319_488e-9, r.gflops(), 1e-15);
        // 2 · 1000³ FLOPs in 0.01 s = 200 GFLOP/s
        assertEquals(200, new ModelBenchmark.MatmulResult(1000, 5, 0.01, 0.009, 0.06).gflops(), 1e-9);
    }
}
