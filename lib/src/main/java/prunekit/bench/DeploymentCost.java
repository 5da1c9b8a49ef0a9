package prunekit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import prunekit.eval.RecordPivot;
import prunekit.eval.RecordSet;
import prunekit.model.LlamaModel;
import prunekit.model.io.HfSaver;
import prunekit.sparsity.Magnitude;
import prunekit.sparsity.MaskStats;
import prunekit.sparsity.SparsityPattern;
import prunekit.sparsity.WeightPruner;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What a pruned model costs to run and to keep, measured live: forward throughput
 * ({@link ModelBenchmark#forward}) and the size of the saved Hugging Face file, raw and gzip-compressed.
 * It answers the question a leaderboard of perplexities leaves open: fewer layers are faster as they
 * stand, while zeroed weights are multiplied like any others unless sparse kernels or a sparse format
 * are used (Frantar and Alistarh, "SparseGPT", arXiv 2301.00774, section 1; Mishra et al., "Accelerating
 * Sparse Deep Neural Networks", arXiv 2104.08378, for 2:4 on sparse tensor cores).
 */
public final class DeploymentCost {

    /**
     * One model to measure, made from the dense one.
     *
     * @param label    row name
     * @param method   the method as in the result records (so recorded timings can be set beside it)
     * @param settings its settings as in the records, e.g. {@code remove=6}
     * @param make     the pruned copy (the dense model itself for {@code dense}); its result is closed after use
     *                 unless it is the dense model
     */
    public record Variant(String label, String method, String settings, UnaryOperator<LlamaModel> make) {

        /** The dense model as it is. */
        public static Variant dense() {
            return new Variant("dense", "dense", "", m -> m);
        }

        /**
         * The dense model without the layers a record's settings list ({@code removed=14 17 25 ...}), under
         * {@code method} and {@code remove=<count>}.
         */
        public static Variant removeLayers(String method, String recordSettings) {
            String removed = RecordPivot.setting(recordSettings, "removed");
            if (removed.isEmpty()) throw new IllegalArgumentException("settings '" + recordSettings + "' list no removed= layers");
            Set<Integer> layers = Arrays.stream(removed.trim().split(" ")).map(Integer::parseInt).collect(Collectors.toSet());
            return new Variant(layers.size() + " layers removed (" + method + ")", method, "remove=" + layers.size(), m -> {
                LlamaModel copy = m.copy(m.config().name() + " -" + layers.size() + " layers");
                copy.removeLayers(layers);
                return copy;
            });
        }

        /** The dense model with {@code sparsity} of every linear weight's row zeroed by magnitude (no calibration). */
        public static Variant magnitude(double sparsity) {
            return new Variant(Math.round(sparsity * 100) + "% of weights zero (magnitude)", "magnitude", "sparsity=" + sparsity,
                    m -> WeightPruner.prune(m, new Magnitude(), null, new int[0][],
                            WeightPruner.Config.of(SparsityPattern.unstructured(sparsity))).model());
        }
    }

    /**
     * @param batch      sequences per forward pass
     * @param tokens     tokens per sequence
     * @param iterations timed passes (the median is reported), after one untimed pass
     * @param files      save each model and measure its file; without, only throughput (the file of
     *                   SmolLM2 is 538 MB, and saving and compressing four of them is most of the time)
     */
    public record Config(int batch, int tokens, int iterations, boolean files) {
        /** Batch 1, 128 tokens, 9 timed passes, files measured. */
        public static final Config DEFAULT = new Config(1, 128, 9, true);
    }

    private DeploymentCost() {}

    /**
     * Each variant in turn (one pruned copy beside the dense model at a time): layers, parameters and
     * non-zero parameters, forward tokens/s (median) and its multiple of the first variant's, the saved
     * {@code model.safetensors} in MB (10^6 bytes) and gzip-compressed (level 1, streamed) where
     * {@link Config#files}. The files go to a temporary folder, deleted after each.
     */
    public static Table measure(LlamaModel dense, List<Variant> variants, Config config) {
        Table t = Table.create(String.format("Measured live on %s: batch %d, %d tokens, median of %d forward passes; saved as "
                        + "float32 safetensors", dense.device(), config.batch(), config.tokens(), config.iterations()),
                StringColumn.create("variant"), StringColumn.create("method"), StringColumn.create("settings"),
                IntColumn.create("layers"), DoubleColumn.create("params (M)"), DoubleColumn.create("non-zero (M)"),
                DoubleColumn.create("tok/s"), DoubleColumn.create("x dense"), DoubleColumn.create("file MB"),
                DoubleColumn.create("gzip MB"), DoubleColumn.create("gzip x dense"));
        ModelBenchmark.forward(dense, config.batch(), config.tokens(), config.iterations());   // untimed: first passes are slower
        Path scratch;
        try {
            scratch = Files.createTempDirectory("prunekit-cost");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a temporary folder", e);
        }
        try {
            for (Variant v : variants) {
                LlamaModel m = v.make().apply(dense);
                try {
                    long nonZero = m.parameterCount() - Math.round(WeightPruner.sparsity(m) * MaskStats.linearParameters(m));
                    ModelBenchmark.Result fwd = ModelBenchmark.forward(m, config.batch(), config.tokens(), config.iterations());
                    double bytes = Double.NaN, gz = Double.NaN;
                    if (config.files()) {
                        Path dir = scratch.resolve("model-" + t.rowCount());
                        HfSaver.save(m, dir, Map.of("method", v.method(), "settings", v.settings()));
                        Path file = dir.resolve("model.safetensors");
                        bytes = Files.size(file);
                        gz = gzipBytes(file);
                        deleteTree(dir);
                    }
                    t.stringColumn("variant").append(v.label());
                    t.stringColumn("method").append(v.method());
                    t.stringColumn("settings").append(v.settings());
                    t.intColumn("layers").append(m.config().layers());
                    t.doubleColumn("params (M)").append(round(m.parameterCount() / 1e6, 2));
                    t.doubleColumn("non-zero (M)").append(round(nonZero / 1e6, 2));
                    t.doubleColumn("tok/s").append(round(fwd.tokensPerSecond(), 1));
                    t.doubleColumn("file MB").append(round(bytes / 1e6, 1));
                    t.doubleColumn("gzip MB").append(round(gz / 1e6, 1));
                } catch (IOException e) {
                    throw new UncheckedIOException(v.label() + ": cannot save or measure the file", e);
                } finally {
                    if (m != dense) m.close();
                }
            }
        } finally {
            deleteTree(scratch);
        }
        for (int i = 0; i < t.rowCount(); i++) {
            t.doubleColumn("x dense").append(round(t.doubleColumn("tok/s").getDouble(i) / t.doubleColumn("tok/s").getDouble(0), 2));
            t.doubleColumn("gzip x dense").append(round(t.doubleColumn("gzip MB").getDouble(i) / t.doubleColumn("gzip MB").getDouble(0), 2));
        }
        return t;
    }

    /**
     * The same variants in throughput records ({@code bin/prunekit bench --record}): for each record, the
     * variant's {@code measure} (e.g. {@code forward_tok_s}) and its multiple of the record's dense model;
     * NaN where a record lacks the variant. Columns are named by the records ({@code RecordSet.load(name)}).
     */
    public static Table recorded(List<Variant> variants, String measure, RecordSet... records) {
        Table t = Table.create(measure + " from the records, and x the dense model of the same record", StringColumn.create("variant"));
        for (Variant v : variants) t.stringColumn("variant").append(v.label());
        for (RecordSet r : records) {
            String label = r.pivot().name();
            double dense = r.value("dense", "", measure);
            DoubleColumn value = DoubleColumn.create(label), ratio = DoubleColumn.create(label + " x dense");
            for (Variant v : variants) {
                double x = r.has(v.method(), v.settings()) ? r.value(v.method(), v.settings(), measure) : Double.NaN;
                value.append(round(x, 0));
                ratio.append(round(x / dense, 2));
            }
            t.addColumns(value, ratio);
        }
        return t;
    }

    /** Bytes of {@code file} gzip-compressed at level 1, streamed, nothing written. */
    static long gzipBytes(Path file) throws IOException {
        long[] count = {0};
        OutputStream counter = new OutputStream() {
            @Override public void write(int b) {
                count[0]++;
            }

            @Override public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        };
        try (InputStream in = Files.newInputStream(file);
                GZIPOutputStream gz = new GZIPOutputStream(counter, 1 << 16) {
                    {
                        def.setLevel(Deflater.BEST_SPEED);
                    }
                }) {
            in.transferTo(gz);
        }
        return count[0];
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot delete", e);
        }
    }

    private static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Double.isNaN(v) ? v : Math.round(v * scale) / scale;
    }
}
