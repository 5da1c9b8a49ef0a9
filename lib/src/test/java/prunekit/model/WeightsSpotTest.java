package prunekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.model.io.HfLoader;
import prunekit.model.io.HfSaver;
import prunekit.model.io.Safetensors;
import prunekit.testing.NeedsCache;

/**
 * SmolLM2's layer-0 q/k rows and an embedding row against the values Hugging Face transformers and
 * gguf-py see ({@code fixtures/smollm2/weights_spot.json}, environment/reference/smollm2_logits.py).
 * prunekit keeps the GGUF file's adjacent-pair row order, so the loaded model must hold the gguf-py
 * rows; {@link HfSaver} must write transformers' rotate-half order and {@link HfLoader} read it back.
 * Each direction is checked against the reference, not against the other, so a bug that the save
 * and the load undo together still fails.
 */
@NeedsCache(NeedsCache.SMOLLM2)
class WeightsSpotTest {

    private static final double TOL = 1e-6;           // both dequantise d·q + m in float32
    private static LlamaModel smollm;
    private static JsonObject spot;

    @BeforeAll
    static void load() throws IOException {
        smollm = Models.load("smollm2");
        spot = Fixtures.json("smollm2", "weights_spot.json");
    }

    @AfterAll
    static void close() {
        if (smollm != null) smollm.close();
    }

    @Test
    void theFixtureTellsTheTwoRowOrdersApart() {
        // rows h·64 + 0 and h·64 + 63 are fixed points of the permutation; every other listed row moves
        for (String m : new String[] {"q", "k"}) {
            int[] rows = ints(m + "_rows");
            float[][] hf = rows(m + "_proj_layer0_hf_spot");
            float[][] gguf = rows("attn_" + m + "_layer0_gguf_spot");
            int moved = 0;
            for (int r = 0; r < rows.length; r++) {
                int inHead = rows[r] % 64;
                if (inHead == 0 || inHead == 63) {
                    assertArrayEquals(hf[r], gguf[r], 0f, m + " row " + rows[r] + " is a fixed point");
                } else {
                    assertTrue(maxAbsDiff(hf[r], gguf[r]) > 0.01, m + " row " + rows[r] + " must differ between orders");
                    moved++;
                }
            }
            assertTrue(moved >= 6, m + ": " + moved + " moved rows");
        }
    }

    @Test
    void ggufLoadKeepsGgufRowOrderAndDequantisesLikeGgufPy() {
        assertRows(host(smollm.layer(0).all().get("q_proj")), "q", "attn_q_layer0_gguf_spot");
        assertRows(host(smollm.layer(0).all().get("k_proj")), "k", "attn_k_layer0_gguf_spot");
        float[][] firstRows = rows("attn_q_layer0_gguf_rows_0_2");
        HostTensor q = host(smollm.layer(0).all().get("q_proj"));
        for (int r = 0; r < 3; r++) {
            assertArrayEquals(firstRows[r], row(q, r, q.shape()[1]), (float) TOL, "q row " + r + " (all columns)");
        }
        float[] embedding;
        try (NDManager step = smollm.manager().newSubManager()) {
            embedding = smollm.embed(step, new int[][] {{1}}).toFloatArray();          // (1, 1, C)
        }
        assertArrayEquals(new Gson().fromJson(spot.get("token_embd_row_id1"), float[].class), embedding, (float) TOL,
                "token_embd row 1 (Q8_0)");
    }

    @Test
    void hfSaverWritesTransformersRowOrderAndHfLoaderReadsItBack(@TempDir Path dir) throws IOException {
        HfSaver.save(smollm, dir, Map.of());
        Map<String, Safetensors.Entry> saved = Safetensors.entries(dir.resolve("model.safetensors"));
        HostTensor q = saved.get(TensorNames.layer(0, "q_proj")).read();
        HostTensor k = saved.get(TensorNames.layer(0, "k_proj")).read();
        assertRows(q, "q", "q_proj_layer0_hf_spot");
        assertRows(k, "k", "k_proj_layer0_hf_spot");
        float[][] firstRows = rows("q_proj_layer0_hf_rows_0_2");
        for (int r = 0; r < 3; r++) {
            assertArrayEquals(firstRows[r], row(q, r, q.shape()[1]), (float) TOL, "saved q_proj row " + r);
        }
        try (LlamaModel back = HfLoader.load(dir, Device.cpu())) {
            assertRows(host(back.layer(0).all().get("q_proj")), "q", "attn_q_layer0_gguf_spot");
            assertRows(host(back.layer(0).all().get("k_proj")), "k", "attn_k_layer0_gguf_spot");
        }
    }

    /** The listed rows of {@code m}'s projection (first columns) against the fixture's. */
    private static void assertRows(HostTensor t, String m, String key) {
        int[] rows = ints(m + "_rows");
        float[][] want = rows(key);
        long[] shape = new Gson().fromJson(spot.get(m + "_proj_shape"), long[].class);
        assertArrayEquals(shape, t.shape(), m + "_proj shape");
        for (int r = 0; r < rows.length; r++) {
            assertArrayEquals(want[r], row(t, rows[r], want[r].length), (float) TOL, key + ": row " + rows[r]);
        }
    }

    private static float[] row(HostTensor t, int row, long cols) {
        float[] out = new float[(int) cols];
        System.arraycopy(t.data(), (int) (row * t.shape()[1]), out, 0, out.length);
        return out;
    }

    private static HostTensor host(NDArray a) {
        return new HostTensor(a.toType(DataType.FLOAT32, false).toFloatArray(), a.getShape().getShape());
    }

    private static int[] ints(String key) {
        return Fixtures.ints(spot, key);
    }

    private static float[][] rows(String key) {
        return new Gson().fromJson(spot.get(key), float[][].class);
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        assertEquals(a.length, b.length);
        return d;
    }
}
