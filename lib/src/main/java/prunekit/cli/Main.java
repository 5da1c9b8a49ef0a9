package prunekit.cli;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import prunekit.bench.ModelBenchmark;
import prunekit.bench.Turns;
import prunekit.data.Split;
import prunekit.eval.ChoiceTask;
import prunekit.eval.ModelScorer;
import prunekit.eval.MultipleChoice;
import prunekit.eval.Perplexity;
import prunekit.eval.ResultRecord;
import prunekit.eval.Results;
import prunekit.eval.TaskLoader;
import prunekit.model.Generator;
import prunekit.model.LlamaConfig;
import prunekit.model.LlamaModel;
import prunekit.model.Models;
import prunekit.model.io.HfSaver;
import prunekit.sparsity.WeightPruner;

/**
 * {@code bin/prunekit}: the command-line front end. Each subcommand prints its result as
 * {@code key=value} lines, the last line being the headline number, so scripts can read it.
 */
public final class Main {

    static final String USAGE = String.join("\n",
            "usage: prunekit <command> [options]",
            "  info     --model M",
            "  generate --model M --prompt TEXT [--max-new-tokens 40]",
            "  ppl      --model M (--corpus NAME [--split test] | --text-file F) --seqlen N [--max-eval-tokens K] [--record NAME]",
            "  eval     --model M --task NAME|FILE [--limit N] [--record NAME]",
            "  prune    --model M --method " + PruneCommand.METHODS + " --remove-layers K [--compensate] [--iterative]",
            "           [--calib-corpus brown] [--calib-samples 16] [--seqlen 128] [--seed 0] --out DIR",
            "  prune    --model M --method slm --threshold T [--merge paper|code|average] [--protect L,H]",
            "           [--calib-samples 10] [--seqlen 128] --out DIR   (Sliding Layer Merging; L,H = layers it may merge)",
            "  cka      --model M --out FILE.csv [--calib-samples 16] [--seqlen 128] [--batch 8] [--skip-first 0]",
            "  prune    --model M --method " + WeightPruneCommand.METHODS + " --sparsity S|--nm N:M",
            "           [--gblm-norm l2|l1] [--alpha 100] [--calib-corpus brown] [--calib-samples 32] [--seqlen 256] --out DIR",
            "           [--no-stats-cache]   (gblm: compute the gradient statistics in memory, bypassing data/cache/stats/)",
            "           [--stream]   (magnitude, wanda, sparsegpt on a Hugging Face directory: one layer in memory at a time,",
            "           read from M and written to DIR, for models larger than this machine's memory)",
            "  export   --model M --out DIR   (save as a Hugging Face directory: config.json, model.safetensors, tokenizer.json)",
            "  bench    --model M [--seqlen 256] [--batch 1] [--warmup 5] [--iterations 5] [--matmul-size 2048] [--matmul-iterations 10] [--record NAME] [--profile TRACE.json] [--lockstep MINE,NEXT]",
            "           (forward and forward+backward tokens/s, model GFLOP/s, peak memory; then the GFLOP/s of an",
            "           N x N float32 matMul, this machine's ceiling; --matmul-size 0 skips it; --lockstep: take turns pass by",
            "           pass with other benchmark processes over two FIFOs, see environment/bench-vs-pytorch.sh)",
            "  " + ExperimentCommand.USAGE,
            "  " + ExperimentCommand.WEIGHT_USAGE,
            "M is smollm2, stories15m, or a path (.gguf, llama2.c .bin, Hugging Face directory).",
            "--record NAME appends the result to data/results/NAME.csv.");

    private Main() {}

