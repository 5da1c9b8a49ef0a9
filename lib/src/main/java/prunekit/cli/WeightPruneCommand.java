package prunekit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import prunekit.model.Devices;
import prunekit.model.LlamaModel;
import prunekit.model.Models;
import prunekit.model.io.HfSaver;
import prunekit.model.io.StreamedLlama;
import prunekit.prune.LayerMethods;
import prunekit.sparsity.Gblm;
import prunekit.sparsity.SparsityPattern;
import prunekit.sparsity.WeightMethods;
import prunekit.sparsity.WeightPruner;
import prunekit.sparsity.WeightPruningMethod;
import prunekit.stats.WeightGradients;

/**
 * {@code prunekit prune --method magnitude|magnitude-row|wanda|sparsegpt|gblm --sparsity S|--nm N:M}: zero
 * weights inside the decoder's linear layers (unstructured or N:M; per output row, per matrix for
 * {@code magnitude}) with {@link WeightPruner},
 * and save a Hugging Face directory that {@code --model DIR} loads. GBLM's gradient statistics are
 * cached under {@code data/cache/stats/} ({@code --no-stats-cache}: computed in memory, nothing read
 * or written there). Prints the wall time of each phase: {@code load_seconds} (model),
 * {@code calibration_seconds} (sampling the windows), {@code gradient_seconds} (GBLM's gradient
 * statistics; 0 when read from the cache, see {@code gradient_cache}), {@code prune_seconds} (the
 * layer-by-layer loop: input statistics, scores, masks and the edited weights) and {@code save_seconds}.
 */
final class WeightPruneCommand {

    /** The weight-pruning methods: the one list the command line checks {@code --method} against. */
    static final List<String> METHODS = WeightMethods.NAMES;

    /** Weight pruning's calibration: 32 windows of 256 tokens. */
    static final int CALIB_SAMPLES = 32;
    static final int CALIB_SEQLEN = 256;

    private WeightPruneCommand() {}

    /** Weight pruning is chosen by a pattern option, or by a method only weight pruning has. */
    static boolean applies(PruneCommand p) {
        return p.sparsity != null || p.nm != null
                || (METHODS.contains(p.method) && !LayerMethods.ALL.contains(p.method));
    }

