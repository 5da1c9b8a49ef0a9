package prunekit.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import prunekit.model.LlamaModel;
import prunekit.similarity.CkaMatrix;

/** {@code prunekit cka}: linear CKA between every pair of decoder-layer outputs, written as a CSV matrix. */
@Command(name = "cka", description = "Linear CKA between every pair of decoder-layer outputs, as a CSV matrix.")
final class CkaCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--out", required = true, paramLabel = "FILE.csv", description = "the matrix to write")
    Path out;

    @Mixin
    CalibrationOptions calibration = new CalibrationOptions(16, 128);

    @Option(names = "--batch", paramLabel = "N", description = "windows per minibatch of the unbiased HSIC estimate")
    int batch = CkaMatrix.Config.DEFAULT.batchSize();

    @Option(names = "--skip-first", paramLabel = "N", description = "tokens left out at the start of every window")
    int skipFirst = 0;

    @Override
    public Integer call() {
        CkaMatrix.Config cfg = new CkaMatrix.Config(batch, skipFirst);
        try (LlamaModel m = model.load()) {
            CkaMatrix.Result r = CkaMatrix.compute(m, calibration.sample(m.tokenizer()), cfg);
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
