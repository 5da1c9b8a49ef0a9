package prunekit.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import prunekit.data.CalibrationSampler;
import prunekit.model.LlamaModel;
import prunekit.model.Models;
import prunekit.similarity.CkaMatrix;

/** {@code prunekit cka}: linear CKA between every pair of decoder-layer outputs, written as a CSV matrix. */
final class CkaCommand {

    static final Set<String> OPTIONS = Set.of("model", "out", "calib-corpus", "calib-samples", "seqlen", "seed",
            "batch", "skip-first");

    private CkaCommand() {}

    static int run(Args a) {
        Path out = Path.of(a.required("out"));
        String corpus = a.get("calib-corpus", "brown");
        long seed = a.integer("seed", 0);
        CkaMatrix.Config cfg = new CkaMatrix.Config(a.integer("batch", CkaMatrix.Config.DEFAULT.batchSize()),
                a.integer("skip-first", 0));
        try (LlamaModel model = Models.load(a.required("model"))) {
            int[][] calibration = CalibrationSampler.sample(corpus, model.tokenizer(), new CalibrationSampler.Config(
                    a.integer("calib-samples", 16), a.integer("seqlen", 128), seed)).toArray(new int[0][]);
            CkaMatrix.Result r = CkaMatrix.compute(model, calibration, cfg);
            r.writeCsv(out);
            System.out.println("model=" + r.model());
            System.out.println("windows=" + r.windows() + " seqlen=" + r.seqLen() + " batches=" + r.batches()
                    + " skip_first=" + r.skipFirst());
            System.out.printf(Locale.ROOT, "seconds=%.1f%n", r.seconds());
            System.out.println("layers=" + r.layers());
            System.out.println("out=" + out.toAbsolutePath());
        }
        return 0;
    }
}
