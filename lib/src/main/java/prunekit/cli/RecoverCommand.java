package prunekit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import prunekit.eval.ResultRecord;
import prunekit.eval.Results;
import prunekit.model.LlamaModel;
import prunekit.model.io.HfSaver;
import prunekit.recover.AdamW;
import prunekit.recover.LoraAdapters;
import prunekit.recover.LoraConfig;
import prunekit.recover.Recovery;

/**
 * {@code prunekit recover}: LoRA recovery fine-tuning of a (pruned) model on a corpus's calibration
 * split ({@link Recovery}); the adapters are merged and the model saved as a Hugging Face directory
 * in {@code --out}, with the loss of every step in {@code --out/loss.csv} and the run's checkpoint in
 * {@code --out/checkpoint/} ({@code --resume} continues from it).
 */
@Command(name = "recover", description = "LoRA recovery fine-tuning after pruning: adapters trained on a calibration"
        + " split, merged, saved to --out with loss.csv; --resume continues from --out/checkpoint.")
final class RecoverCommand implements Callable<Integer> {

    private static final Recovery.Config DEFAULT = Recovery.Config.DEFAULT;

    @Mixin
    ModelOption model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the recovered model goes")
    Path out;

    @Option(names = "--steps", paramLabel = "N", description = "optimizer steps")
    int steps = DEFAULT.steps();

    @Option(names = "--lora-rank", paramLabel = "R", description = "adapter rank")
    int rank = LoraConfig.DEFAULT.rank();

    @Option(names = "--lora-alpha", paramLabel = "A", description = "adapter scaling numerator (scale = A / R)")
    double alpha = LoraConfig.DEFAULT.alpha();

    @Option(names = "--lora-dropout", paramLabel = "P", description = "dropout on the adapters' input while training")
    double dropout = LoraConfig.DEFAULT.dropout();

    @Option(names = "--lr", paramLabel = "X", description = "peak learning rate (linear warm-up, then cosine)")
    double lr = DEFAULT.lr();

    @Option(names = "--warmup", paramLabel = "N", description = "warm-up steps")
    int warmup = DEFAULT.warmup();

    @Option(names = "--batch", paramLabel = "B", description = "windows per step")
    int batch = DEFAULT.batch();

    @Option(names = "--micro-batch", paramLabel = "M", description = "windows per forward/backward (divides --batch)")
    int microBatch = DEFAULT.microBatch();

    @Option(names = "--seqlen", paramLabel = "T", description = "tokens per window")
    int seqLen = DEFAULT.seqLen();

    @Option(names = "--corpus", paramLabel = "NAME", converter = Choices.Corpus.class,
            completionCandidates = Choices.Corpus.class,
            description = "corpus whose calibration split is the training text: ${COMPLETION-CANDIDATES}")
    String corpus = DEFAULT.corpus();

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "steps between checkpoints")
    int checkpointEvery = DEFAULT.checkpointEvery();

    @Option(names = "--seed", paramLabel = "S", description = "seed of the data draw and the adapters")
    long seed = DEFAULT.seed();

    @Option(names = "--resume", description = "continue from --out/checkpoint (same settings)")
    boolean resume;

    @Override
    public Integer call() throws IOException {
        var lora = new LoraConfig(rank, alpha, dropout, LoraConfig.DEFAULT.modules(), seed);
        var config = new Recovery.Config(steps, batch, microBatch, seqLen, lr, Math.min(warmup, steps), DEFAULT.maxGradNorm(),
                AdamW.DEFAULT, corpus, checkpointEvery, seed);
        Path runDir = out.resolve("checkpoint");
        try (LlamaModel m = model.load(); LoraAdapters adapters = LoraAdapters.init(m, lora)) {
            ResultRecord.Run before = model.run(m);
            System.out.println("model=" + m.config().name());
            System.out.println("layers=" + m.config().layers());
            System.out.println("adapter_parameters=" + adapters.parameterCount());
            Recovery.Result r = Recovery.train(m, adapters, config, runDir, resume);
            writeLosses(m, before, config, r);
            if (r.stopped() != null) {
                throw new IllegalStateException("recovery stopped, no model written: " + r.stopped());
            }
            adapters.mergeInto(m);
            Map<String, String> provenance = new LinkedHashMap<>(HfSaver.provenance(Path.of(model.spec)));
            provenance.putIfAbsent("method", "dense");
            provenance.put("recovery", "lora;" + config.describe(adapters));
            HfSaver.save(m, out, provenance);
            System.out.println("steps=" + r.steps());
            System.out.printf(java.util.Locale.ROOT, "train_seconds=%.1f%n", r.seconds());
            System.out.printf(java.util.Locale.ROOT, "tokens_per_s=%.1f%n", r.tokensPerSecond());
            System.out.println("first_loss=" + r.losses().get(0));
            System.out.println("out=" + out);
            System.out.println("final_loss=" + r.losses().get(r.losses().size() - 1));
        }
        return 0;
    }

    /** The loss of every step so far as records in {@code --out/loss.csv} (rewritten whole, so a resumed run has one curve). */
    private void writeLosses(LlamaModel m, ResultRecord.Run before, Recovery.Config config, Recovery.Result r) {
        Path csv = out.resolve("loss.csv");
        try {
            Files.createDirectories(out);
            Files.deleteIfExists(csv);
        } catch (IOException e) {
            throw new UncheckedIOException(csv + ": cannot write", e);
        }
        List<Double> losses = r.losses();
        Instant now = Instant.now();
        List<ResultRecord> curve = new ArrayList<>();
        for (int s = 0; s < losses.size(); s++) {
            curve.add(new ResultRecord(now, m.config().name(), before.method() + "+lora", before.settings(),
                    config.corpus() + "/calibration", config.seqLen(), config.seed(), before.device(), r.seconds(),
                    "train_loss", losses.get(s), Double.NaN, s + 1));
        }
        Results.append(csv, curve);
    }
}
