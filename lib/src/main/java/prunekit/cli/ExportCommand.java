package prunekit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import prunekit.model.LlamaModel;
import prunekit.model.io.HfSaver;

/** {@code prunekit export}: any model as a Hugging Face directory. */
@Command(name = "export",
        description = "Save the model as a Hugging Face directory: config.json, model.safetensors, tokenizer.json.")
final class ExportCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the directory to write")
    Path out;

    @Override
    public Integer call() {
        try (LlamaModel m = model.load()) {
            HfSaver.save(m, out, Map.of("source", model.spec));
            System.out.println("layers=" + m.config().layers());
            System.out.println("out=" + out.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": " + e.getMessage(), e);
        }
        return 0;
    }
}
