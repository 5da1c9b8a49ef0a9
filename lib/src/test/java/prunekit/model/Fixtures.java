package prunekit.model;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reference outputs made by independent implementations (environment/reference/): Hugging Face
 * transformers on the SmolLM2 GGUF, and a NumPy llama2.c forward for stories15M.
 */
final class Fixtures {

    private Fixtures() {}

    static Path dir(String model) {
        return Path.of("src/test/resources/fixtures", model);
    }

    static JsonObject json(String model, String file) throws IOException {
        return new Gson().fromJson(Files.readString(dir(model).resolve(file)), JsonObject.class);
    }

    static int[] ints(JsonObject o, String key) {
        return new Gson().fromJson(o.get(key), int[].class);
    }

    /** The reference logits, (T, V) row-major. */
    static float[] logits(String model) throws IOException {
        byte[] b = Files.readAllBytes(dir(model).resolve("logits.f32"));
        float[] out = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
