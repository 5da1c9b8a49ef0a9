package prunekit.bench;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import prunekit.model.Generator;
import prunekit.model.LlamaModel;
import prunekit.model.Models;
import prunekit.model.Sampling;

/**
 * Tokens per second of {@link Generator#generate(LlamaModel, int[], Generator.Settings)}, greedy, batch 1,
 * exactly N new tokens (min = max new tokens: the end-of-sequence token is held off, as transformers'
 * {@code min_new_tokens} does), the prompt included in the time as in transformers' {@code generate}: the
 * prunekit side of {@code environment/bench-vs-pytorch.sh --generate}, whose other side is
 * {@code environment/bench/pytorch_generate.py}. Each generation is one turn of the lockstep ring
 * ({@link Turns}); W untimed generations, then the median of K timed ones. Prints key=value lines; the
 * generated ids of every timed run are checked to be the same and printed, for the report to compare with
 * the other side's.
 *
 * <p>Two uses:
 * <pre>
 * GenerationBenchmark --model DIR --prompt TEXT --write-prompt FILE
 *     the prompt's ids (BOS first where the tokenizer has one) and the end-of-sequence id, as
 *     prompt_ids= and eos_id= lines in FILE, for both sides to read
 * GenerationBenchmark --model DIR --prompt-file FILE --new-tokens N [--warmup W] [--iterations K] [--lockstep MINE,NEXT]
 *     the timed generations
 * </pre>
 */
public final class GenerationBenchmark {

    private GenerationBenchmark() {}

    public static void main(String[] args) {
        MainOptions opts = MainOptions.parse("GenerationBenchmark", args);
        try (LlamaModel model = Models.load(opts.required("--model"))) {
            if (opts.has("--write-prompt")) {
                writePrompt(model, opts.required("--prompt"), Path.of(opts.required("--write-prompt")));
                return;
            }
            Map<String, String> prompt = readKeyValues(Path.of(opts.required("--prompt-file")));
            int[] promptIds = ids(prompt.get("prompt_ids"));
            int newTokens = opts.positive("--new-tokens", 100);
            int warmup = Integer.parseInt(opts.get("--warmup", "3"));   // generations untimed first
            int iterations = opts.positive("--iterations", 5);                 // generations timed
            Turns turns = opts.turns();
            if (model.tokenizer().eosId() != Integer.parseInt(prompt.get("eos_id"))) {
                throw new IllegalStateException("the prompt file's eos_id=" + prompt.get("eos_id") + " is not this model's "
                        + model.tokenizer().eosId() + ": write it with --write-prompt on the same model");
            }
            System.out.println("model=" + model.config().name());
            System.out.println("device=" + model.device());
            System.out.println("djl=" + Engine.getDjlVersion());
            System.out.println("engine=" + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
            System.out.println("threads=" + ModelBenchmark.intraOpThreads());
            System.out.println("interop_threads=" + ModelBenchmark.interOpThreads());
            System.out.println("prompt=" + prompt.getOrDefault("prompt", ""));
            System.out.println("prompt_tokens=" + promptIds.length);
            System.out.println("new_tokens=" + newTokens);
            System.out.println("warmup=" + warmup);
            System.out.println("iterations=" + iterations);
            System.out.println("lockstep=" + (turns != Turns.ALONE));
            run(model, promptIds, newTokens, warmup, iterations, turns);
            System.out.println("peak_rss_mb=" + ModelBenchmark.peakRssMb());
        }
    }

    /** W + K generations, one per turn; prints the timed ones' median, best, each, and the ids generated. */
    private static void run(LlamaModel model, int[] promptIds, int newTokens, int warmup, int iterations, Turns turns) {
        var settings = new Generator.Settings(newTokens, newTokens, Sampling.GREEDY);
        double[] seconds = new double[iterations];
        int[] generated = null;
        double total = 0;
        for (int i = 0; i < warmup + iterations; i++) {
            turns.await();
            long start = System.nanoTime();
            int[] ids = Generator.generate(model, promptIds, settings);
            double s = (System.nanoTime() - start) / 1e9;
            turns.pass();
            total += s;
            int[] mine = Arrays.copyOfRange(ids, promptIds.length, ids.length);
            if (generated != null && !Arrays.equals(generated, mine)) {
                throw new IllegalStateException("greedy generation " + (i + 1) + " differs from the one before it");
            }
            generated = mine;
            if (i >= warmup) seconds[i - warmup] = s;
        }
        turns.await();                                    // a closing turn: no side exits while another still times
        turns.pass();
        if (generated.length != newTokens) {
            throw new IllegalStateException(generated.length + " tokens generated, " + newTokens + " asked for (the model's"
                    + " context length " + model.config().maxSequenceLength() + " is the only other stop)");
        }
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];       // the upper of two middles, as pytorch_generate.py
        System.out.printf(Locale.ROOT, "generate_tok_s=%.2f%n", newTokens / median);
        System.out.printf(Locale.ROOT, "generate_median_s=%.4f%n", median);
        System.out.printf(Locale.ROOT, "generate_best_s=%.4f%n", sorted[0]);
        System.out.printf(Locale.ROOT, "generate_total_s=%.3f%n", total);
        System.out.println("generate_runs_s=" + Arrays.stream(seconds).mapToObj(s -> String.format(Locale.ROOT, "%.4f", s))
                .collect(Collectors.joining(",")));
        System.out.println("generated_ids=" + Arrays.stream(generated).mapToObj(Integer::toString).collect(Collectors.joining(",")));
    }

    private static void writePrompt(LlamaModel model, String text, Path file) {
        int[] ids = Generator.promptIds(model, text);
        String out = "prompt=" + text.replace('\n', ' ') + "\nprompt_ids="
                + Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",")) + "\neos_id="
                + model.tokenizer().eosId() + "\n";
        try {
            Files.writeString(file, out);
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
        System.out.print(out);
    }

    private static Map<String, String> readKeyValues(Path file) {
        try {
            Map<String, String> kv = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (eq > 0) kv.put(line.substring(0, eq), line.substring(eq + 1));
            }
            for (String key : new String[] {"prompt_ids", "eos_id"}) {
                if (!kv.containsKey(key)) throw new IllegalArgumentException(file + ": no " + key + "= line (write it with --write-prompt)");
            }
            return kv;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the prompt file (write it with --write-prompt)", e);
        }
    }

    private static int[] ids(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }
}
