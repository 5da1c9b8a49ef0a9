package prunekit.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import prunekit.model.Generator;
import prunekit.model.LlamaModel;

/** {@code prunekit generate}: greedy continuation of a prompt. */
@Command(name = "generate", description = "Continue a prompt greedily; prints the prompt and the continuation.")
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "the text to continue")
    String prompt;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "tokens to generate")
    int maxNewTokens = 40;

    @Override
    public Integer call() {
        try (LlamaModel m = model.load()) {
            String text = Generator.greedy(m, prompt, maxNewTokens);
            System.out.println(prompt + text);
        }
        return 0;
    }
}
