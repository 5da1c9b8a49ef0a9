package prunekit.cli;

import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import prunekit.bench.DispatchOverhead;
import prunekit.bench.ModelBenchmark;
import prunekit.bench.Turns;
import prunekit.eval.ResultRecord;
import prunekit.model.LlamaModel;

/** {@code prunekit bench}: forward and forward+backward throughput, peak memory, this machine's matmul ceiling. */
@Command(name = "bench", description = {
    "Forward and forward+backward tokens/s, model GFLOP/s and peak memory; then the GFLOP/s of an N x N float32"
            + " matMul, this machine's ceiling."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--seqlen", paramLabel = "T", split = ",",
            description = "tokens per sequence; several (comma-separated): each (batch, seqlen) cell in turn, seqlen by seqlen")
    List<Integer> seqLens = List.of(256);

    @Option(names = "--batch", paramLabel = "B", split = ",", description = "sequences per pass; several: as --seqlen")
    List<Integer> batches = List.of(1);

    @Option(names = "--warmup", paramLabel = "N",
            description = "untimed passes first: the JIT compiles the forward path (steady after ~50 here)")
    int warmup = 5;

    @Option(names = "--iterations", paramLabel = "N", description = "timed passes (the median is reported)")
    int iterations = 5;

    @Option(names = "--matmul-size", paramLabel = "N", description = "the matMul's size; 0 skips it")
    int matmulSize = 2048;

    @Option(names = "--matmul-iterations", paramLabel = "N", description = "timed matMuls")
    int matmulIterations = 10;

    @Mixin
    RecordOption record;

    @Option(names = "--profile", paramLabel = "TRACE.json",
            description = "trace one more forward pass operator by operator into this file")
    Path profile;

    @Option(names = "--lockstep", paramLabel = "MINE,NEXT", split = ",", hideParamSyntax = true,
            description = "take turns pass by pass with other benchmark processes over two FIFOs"
                    + " (see environment/bench-vs-pytorch.sh)")
    List<Path> lockstep;

    @Override
    public Integer call() {
        if (warmup < 0) {
            throw new ParameterException(spec.commandLine(), "--warmup must be >= 0, got " + warmup);
        }
        if (Collections.min(seqLens) < 1 || Collections.min(batches) < 1 || iterations < 1 || matmulSize < 0
                || matmulIterations < 1) {
            throw new ParameterException(spec.commandLine(), "--seqlen, --batch, --iterations and --matmul-iterations"
                    + " must be >= 1 and --matmul-size >= 0, got seqlen=" + seqLens + " batch=" + batches + " iterations="
                    + iterations + " matmul-size=" + matmulSize + " matmul-iterations=" + matmulIterations);
        }
        Turns turns = turns();
        if (turns != Turns.ALONE && profile != null) {
            throw new ParameterException(spec.commandLine(),
                    "--profile traces a pass outside the turns; run it without --lockstep");
        }
        try (LlamaModel m = model.load()) {
            int longest = Collections.max(seqLens);
            if (longest > m.config().maxSequenceLength()) {
                throw new ParameterException(spec.commandLine(), "--seqlen " + longest + " exceeds " + m.config().name()
                        + "'s maximum sequence length " + m.config().maxSequenceLength());
            }
            System.out.println("model=" + m.config().name());
            System.out.println("device=" + m.device());
            System.out.println("djl=" + Engine.getDjlVersion());
            System.out.println("engine=" + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
            System.out.println("threads=" + ModelBenchmark.intraOpThreads());          // PyTorch intra-op threads
            System.out.println("interop_threads=" + ModelBenchmark.interOpThreads());
            System.out.println("iterations=" + iterations);
            System.out.println("warmup=" + warmup);
            System.out.println("lockstep=" + (turns != Turns.ALONE));
            ResultRecord.Run run = model.run(m);
            for (int seqLen : seqLens) {
                for (int batch : batches) {
                    cell(m, run, batch, seqLen, turns);
                }
            }
            // after the cells: every side has loaded (the first turn, given as soon as this side had, overlapped the
            // others' loading) and this JVM has compiled the path
            System.out.println(String.format(Locale.ROOT, "dispatch_us=%.2f", DispatchOverhead.microseconds(m.manager(), turns)));
            if (matmulSize > 0) {                          // after the model phases: its arrays stay out of their peaks
                System.out.println(ModelBenchmark.matmul(m.manager(), matmulSize, matmulIterations, turns).keyValues());
            }
            turns.await();                // a closing turn: no side exits while another still times
            turns.pass();
            System.out.println("peak_rss_mb=" + ModelBenchmark.peakRssMb());
        }
        return 0;
    }

    /** Forward, then forward + backward, of one (batch, seqlen) cell: key=value lines after {@code cell=b<B>_t<T>}, records. */
    private void cell(LlamaModel m, ResultRecord.Run run, int batch, int seqLen, Turns turns) {
        System.out.println("cell=b" + batch + "_t" + seqLen);
        System.out.println("batch=" + batch);
        System.out.println("seqlen=" + seqLen);
        ModelBenchmark.Result fwd = ModelBenchmark.forward(m, batch, seqLen, warmup, iterations, turns);
        System.out.println(fwd.keyValues());
        ModelBenchmark.Result fwdBwd = ModelBenchmark.forwardBackward(m, batch, seqLen, warmup, iterations, turns);
        System.out.println(fwdBwd.keyValues());
        for (ModelBenchmark.Result r : List.of(fwd, fwdBwd)) {         // tokens/s and seconds per pass
            String data = "random-tokens:batch=" + batch;
            record.append(new ResultRecord(Instant.now(), m.config().name(), run.method(), run.settings(), data,
                    seqLen, -1, run.device(), r.medianSeconds(), r.phase() + "_tok_s", r.tokensPerSecond(),
                    Double.NaN, iterations));
            record.append(new ResultRecord(Instant.now(), m.config().name(), run.method(), run.settings(), data,
                    seqLen, -1, run.device(), r.medianSeconds(), r.phase() + "_median_s", r.medianSeconds(),
                    Double.NaN, iterations));
        }
        if (profile != null) {                        // one more forward, traced operator by operator
            ModelBenchmark.profileForward(m, batch, seqLen, profile);
            System.out.println("profile=" + profile.toAbsolutePath());
        }
    }

    /** {@code --lockstep MINE,NEXT}: two FIFOs, this process's turn and the next one's ({@link Turns#ring}). */
    private Turns turns() {
        if (lockstep == null) {
            return Turns.ALONE;
        }
        if (lockstep.size() != 2 || lockstep.stream().anyMatch(p -> p.toString().isBlank())) {
            throw new ParameterException(spec.commandLine(), "--lockstep takes two FIFO paths, MINE,NEXT; got '"
                    + lockstep.stream().map(Path::toString).collect(Collectors.joining(",")) + "'");
        }
        return Turns.ring(lockstep.get(0), lockstep.get(1));
    }
}