    public static void main(String[] argv) {
        try {
            System.exit(run(argv));
        } catch (Args.UsageException e) {
            System.err.println("prunekit: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException | EngineException e) {
            System.err.println("prunekit: " + e.getMessage());
            System.exit(1);
        }
    }

    static int run(String[] argv) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("help")) {
            System.out.println(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        String cmd = argv[0];
        switch (cmd) {
            case "info":
                return info(new Args(cmd, argv, 1, Set.of("model")));
            case "generate":
                return generate(new Args(cmd, argv, 1, Set.of("model", "prompt", "max-new-tokens")));
            case "ppl":
                return ppl(new Args(cmd, argv, 1,
                        Set.of("model", "corpus", "split", "text-file", "seqlen", "max-eval-tokens", "record")));
            case "eval":
                return eval(new Args(cmd, argv, 1, Set.of("model", "task", "limit", "record")));
            case "prune":
                return PruneCommand.run(new Args(cmd, argv, 1, PruneCommand.OPTIONS, PruneCommand.FLAGS));
            case "cka":
                return CkaCommand.run(new Args(cmd, argv, 1, CkaCommand.OPTIONS));
            case "export":
                return export(new Args(cmd, argv, 1, Set.of("model", "out")));
            case "bench":
                return bench(new Args(cmd, argv, 1,
                        Set.of("model", "seqlen", "batch", "iterations", "matmul-size", "matmul-iterations", "record", "profile", "warmup", "lockstep")));
            case "experiment":
                return ExperimentCommand.run(argv);
            default:
                throw new Args.UsageException("unknown command '" + cmd + "'");
        }
    }

    private static int info(Args a) {
        try (LlamaModel m = Models.load(a.required("model"))) {
            LlamaConfig c = m.config();
            System.out.println("name=" + c.name());
            System.out.println("layers=" + c.layers());
            System.out.println("hidden=" + c.hidden());
            System.out.println("intermediate=" + c.intermediate());
            System.out.println("heads=" + c.heads());
            System.out.println("kv_heads=" + c.kvHeads());
            System.out.println("head_dim=" + c.headDim());
            System.out.println("vocab=" + c.vocabSize());
            System.out.println("max_seq_len=" + c.maxSequenceLength());
            System.out.println("rope_theta=" + c.ropeTheta());
            System.out.println("rms_eps=" + c.rmsEps());
            System.out.println("tied_embeddings=" + c.tiedEmbeddings());
            System.out.println("bos_id=" + m.tokenizer().bosId());
            System.out.println("eos_id=" + m.tokenizer().eosId());
            System.out.println("parameters=" + c.parameterCount());
            System.out.println("sparsity=" + WeightPruner.sparsity(m));   // zeros in the decoder's linear weights
            System.out.println("device=" + m.device());
        }
        return 0;
    }

    private static int generate(Args a) {
        try (LlamaModel m = Models.load(a.required("model"))) {
            String prompt = a.required("prompt");
            String text = Generator.greedy(m, prompt, a.integer("max-new-tokens", 40));
            System.out.println(prompt + text);
        }
        return 0;
    }

    private static int ppl(Args a) {
        int seqLen = a.integer("seqlen", -1);
        if (seqLen < 0) {
            throw new Args.UsageException("ppl: --seqlen is required");
        }
        if (a.has("corpus") == a.has("text-file")) {
            throw new Args.UsageException("ppl: give exactly one of --corpus NAME or --text-file F");
        }
        Perplexity.Config cfg = Perplexity.Config.DEFAULT.withSeqLen(seqLen)
                .withMaxTokens(a.integer("max-eval-tokens", 0));
        try (LlamaModel m = Models.load(a.required("model"))) {
            ModelScorer scorer = new ModelScorer(m);
            Perplexity.Result r = a.has("corpus")
                    ? Perplexity.ofSplit(scorer, m.tokenizer(), a.required("corpus"),
                            Split.parse(a.get("split", "test")).label(), cfg)
                    : Perplexity.ofFile(scorer, m.tokenizer(), Path.of(a.required("text-file")), cfg);
            System.out.println("model=" + r.model());
            System.out.println("data=" + r.data());
            System.out.println("seqlen=" + r.seqLen());
            System.out.println("windows=" + r.windows());
            System.out.println("tokens=" + r.tokens());
            System.out.println("nll=" + r.nll());
            System.out.printf("seconds=%.1f%n", r.seconds());
            record(a, ResultRecord.of(run(a, m), r));
            System.out.println("ppl=" + r.ppl());
        }
        return 0;
    }

    private static int eval(Args a) {
        String spec = a.required("task");
        ChoiceTask task = spec.endsWith(".jsonl") ? TaskLoader.load(Path.of(spec)) : TaskLoader.load(spec);
        if (a.has("limit")) {
            task = task.limit(a.integer("limit", 0));
        }
        try (LlamaModel m = Models.load(a.required("model"))) {
            MultipleChoice.Result r = MultipleChoice.evaluate(new ModelScorer(m), m.tokenizer(), task,
                    MultipleChoice.Config.DEFAULT);
            System.out.println("model=" + r.model());
            System.out.println("task=" + r.task());
            System.out.println("items=" + r.items());
            System.out.println("chance=" + r.chance());
            System.out.println("acc_stderr=" + r.accStderr());
            System.out.println("acc_norm_stderr=" + r.accNormStderr());
            System.out.printf("seconds=%.1f%n", r.seconds());
            for (ResultRecord rec : ResultRecord.of(run(a, m), r, 0)) { // seqlen 0: each item is scored whole
                record(a, rec);
            }
            System.out.println("acc=" + r.acc() + " acc_norm=" + r.accNorm());
        }
        return 0;
    }

    private static int export(Args a) {
        Path out = Path.of(a.required("out"));
        try (LlamaModel m = Models.load(a.required("model"))) {
            HfSaver.save(m, out, Map.of("source", a.required("model")));
            System.out.println("layers=" + m.config().layers());
            System.out.println("out=" + out.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": " + e.getMessage(), e);
        }
        return 0;
    }

    private static int bench(Args a) {
        int seqLen = a.integer("seqlen", 256);
        int batch = a.integer("batch", 1);
        int iterations = a.integer("iterations", 5);
        int warmup = a.integer("warmup", 5);   // untimed passes: the JIT compiles the forward path (steady after ~50 here)
        int matmulSize = a.integer("matmul-size", 2048);
        int matmulIterations = a.integer("matmul-iterations", 10);
        if (warmup < 0) {
            throw new Args.UsageException("bench: --warmup must be >= 0, got " + warmup);
        }
        if (seqLen < 1 || batch < 1 || iterations < 1 || matmulSize < 0 || matmulIterations < 1) {
            throw new Args.UsageException("bench: --seqlen, --batch, --iterations and --matmul-iterations must be >= 1"
                    + " and --matmul-size >= 0, got seqlen=" + seqLen + " batch=" + batch + " iterations=" + iterations
                    + " matmul-size=" + matmulSize + " matmul-iterations=" + matmulIterations);
        }
        Turns turns = lockstep(a.get("lockstep", null));
        if (turns != Turns.ALONE && a.get("profile", null) != null) {
            throw new Args.UsageException("bench: --profile traces a pass outside the turns; run it without --lockstep");
        }
        try (LlamaModel m = Models.load(a.required("model"))) {
            if (seqLen > m.config().maxSequenceLength()) {
                throw new Args.UsageException("bench: --seqlen " + seqLen + " exceeds " + m.config().name()
                        + "'s maximum sequence length " + m.config().maxSequenceLength());
            }
            System.out.println("model=" + m.config().name());
            System.out.println("device=" + m.device());
            System.out.println("djl=" + Engine.getDjlVersion());
            System.out.println("engine=" + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
            System.out.println("threads=" + ModelBenchmark.intraOpThreads());          // PyTorch intra-op threads
            System.out.println("interop_threads=" + ModelBenchmark.interOpThreads());
            System.out.println("batch=" + batch);
            System.out.println("seqlen=" + seqLen);
            System.out.println("iterations=" + iterations);
            System.out.println("warmup=" + warmup);
            System.out.println("lockstep=" + (turns != Turns.ALONE));
            ModelBenchmark.Result fwd = ModelBenchmark.forward(m, batch, seqLen, warmup, iterations, turns);
            System.out.println(fwd.keyValues());
            ModelBenchmark.Result fwdBwd = ModelBenchmark.forwardBackward(m, batch, seqLen, warmup, iterations, turns);
            System.out.println(fwdBwd.keyValues());
            ResultRecord.Run run = run(a, m);
            for (ModelBenchmark.Result r : List.of(fwd, fwdBwd)) {         // tokens/s and seconds per pass
                String data = "random-tokens:batch=" + batch;
                record(a, new ResultRecord(Instant.now(), m.config().name(), run.method(), run.settings(), data, seqLen,
                        -1, run.device(), r.medianSeconds(), r.phase() + "_tok_s", r.tokensPerSecond(), Double.NaN,
                        iterations));
                record(a, new ResultRecord(Instant.now(), m.config().name(), run.method(), run.settings(), data, seqLen,
                        -1, run.device(), r.medianSeconds(), r.phase() + "_median_s", r.medianSeconds(), Double.NaN,
                        iterations));
            }
            String profile = a.get("profile", null);
            if (profile != null) {                        // one more forward, traced operator by operator
                ModelBenchmark.profileForward(m, batch, seqLen, Path.of(profile));
                System.out.println("profile=" + Path.of(profile).toAbsolutePath());
            }
            if (matmulSize > 0) {                          // after the model phases: its arrays stay out of their peaks
                System.out.println(ModelBenchmark.matmul(m.manager(), matmulSize, matmulIterations, turns).keyValues());
            }
            turns.await();                // a closing turn: no side exits while another still times
            turns.pass();
            System.out.println("peak_rss_mb=" + ModelBenchmark.peakRssMb());
        }
        return 0;
    }

    /** {@code --lockstep MINE,NEXT}: two FIFOs, this process's turn and the next one's ({@link Turns#ring}). */
    private static Turns lockstep(String spec) {
        if (spec == null) {
            return Turns.ALONE;
        }
        String[] fifos = spec.split(",");
        if (fifos.length != 2 || fifos[0].isBlank() || fifos[1].isBlank()) {
            throw new Args.UsageException("bench: --lockstep takes two FIFO paths, MINE,NEXT; got '" + spec + "'");
        }
        return Turns.ring(Path.of(fifos[0]), Path.of(fifos[1]));
    }

    /**
     * What a record says produced the model: a directory saved by {@code prune} carries its method and
     * settings in config.json (the merge log and calibration text left out); anything else is "dense".
     */
    private static ResultRecord.Run run(Args a, LlamaModel m) {
        Map<String, String> notes = HfSaver.provenance(Path.of(a.required("model")));
        if (!notes.containsKey("method")) return new ResultRecord.Run("dense", "", 0, m.device().toString());
        StringBuilder settings = new StringBuilder();
        notes.forEach((k, v) -> {
            if (Set.of("name", "method", "decisions", "calibration").contains(k)) return;
            if (settings.length() > 0) settings.append(';');
            settings.append(k).append('=').append(v.replace(';', ' '));
        });
        String method = notes.get("method");
        if (method.equals("slm") && notes.containsKey("merge_rule")) method = "slm-" + notes.get("merge_rule");
        return new ResultRecord.Run(method, settings.toString(), 0, m.device().toString());
    }

    private static void record(Args a, ResultRecord r) {
        if (a.has("record")) {
            Results.append(Results.file(a.required("record")), r);
        }
    }
}
