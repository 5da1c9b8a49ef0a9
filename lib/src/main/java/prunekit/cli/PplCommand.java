package prunekit.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import prunekit.eval.ModelScorer;
import prunekit.eval.Perplexity;
import prunekit.eval.ResultRecord;
import prunekit.model.LlamaModel;

/** {@code prunekit ppl}: perplexity on a corpus split or a text file; the last line is {@code ppl=<v>}. */
@Command(name = "ppl", description = "Perplexity over non-overlapping windows of a corpus split or a text file;"
        + " the last line is ppl=<value>.")
final class PplCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @ArgGroup(multiplicity = "1")
    Text text;

    /** Exactly one of a corpus or a file. */
    static final class Text {
        @Option(names = "--corpus", paramLabel = "NAME", converter = Choices.Corpus.class,
                completionCandidates = Choices.Corpus.class, description = "a corpus: ${COMPLETION-CANDIDATES}")
        String corpus;

        @Option(names = "--text-file", paramLabel = "F", description = "a UTF-8 text file")
        Path file;
    }

    @Option(names = "--split", paramLabel = "NAME", converter = Choices.SplitName.class,
            completionCandidates = Choices.SplitName.class, description = "the corpus's split: ${COMPLETION-CANDIDATES}")
    String split = "test";

    @Option(names = "--seqlen", required = true, paramLabel = "N", description = "tokens per window")
    Integer seqLen;

    @Option(names = "--max-eval-tokens", paramLabel = "K", description = "tokens evaluated at most (0: all)")
    long maxEvalTokens = 0;

    @Mixin
    RecordOption record;

    @Override
    public Integer call() {
        try (LlamaModel m = model.load()) {
            Perplexity.Config cfg = Perplexity.Config.forDevice(m.device(), seqLen, maxEvalTokens).withProgress(true);
            ModelScorer scorer = new ModelScorer(m);
            Perplexity.Result r = text.corpus != null
                    ? Perplexity.ofSplit(scorer, m.tokenizer(), text.corpus, split, cfg)
                    : Perplexity.ofFile(scorer, m.tokenizer(), text.file, cfg);
            System.out.println("model=" + r.model());
            System.out.println("data=" + r.data());
            System.out.println("seqlen=" + r.seqLen());
            System.out.println("windows=" + r.windows());
            System.out.println("tokens=" + r.tokens());
            System.out.println("nll=" + r.nll());
            System.out.printf("seconds=%.1f%n", r.seconds());
            record.append(ResultRecord.of(model.run(m), r));
            System.out.println("ppl=" + r.ppl() + " ci95=" + r.ci95());   // 95 % bootstrap over windows
        }
        return 0;
    }
}
