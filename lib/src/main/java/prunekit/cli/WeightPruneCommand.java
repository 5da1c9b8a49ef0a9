package prunekit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import prunekit.data.CalibrationSampler;
import prunekit.model.Devices;
import prunekit.model.LlamaModel;
import prunekit.model.Models;
import prunekit.model.io.HfSaver;
import prunekit.model.io.StreamedLlama;
import prunekit.sparsity.Gblm;
import prunekit.sparsity.SparsityPattern;
import prunekit.sparsity.WeightMethods;
import prunekit.sparsity.WeightPruner;
import prunekit.sparsity.WeightPruningMethod;
import prunekit.stats.WeightGradients;

/**
 * {@code prunekit prune --method magnitude|wanda|sparsegpt|gblm --sparsity S|--nm N:M}: zero weights
 * inside the decoder's linear layers (unstructured or N:M, per output row) with {@link WeightPruner},
 * and save a Hugging Face directory that {@code --model DIR} loads. GBLM's gradient statistics are
 * cached under {@code data/cache/stats/} ({@code --no-stats-cache}: computed in memory, nothing read
 * or written there). Prints the wall time of each phase: {@code load_seconds} (model),
 * {@code calibration_seconds} (sampling the windows), {@code gradient_seconds} (GBLM's gradient
 * statistics; 0 when read from the cache, see {@code gradient_cache}), {@code prune_seconds} (the
 * layer-by-layer loop: input statistics, scores, masks and the edited weights) and {@code save_seconds}.
 */
final class WeightPruneCommand {

    static final String METHODS = String.join(", ", WeightMethods.NAMES);

    private WeightPruneCommand() {}

    /** Weight pruning is chosen by a pattern option, or by a method only weight pruning has. */
    static boolean applies(Args a, String method) {
        return a.has("sparsity") || a.has("nm") || Set.of("wanda", "sparsegpt", "gblm").contains(method);
    }

    static int run(Args a) {
        if (a.has("stream")) {
            return stream(a);
        }
        String method = a.required("method");
        SparsityPattern pattern = pattern(a);
        Path out = Path.of(a.required("out"));
        long seed = a.integer("seed", 0);
        String corpus = a.get("calib-corpus", "brown");
        long t0 = System.nanoTime();
        try (LlamaModel model = Models.load(a.required("model"))) {
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.println("model=" + model.config().name());
            long t1 = System.nanoTime();
            CalibrationSampler.Config cc = calibration(a, seed);
            int[][] calibration = CalibrationSampler.sample(corpus, model.tokenizer(), cc).toArray(new int[0][]);
            double calibrationSeconds = (System.nanoTime() - t1) / 1e9;
            WeightPruner.Config cfg = new WeightPruner.Config(pattern, 4, true);
            WeightPruner.Result r;
            double gradientSeconds = 0;
            String gradientCache = "none";   // GBLM: "off" (--no-stats-cache), "computed" (and cached) or "hit"
            WeightPruningMethod pruning = method(a, method);
            WeightGradients grads = null;
            if (pruning.needsGradients() && a.has("no-stats-cache")) {
                grads = WeightGradients.compute(model, calibration, WeightGradients.DEFAULT_SCALE);
                gradientSeconds = grads.seconds();
                gradientCache = "off";
            } else if (pruning.needsGradients()) {
                grads = WeightGradients.cached(model, calibration, WeightGradients.DEFAULT_SCALE);
                gradientSeconds = grads.seconds();
                gradientCache = gradientSeconds > 0 ? "computed" : "hit";
            }
            r = WeightPruner.prune(model, pruning, grads, calibration, cfg);
            Map<String, String> provenance = new LinkedHashMap<>();
            provenance.put("method", r.method());
            provenance.put("pattern", pattern.settings());
            provenance.put("calibration", calibration.length + " x " + calibration[0].length + " tokens of " + corpus
                    + ", seed " + seed);
            long t2 = System.nanoTime();
            HfSaver.save(model, out, provenance);
            double saveSeconds = (System.nanoTime() - t2) / 1e9;
            printResult(r, pattern, out, false, loadSeconds, calibrationSeconds, gradientCache, gradientSeconds,
                    saveSeconds);
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
    private static int stream(Args a) {
        String method = a.required("method");
        SparsityPattern pattern = pattern(a);
        Path out = Path.of(a.required("out"));
        long seed = a.integer("seed", 0);
        String corpus = a.get("calib-corpus", "brown");
        String spec = a.required("model");
        Path source = Models.resolve(spec);
        if (!Files.isDirectory(source)) {
            throw new Args.UsageException("prune --stream reads a Hugging Face directory (config.json, *.safetensors, "
                    + "tokenizer.json), got " + source + "; `prunekit export --model " + spec + " --out DIR` makes one");
        }
        WeightPruningMethod pruning = method(a, method);
        if (pruning.needsGradients()) {
            throw new Args.UsageException("prune --stream: " + method + " needs the gradients of the whole model (a full "
                    + "backward pass), which cannot be computed one layer at a time; accepted with --stream: magnitude, "
                    + "wanda, sparsegpt");
        }
        CalibrationSampler.Config cc = calibration(a, seed);
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
                calibration = CalibrationSampler.sample(corpus, model.tokenizer(), cc).toArray(new int[0][]);
                provenance.put("calibration", calibration.length + " x " + calibration[0].length + " tokens of "   // read at close
                        + corpus + ", seed " + seed);
                calibrationSeconds = (System.nanoTime() - t1) / 1e9;
                WeightPruner.Config cfg = new WeightPruner.Config(pattern, 4, true);
                r = WeightPruner.pruneStreamed(model, pruning, calibration, cfg);
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

    /** The calibration windows' settings: --calib-samples (32), --seqlen (256), the seed. */
    private static CalibrationSampler.Config calibration(Args a, long seed) {
        return new CalibrationSampler.Config(a.integer("calib-samples", 32), a.integer("seqlen", 256), seed);
    }

    private static SparsityPattern pattern(Args a) {
        if (a.has("sparsity") == a.has("nm")) {
            throw new Args.UsageException("prune: weight pruning needs exactly one of --sparsity S (0 <= S < 1) or --nm N:M");
        }
        if (a.has("nm")) return SparsityPattern.parseNm(a.required("nm"));
        String s = a.required("sparsity");
        try {
            return SparsityPattern.unstructured(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            throw new Args.UsageException("prune: --sparsity must be a number in [0, 1), got '" + s + "'");
        }
    }

    /** The method by name ({@link WeightMethods}); GBLM with --gblm-norm and --alpha. */
    private static WeightPruningMethod method(Args a, String method) {
        WeightPruningMethod pruning;
        try {
            pruning = WeightMethods.byName(method);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("prune: unknown weight-pruning --method " + method + " (accepted: " + METHODS + ")");
        }
        if (!(pruning instanceof Gblm)) return pruning;
        String norm = a.get("gblm-norm", "l2");
        if (!norm.equals("l1") && !norm.equals("l2")) {
            throw new Args.UsageException("prune: --gblm-norm must be l1 or l2, got '" + norm + "'");
        }
        double alpha;
        try {
            alpha = Double.parseDouble(a.get("alpha", "100"));
        } catch (NumberFormatException e) {
            throw new Args.UsageException("prune: --alpha must be a number, got '" + a.get("alpha", "") + "'");
        }
        return new Gblm(norm.equals("l1") ? WeightGradients.Norm.L1 : WeightGradients.Norm.L2, alpha);
    }
}
