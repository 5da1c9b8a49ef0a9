package prunekit.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import prunekit.model.Generator;
import prunekit.model.LlamaModel;
import prunekit.model.Sampling;

/** {@code prunekit generate}: continuation of a prompt, greedy or sampled, through the key/value cache. */
@Command(name = "generate", description = "Continue a prompt (greedy unless --temperature > 0); prints the prompt and the"
        + " continuation, then tokens= and tokens_per_s=.")
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "the text to continue")
    String prompt;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "at most this many new tokens")
    int maxNewTokens = 40;

    @Option(names = "--min-new-tokens", paramLabel = "N",
            description = "no end-of-sequence stop before this many tokens (transformers' min_new_tokens)")
    int minNewTokens = 0;

    @Option(names = "--temperature", paramLabel = "T", description = "0 = greedy; otherwise sample from softmax(logits / T)")
    double temperature = 0;

    @Option(names = "--top-k", paramLabel = "K", description = "sample among the K most probable tokens (0 = all)")
    int topK = 0;

    @Option(names = "--top-p", paramLabel = "P", description = "sample among the most probable tokens that reach probability P (1 = all)")
    double topP = 1;

    @Option(names = "--seed", paramLabel = "S", description = "seed of the sampling")
    long seed = 0;

    @Override
    public Integer call() {
        var settings = new Generator.Settings(maxNewTokens, minNewTokens, new Sampling(temperature, topK, topP, seed));
        try (LlamaModel m = model.load()) {
            int[] prompted = Generator.promptIds(m, prompt);
            long start = System.nanoTime();
            int[] ids = Generator.generate(m, prompted, settings);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.println(prompt + Generator.continuation(m, prompted, ids));
            int generated = ids.length - prompted.length;
            System.out.println("tokens=" + generated);
            System.out.printf(java.util.Locale.ROOT, "tokens_per_s=%.2f%n", generated / seconds);
        }
        return 0;
    }
}