    static int run(PruneCommand p) {
        if (!METHODS.contains(p.method)) {
            throw p.usage("--sparsity and --nm zero weights with --method " + String.join(", ", METHODS)
                    + "; got --method " + p.method);
        }
        if (p.compensation.any()) {
            throw p.usage("--compensate applies to layer removal methods only, not to --method " + p.method);
        }
        if (p.stream) {
            return stream(p);
        }
        String method = p.method;
        SparsityPattern pattern = pattern(p);
        Path out = p.out;
        long t0 = System.nanoTime();
        try (LlamaModel model = p.model.load()) {
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.println("model=" + model.config().name());
            long t1 = System.nanoTime();
            int[][] calibration = p.calibration.sample(model.tokenizer(), CALIB_SAMPLES, CALIB_SEQLEN);
            double calibrationSeconds = (System.nanoTime() - t1) / 1e9;
            WeightPruner.Config cfg = new WeightPruner.Config(pattern, 4, true);
            Pruned pruned = prune(model, p, calibration, cfg);
            WeightPruner.Result r = pruned.result();
            Map<String, String> provenance = new LinkedHashMap<>();
            provenance.put("method", r.method());
            provenance.put("pattern", pattern.settings());
            provenance.put("calibration", p.calibration.describe(calibration));
            long t2 = System.nanoTime();
            HfSaver.save(model, out, provenance);
            double saveSeconds = (System.nanoTime() - t2) / 1e9;
            printResult(r, pattern, out, false, loadSeconds, calibrationSeconds, pruned.gradientCache(),
                    pruned.gradientSeconds(), saveSeconds);
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": " + e.getMessage(), e);
        }
        return 0;
    }

    /**
     * {@code --stream}: the model is read layer by layer from a Hugging Face directory and the
     * pruned layers are written to {@code --out} as they are done ({@link StreamedLlama}), so its
     * size is bounded by one layer, the embedding and head, and the calibration activations. The
     * phases printed: {@code load_seconds} (headers, embedding, norm and head), {@code calibration_seconds},
     * {@code prune_seconds} (the loop, reading and writing every layer included) and {@code save_seconds}
     * (config.json and tokenizer files).
     */
    private static int stream(PruneCommand p) {
        String method = p.method;
        SparsityPattern pattern = pattern(p);
        Path out = p.out;
        String spec = p.model.spec;
        Path source = Models.resolve(spec);
        if (!Files.isDirectory(source)) {
            throw p.usage("--stream reads a Hugging Face directory (config.json, *.safetensors, "
                    + "tokenizer.json), got " + source + "; `prunekit export --model " + spec + " --out DIR` makes one");
        }
        if (method.equals("gblm")) {
            throw p.usage("--stream: gblm needs the gradients of the whole model (a full backward "
                    + "pass), which cannot be computed one layer at a time; accepted with --stream: magnitude, magnitude-row, wanda, sparsegpt");
        }
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("method", method);
        provenance.put("pattern", pattern.settings());
        long t0 = System.nanoTime();
        try {
            WeightPruner.Result r;
            int[][] calibration;
            double loadSeconds;
            double calibrationSeconds;
            long t2;
            try (StreamedLlama model = StreamedLlama.open(source, out, Devices.choose(),
                    source.getFileName() + " (" + method + " " + pattern.label() + ")", provenance)) {
                loadSeconds = (System.nanoTime() - t0) / 1e9;
                System.out.println("model=" + source.getFileName());
                long t1 = System.nanoTime();
                calibration = p.calibration.sample(model.tokenizer(), CALIB_SAMPLES, CALIB_SEQLEN);
                provenance.put("calibration", p.calibration.describe(calibration));   // read at close
                calibrationSeconds = (System.nanoTime() - t1) / 1e9;
                WeightPruner.Config cfg = new WeightPruner.Config(pattern, 4, true);
                r = pruneStreamed(model, p, calibration, cfg);
                t2 = System.nanoTime();
            }
            double saveSeconds = (System.nanoTime() - t2) / 1e9;
            printResult(r, pattern, out, true, loadSeconds, calibrationSeconds, null, 0, saveSeconds);
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": " + e.getMessage(), e);
        }
        return 0;
    }

    /**
     * The key=value lines of a weight-pruning command, in the order scripts read them; the gradient
     * lines only when {@code gradientCache} is given (not for a stream).
     */
    private static void printResult(WeightPruner.Result r, SparsityPattern pattern, Path out, boolean streamed,
            double loadSeconds, double calibrationSeconds, String gradientCache, double gradientSeconds,
            double saveSeconds) {
        System.out.println("method=" + r.method());
        System.out.println("pattern=" + pattern.label());
        if (streamed) System.out.println("streamed=true");
        System.out.printf(Locale.ROOT, "load_seconds=%.2f%n", loadSeconds);
        System.out.printf(Locale.ROOT, "calibration_seconds=%.2f%n", calibrationSeconds);
        if (gradientCache != null) {
            System.out.println("gradient_cache=" + gradientCache);
            System.out.printf(Locale.ROOT, "gradient_seconds=%.1f%n", gradientSeconds);
        }
        System.out.printf(Locale.ROOT, "prune_seconds=%.1f%n", r.seconds());
        System.out.printf(Locale.ROOT, "save_seconds=%.2f%n", saveSeconds);
        System.out.println("out=" + out.toAbsolutePath());
        System.out.println("sparsity=" + r.overallSparsity());
    }

    private static SparsityPattern pattern(PruneCommand p) {
        if ((p.sparsity != null) == (p.nm != null)) {
            throw p.usage("weight pruning needs exactly one of --sparsity S (0 <= S < 1) or --nm N:M");
        }
        return p.sparsity != null ? p.sparsity : p.nm;
    }

    /** The pruned model in memory, and where GBLM's gradient statistics came from. */
    private record Pruned(WeightPruner.Result result, String gradientCache, double gradientSeconds) {}

    // ---- the pruning calls: the method by name, in memory and streamed ----

    private static Pruned prune(LlamaModel model, PruneCommand p, int[][] calibration, WeightPruner.Config cfg) {
        WeightPruningMethod method = method(p);
        double gradientSeconds = 0;
        String gradientCache = "none";   // GBLM: "off" (--no-stats-cache), "computed" (and cached) or "hit"
        WeightGradients grads = null;
        if (method.needsGradients() && p.noStatsCache) {
            grads = WeightGradients.compute(model, calibration, WeightGradients.DEFAULT_SCALE);
            gradientSeconds = grads.seconds();
            gradientCache = "off";
        } else if (method.needsGradients()) {
            grads = WeightGradients.cached(model, calibration, WeightGradients.DEFAULT_SCALE);
            gradientSeconds = grads.seconds();
            gradientCache = gradientSeconds > 0 ? "computed" : "hit";
        }
        return new Pruned(WeightPruner.prune(model, method, grads, calibration, cfg), gradientCache, gradientSeconds);
    }

    private static WeightPruner.Result pruneStreamed(StreamedLlama model, PruneCommand p, int[][] calibration,
            WeightPruner.Config cfg) throws IOException {
        return WeightPruner.pruneStreamed(model, method(p), calibration, cfg);
    }

    /** The method by name ({@link WeightMethods}); GBLM with --gblm-norm and --alpha. */
    private static WeightPruningMethod method(PruneCommand p) {
        return p.method.equals("gblm") ? new Gblm(p.gblmNorm, p.alpha) : WeightMethods.byName(p.method);
    }
}
