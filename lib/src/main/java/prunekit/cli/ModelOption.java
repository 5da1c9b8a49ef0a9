package prunekit.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;
import prunekit.eval.ResultRecord;
import prunekit.model.LlamaModel;
import prunekit.model.Models;
import prunekit.model.io.HfSaver;

/** {@code --model M}, shared by every command: a bundled model's name or a path, checked before anything loads. */
final class ModelOption {

    @Option(names = "--model", required = true, paramLabel = "M", converter = Resolves.class,
            description = "smollm2, stories15m, or a path: a .gguf file, a llama2.c .bin (tokenizer.bin beside it)"
                    + " or a Hugging Face directory")
    String spec;

    LlamaModel load() {
        return Models.load(spec);
    }

    /**
     * What a record says produced the model: a directory saved by {@code prune} carries its method and
     * settings in config.json (the merge log, SLM's thresholds tried, width pruning's kept groups and the
     * calibration text left out); anything else is "dense".
     */
    ResultRecord.Run run(LlamaModel m) {
        Map<String, String> notes = HfSaver.provenance(Path.of(spec));
        if (!notes.containsKey("method")) return new ResultRecord.Run("dense", "", 0, m.device().toString());
        StringBuilder settings = new StringBuilder();
        notes.forEach((k, v) -> {
            if (Set.of("name", "method", "decisions", "threshold_search", "calibration", "kept_kv_groups").contains(k)) return;
            if (settings.length() > 0) settings.append(';');
            settings.append(k).append('=').append(v.replace(';', ' '));
        });
        String method = notes.get("method");
        if (method.equals("slm") && notes.containsKey("merge_rule")) method = "slm-" + notes.get("merge_rule");
        return new ResultRecord.Run(method, settings.toString(), 0, m.device().toString());
    }

    /** An unknown name or a path that does not exist is a usage error naming the accepted ones ({@link Models#resolve}). */
    static final class Resolves implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                Models.resolve(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            } catch (IllegalStateException e) {
                // a bundled model not fetched yet: loading it reports that, naming environment/fetch.sh
            }
            return value;
        }
    }
}
