package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.data.CalibrationSampler;
import prunekit.model.DeepTinyModels;
import prunekit.model.LlamaModel;
import prunekit.model.LmLoss;
import prunekit.model.Trace;
import prunekit.model.io.HfLoader;
import prunekit.model.io.HfSaver;
import prunekit.testing.NeedsCache;

/**
 * {@code prune --compensate trainable} end to end on a saved tiny model (6 layers, 2 removed by Block
 * Influence, 8 windows of 16 tokens of moby-dick): the printed calibration losses are checked against the
 * saved models' next-token loss computed here from their logits, the start against the pruned model
 * (identity) and against {@code --compensate}'s closed-form model, and the edit against the uncompensated
 * model tensor by tensor.
 */
@NeedsCache(NeedsCache.MOBY_DICK)
class TrainableCompensationCommandTest {

    private static final String[] CALIBRATION = {"--calib-corpus", "moby-dick", "--calib-samples", "8", "--seqlen", "16"};

    @TempDir
    Path tmp;

    @Test
    void fromTheIdentityItStartsAtThePrunedModelLowersItsLossAndChangesOneDownProjection() throws Exception {
        Path dense = dense();
        prune(dense, "plain");
        String out = prune(dense, "trained", "--compensate", "trainable", "--compensation-start", "identity",
                "--compensation-steps", "6", "--compensation-lr", "1e-2");
        assertEquals("compensation_start=identity", line(out, "compensation_start"));
        assertEquals("compensation_steps=6", line(out, "compensation_steps"));
        assertEquals("compensation_lr=0.01", line(out, "compensation_lr"));
        double[] printed = losses(out);
        int layer = Integer.parseInt(line(out, "compensated_layer").split("=")[1]);
        try (LlamaModel plain = HfLoader.load(tmp.resolve("plain"), Device.cpu());
             LlamaModel trained = HfLoader.load(tmp.resolve("trained"), Device.cpu())) {
            int[][] windows = windows(plain);
            assertEquals(meanNll(plain, windows), printed[0], 1e-5, "the identity start is the pruned model");
            assertEquals(meanNll(trained, windows), printed[1], 1e-5, "the saved model is the one measured");
            assertTrue(printed[1] < printed[0] - 1e-3, "6 steps at lr 1e-2 lower the calibration loss: " + out);
            for (int l = 0; l < plain.config().layers(); l++) {
                for (var e : plain.layer(l).all().entrySet()) {
                    float[] before = e.getValue().toFloatArray();
                    float[] after = trained.layer(l).all().get(e.getKey()).toFloatArray();
                    if (l == layer && e.getKey().equals("down_proj")) {
                        assertFalse(java.util.Arrays.equals(before, after), "the compensated down_proj moved");
                    } else {
                        assertArrayEquals(before, after, "layer " + l + " " + e.getKey() + " is untouched");
                    }
                }
            }
        }
        String provenance = HfSaver.provenance(tmp.resolve("trained")).get("compensation");
        assertTrue(provenance.startsWith("trainable projection at pruned layer " + layer) && provenance.contains("from identity, 6 steps"),
                provenance);
    }

    @Test
    void fromTheClosedFormItStartsWhereTheClosedFormCompensationEnds() throws Exception {
        Path dense = dense();
        prune(dense, "closed", "--compensate");
        String out = prune(dense, "trained", "--compensate", "trainable", "--compensation-steps", "2");
        assertEquals("compensation_start=closed-form", line(out, "compensation_start"));
        try (LlamaModel closed = HfLoader.load(tmp.resolve("closed"), Device.cpu())) {
            assertEquals(meanNll(closed, windows(closed)), losses(out)[0], 1e-5);
        }
    }

    @Test
    void badCompensationOptionsAreNamedBeforeLoading() {
        // stories15m exists; each case is refused before it loads
        Map<List<String>, String> cases = Map.of(
                List.of("--compensate", "gradient"), "--compensate takes closed-form or trainable (or nothing: closed-form), got 'gradient'",
                List.of("--compensate", "trainable", "--compensation-start", "zero"), "--compensation-start takes identity or closed-form, got 'zero'",
                List.of("--compensate", "trainable", "--compensation-steps", "0"), "--compensation-steps must be >= 1, got 0",
                List.of("--compensate", "trainable", "--compensation-lr", "-1e-4"), "--compensation-lr must be a finite number > 0, got -1.0E-4",
                List.of("--compensation-steps", "8"), "apply to --compensate trainable, which was not given",
                List.of("--compensate", "--compensation-lr", "1e-3"), "apply to --compensate trainable, not to --compensate closed-form");
        for (var c : cases.entrySet()) {
            List<String> argv = new java.util.ArrayList<>(List.of("prune", "--model", "stories15m",
                    "--method", "block-influence", "--remove-layers", "2", "--out", tmp.resolve("x").toString()));
            argv.addAll(c.getKey());
            Cli r = Cli.run(argv.toArray(new String[0]));
            assertEquals(2, r.exitCode(), c.getKey() + ": " + r.err());
            assertTrue(r.err().contains(c.getValue()), c.getKey() + ": " + r.err());
        }
        Cli weights = Cli.run("prune", "--model", "stories15m", "--method", "wanda", "--sparsity", "0.5",
                "--compensate", "--out", tmp.resolve("x").toString());
        assertEquals(2, weights.exitCode(), weights.err());
        assertTrue(weights.err().contains("--compensate applies to layer removal methods only"), weights.err());
    }

    private Path dense() throws Exception {
        Path dir = tmp.resolve("dense");
        try (LlamaModel m = DeepTinyModels.model(6, 3, DataType.FLOAT32)) {
            HfSaver.save(m, dir, Map.of());
        }
        return dir;
    }

    private String prune(Path dense, String out, String... extra) {
        List<String> argv = new java.util.ArrayList<>(List.of("prune", "--model", dense.toString(), "--method", "block-influence",
                "--remove-layers", "2", "--out", tmp.resolve(out).toString()));
        argv.addAll(List.of(CALIBRATION));
        argv.addAll(List.of(extra));
        Cli r = Cli.run(argv.toArray(new String[0]));
        assertEquals(0, r.exitCode(), r.err());
        return r.out();
    }

    /** The windows prune drew: 8 of 16 tokens of moby-dick's calibration split, seed 0. */
    private static int[][] windows(LlamaModel m) {
        return CalibrationSampler.sample("moby-dick", m.tokenizer(), new CalibrationSampler.Config(8, 16, 0)).toArray(new int[0][]);
    }

    /** Mean next-token NLL of the windows from the model's full logits, one window at a time, averaged. */
    private static double meanNll(LlamaModel m, int[][] windows) {
        double sum = 0;
        for (int[] w : windows) {
            int[][] one = {w};
            try (NDManager step = m.manager().newSubManager()) {
                sum += LmLoss.meanNll(m.forward(step, one, Trace.NONE).logits(), one).toType(DataType.FLOAT64, false).getDouble();
            }
        }
        return sum / windows.length;
    }

    private static double[] losses(String out) {
        String l = line(out, "compensation_loss_before");              // compensation_loss_before=X after=Y
        String[] parts = l.split("[= ]");
        return new double[] {Double.parseDouble(parts[1]), Double.parseDouble(parts[3])};
    }

    private static String line(String out, String key) {
        return out.lines().filter(l -> l.startsWith(key + "=")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + key + "= line in:\n" + out));
    }
}
