"""The PyTorch + Hugging Face transformers side of environment/bench-vs-pytorch.sh.

Measures, on a Hugging Face directory (as written by `bin/prunekit export`), what
`bin/prunekit bench` measures on the same directory, the same way:

- the same random tokens: B rows of T ids from java.util.Random(0).nextInt(V), drawn here by a
  copy of Java's generator, so that the loss of both sides can be compared;
- forward: one pass under torch.no_grad(), all logits computed and summed (prunekit sums the
  logits too);
- fwdbwd: forward, the mean next-token negative log-likelihood (labels = inputs, position t
  predicts token t+1) as transformers computes it when given labels (what a user writes; 3-4 %
  faster here than slicing the logits by hand, which copies them), backward, gradients cleared;
  as in prunekit only the decoder layers' weights require gradients, the embedding, the tied
  head and the final norm are frozen;
- each phase: one warm-up run, then the median (and the best) of N timed runs;
- peak resident memory of this process (getrusage ru_maxrss) after each phase, MiB;
- the matmul ceiling: an n x n float32 product, 2 n^3 FLOPs, median of N after a warm-up.

Model FLOPs per token use prunekit's count (ModelBenchmark.forwardFlopsPerToken), here from the
Hugging Face config; the report checks that both sides agree.

--impl plain runs environment/bench/torch_llama.py instead of transformers (the same computations, op
for op, without transformers' Python; where transformers is not installed, e.g. the lent GPU machine),
--device cuda on the GPU (each timed pass ends by reading a number back, which waits for the GPU).
--batch and --seqlen take lists: every (batch, seqlen) cell in turn, seqlen by seqlen, each cell's lines
after a `cell=b<B>_t<T>` line, as `prunekit bench` does. Besides the tokens/s, each phase reports
<phase>_host_s, the median time until the pass's last operation was issued (on a GPU, when the host is
done and only the device may still work; on the CPU the same as the pass), and the run reports
dispatch_us, the host's time per operation: a chain of 2,000 adds of two 1 x 4 tensors, 5 untimed chains and the
median of 5, measured after the cells.

Prints key=value lines with the same keys as `prunekit bench`. Exits 3 when the requested
attention implementation is not available in this transformers version, 2 on bad arguments,
1 on a bad model directory.
"""
import argparse
import json
import os
import resource
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, help="Hugging Face directory (config.json, model.safetensors)")
    p.add_argument("--seqlen", type=int_list, default=[256], help="one or more, comma-separated")
    p.add_argument("--batch", type=int_list, default=[1], help="one or more, comma-separated")
    p.add_argument("--impl", default="transformers", choices=("transformers", "plain"),
                   help="the model: transformers' AutoModelForCausalLM, or torch_llama.py (no transformers needed)")
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    p.add_argument("--iterations", type=int, default=5, help="timed runs per phase, after the warm-up")
    p.add_argument("--warmup", type=int, default=5, help="untimed runs per phase first (prunekit bench's --warmup)")
    p.add_argument("--attn", default="eager", help="transformers attn_implementation: eager or sdpa")
    p.add_argument("--threads", type=int, default=2, help="intra-op threads (torch.set_num_threads)")
    p.add_argument("--interop-threads", type=int, default=0, help="inter-op threads (0: torch's default)")
    p.add_argument("--matmul-size", type=int, default=2048, help="0 skips the matmul ceiling")
    p.add_argument("--lockstep", default=None, metavar="MINE,NEXT",
                   help="take turns pass by pass with other benchmark processes over two FIFOs (see Turns)")
    p.add_argument("--matmul-iterations", type=int, default=10)
    p.add_argument("--profile", default=None, help="write one more forward pass, traced by torch.profiler, "
                   "to this Chrome-trace JSON file (compare with `prunekit bench --profile`)")
    a = p.parse_args()
    for name in ("seqlen", "batch", "iterations", "threads", "matmul_iterations"):
        values = getattr(a, name) if isinstance(getattr(a, name), list) else [getattr(a, name)]
        if min(values) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1, got {getattr(a, name)}")
    if a.matmul_size < 0 or a.interop_threads < 0 or a.warmup < 0:
        p.error(f"--matmul-size, --interop-threads and --warmup must be >= 0, got {a.matmul_size}, "
                f"{a.interop_threads}, {a.warmup}")
    if a.lockstep and a.profile:
        p.error("--profile traces a pass outside the turns; run it without --lockstep")
    return a


def int_list(text):
    """'1,8' -> [1, 8]"""
    try:
        return [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole numbers separated by commas, got '{text}'")


def peak_rss_mb():
    """Peak resident set size of this process so far, MiB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def flops_per_token(cfg, seqlen):
    """prunekit's model FLOP count, matrix products only (2 FLOPs per multiply-add).

    forward  F(T)  = 2 L P_layer + 2 V C + 4 L T H D
    fwd+bwd  Fb(T) = 3 (2 L P_layer + 4 L T H D) + 2 (2 V C)     (embedding and head frozen)
    P_layer = C H D (q) + 2 C K D (k, v) + H D C (o) + 3 C I (gate, up, down)
    """
    layers, c, inter = cfg["num_hidden_layers"], cfg["hidden_size"], cfg["intermediate_size"]
    heads = cfg["num_attention_heads"]
    kv_heads = cfg.get("num_key_value_heads", heads)
    head_dim = cfg.get("head_dim") or c // heads
    p_layer = 2 * c * heads * head_dim + 2 * c * kv_heads * head_dim + 3 * c * inter
    head = 2 * cfg["vocab_size"] * c
    attention = 4 * layers * seqlen * heads * head_dim
    return 2 * layers * p_layer + head + attention, 3 * (2 * layers * p_layer + attention) + 2 * head


def java_random_ints(seed, bound, count):
    """`count` draws of java.util.Random(seed).nextInt(bound): its 48-bit linear congruential
    generator, next(31), and nextInt's rejection of the last partial block of values."""
    mask = (1 << 48) - 1
    state = (seed ^ 0x5DEECE66D) & mask
    out = []
    while len(out) < count:
        state = (state * 0x5DEECE66D + 0xB) & mask
        bits = state >> 17                                       # next(31)
        if bound & (bound - 1) == 0:                             # a power of two: the high bits
            out.append((bound * bits) >> 31)
            continue
        value = bits % bound
        if bits - value + (bound - 1) < (1 << 31):               # Java's int overflow test
            out.append(value)
    return out


class Turns:
    """prunekit's prunekit.bench.Turns: with --lockstep MINE,NEXT the benchmark processes take turns
    pass by pass over a ring of FIFOs (wait for a byte on MINE, run, write one to NEXT), so only
    one computes at a time and all see the same drift of the machine's speed."""

    def __init__(self, spec):
        self.fds = None
        if spec:
            fifos = spec.split(",")
            if len(fifos) != 2 or not all(fifos):
                sys.exit(f"pytorch_bench: --lockstep takes two FIFO paths, MINE,NEXT; got '{spec}'")
            for f in fifos:
                if not os.path.exists(f):
                    sys.exit(f"pytorch_bench: --lockstep: {f} does not exist (expected a FIFO made with mkfifo)")
            self.fds = [os.open(f, os.O_RDWR) for f in fifos]     # read-write opens of a FIFO do not block

    def wait(self):
        if self.fds and not os.read(self.fds[0], 1):
            sys.exit("pytorch_bench: --lockstep: the FIFO was closed")

    def done(self):
        if self.fds:
            os.write(self.fds[1], b"x")


ALONE = Turns(None)


def timed(fn, iterations, warmup=1, turns=ALONE):
    """Runs fn `warmup` times untimed, then `iterations` times, each run in its turn; (sorted timed
    seconds, total seconds, sorted host seconds). fn may return the perf_counter() at which it issued its
    last operation (its host time is then that minus the start); otherwise no host seconds."""
    times, host = [], []
    for _ in range(warmup + iterations):
        turns.wait()
        t0 = time.perf_counter()
        issued = fn()
        times.append(time.perf_counter() - t0)
        if issued is not None:
            host.append(issued - t0)
        turns.done()
    return sorted(times[warmup:]), sum(times), sorted(host[warmup:])


def median(times):
    """The middle of the sorted timed runs, the upper one of two: prunekit's timed[n / 2]."""
    return times[len(times) // 2]


def print_phase(phase, times, total, batch, seqlen, flops, host=()):
    median_s = median(times)
    tok_s = batch * seqlen / median_s
    print(f"{phase}_tok_s={tok_s:.1f}")
    print(f"{phase}_median_s={median_s:.4f}")
    if host:
        print(f"{phase}_host_s={median(host):.4f}")
    print(f"{phase}_best_s={times[0]:.4f}")
    print(f"{phase}_total_s={total:.3f}")
    print(f"{phase}_gflops={flops * tok_s / 1e9:.2f}")
    print(f"{phase}_flops_per_token={flops:.0f}")
    print(f"{phase}_peak_rss_mb={peak_rss_mb()}")


def load_model(a, who):
    """torch, the transformers version (or "none") and the model of a.model in float32 with a.attn attention
    on a.device (default cpu), a.threads (and a.interop_threads) threads, in eval mode; a.impl "plain":
    torch_llama.py instead of transformers. Exits 3 when that attention implementation is missing."""
    import torch                                     # after the argument checks: importing takes seconds

    torch.set_num_threads(a.threads)
    if a.interop_threads:
        torch.set_num_interop_threads(a.interop_threads)
    device = getattr(a, "device", "cpu")
    if getattr(a, "impl", "transformers") == "plain":
        import torch_llama
        return torch, "none", torch_llama.load(a.model, a.attn, device)
    import transformers
    try:
        model = transformers.AutoModelForCausalLM.from_pretrained(
            a.model, dtype=torch.float32, attn_implementation=a.attn)
    except (ValueError, ImportError) as e:
        if a.attn in str(e):
            print(f"{who}: attn_implementation={a.attn} is not available: {e}", file=sys.stderr)
            sys.exit(3)
        raise
    model.eval()
    return torch, transformers.__version__, model.to(device)


def run_pass(model, ids, labels=None):
    """(logits, loss) of either implementation: torch_llama's forward returns them, transformers' an output."""
    if hasattr(model, "attn"):
        return model(ids, labels)
    out = model(input_ids=ids, labels=labels, use_cache=False)
    return out.logits, out.loss


def dispatch_us(torch, device, turns):
    """The host's time per operation, microseconds: a chain of 2,000 adds of 1 x 4 tensors (each result the
    next operand), one number read back at the end; 5 untimed chains, then the median of 5, all in one turn
    (prunekit.bench.DispatchOverhead)."""
    x = torch.ones(1, 4, device=device)
    y = torch.full((1, 4), 1e-6, device=device)
    n, untimed, runs = 2000, 5, []
    turns.wait()
    for _ in range(untimed + 5):
        t0 = time.perf_counter()
        z = x
        for _ in range(n):
            z = z + y
        z[0, 0].item()
        runs.append((time.perf_counter() - t0) / n * 1e6)
    turns.done()
    return median(sorted(runs[untimed:]))


def bench_cell(torch, model, cfg, a, batch, seqlen, turns):
    """Forward, then forward + backward, of one (batch, seqlen) cell: their key=value lines."""
    print(f"cell=b{batch}_t{seqlen}")
    print(f"batch={batch}")
    print(f"seqlen={seqlen}")
    ids = torch.tensor(java_random_ints(0, cfg["vocab_size"], batch * seqlen), dtype=torch.int64)
    ids = ids.reshape(batch, seqlen).to(a.device)
    fwd_flops, fwdbwd_flops = flops_per_token(cfg, seqlen)

    def forward():
        with torch.no_grad():
            total = run_pass(model, ids)[0].sum()
            issued = time.perf_counter()
            total.item()
        return issued

    for p in model.parameters():
        p.requires_grad_(False)
    times, total, host = timed(forward, a.iterations, a.warmup, turns)
    print_phase("forward", times, total, batch, seqlen, fwd_flops, host)
    if a.profile:                      # one more forward, operator by operator
        profile_pass(torch, forward, a.profile, a.device)

    # as prunekit's setTrainable: only the decoder layers' tensors take gradients
    for p in model.model.layers.parameters():
        p.requires_grad_(True)
    last_loss = []

    def forward_backward():
        loss = run_pass(model, ids, ids)[1]            # shifts the labels itself
        loss.backward()
        issued = time.perf_counter()
        model.zero_grad(set_to_none=True)
        last_loss[:] = [loss.item()]
        return issued

    times, total, host = timed(forward_backward, a.iterations, a.warmup, turns)
    print(f"fwdbwd_loss={last_loss[0]:.6f}")
    print_phase("fwdbwd", times, total, batch, seqlen, fwdbwd_flops, host)
    if a.profile:
        profile_pass(torch, forward_backward, a.profile.replace(".json", "-fwdbwd.json"), a.device)
    del ids
    if a.device == "cuda":             # outside the timed passes: the next cell (or process) gets the memory back
        torch.cuda.empty_cache()


def profile_pass(torch, fn, path, device):
    """One more run of fn under torch.profiler: a Chrome trace at path and, on a GPU, a table of operators
    (host and device time) at path + .txt."""
    from torch.profiler import ProfilerActivity, profile
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device == "cuda" else [])
    with profile(activities=activities, record_shapes=True) as prof:
        fn()
    prof.export_chrome_trace(path)
    if device == "cuda":
        with open(path + ".txt", "w") as f:
            f.write(prof.key_averages().table(sort_by="self_cuda_time_total", row_limit=40))
    print(f"profile={os.path.abspath(path)}")


def main():
    a = parse_args()
    config_file = os.path.join(a.model, "config.json")
    if not os.path.isfile(config_file):
        sys.exit(f"pytorch_bench: {config_file} not found: give a directory written by `bin/prunekit export`")
    with open(config_file) as f:
        cfg = json.load(f)
    if max(a.seqlen) > cfg.get("max_position_embeddings", max(a.seqlen)):
        sys.exit(f"pytorch_bench: --seqlen {max(a.seqlen)} exceeds max_position_embeddings "
                 f"{cfg['max_position_embeddings']} in {config_file}")

    torch, transformers_version, model = load_model(a, "pytorch_bench")
    dtypes = {p.dtype for p in model.parameters()}
    if dtypes != {torch.float32}:
        sys.exit(f"pytorch_bench: {a.model} loaded with dtypes {dtypes}, expected float32 only")
    if a.device == "cuda" and not torch.cuda.is_available():
        sys.exit("pytorch_bench: --device cuda, but torch finds no GPU")

    print(f"model={a.model}")
    print(f"torch={torch.__version__}")
    print(f"transformers={transformers_version}")
    print(f"impl={a.impl}")
    print(f"attn={a.attn if a.impl == 'plain' else model.config._attn_implementation}")
    print(f"device={a.device}")
    if a.device == "cuda":
        print(f"gpu={torch.cuda.get_device_name(0)}")
    print(f"threads={torch.get_num_threads()}")
    print(f"interop_threads={torch.get_num_interop_threads()}")
    print(f"iterations={a.iterations}")
    print(f"warmup={a.warmup}")
    print(f"load_peak_rss_mb={peak_rss_mb()}")
    turns = Turns(a.lockstep)
    print(f"lockstep={'true' if a.lockstep else 'false'}")
    for seqlen in a.seqlen:
        for batch in a.batch:
            bench_cell(torch, model, cfg, a, batch, seqlen, turns)
    print(f"dispatch_us={dispatch_us(torch, a.device, turns):.2f}")   # after the cells, as prunekit's

    if a.matmul_size:                  # after the model phases: its arrays stay out of their peaks
        n = a.matmul_size
        x = torch.randn(n, n, dtype=torch.float32, device=a.device)
        y = torch.randn(n, n, dtype=torch.float32, device=a.device)
        turns.wait()                   # all the products in one turn, as prunekit
        times, total, _ = timed(lambda: torch.matmul(x, y)[0, 0].item(), a.matmul_iterations)
        turns.done()
        median_s = median(times)
        print(f"matmul_n={n}")
        print(f"matmul_median_s={median_s:.5f}")
        print(f"matmul_best_s={times[0]:.5f}")
        print(f"matmul_total_s={total:.3f}")
        print(f"matmul_gflops={2 * n ** 3 / median_s / 1e9:.2f}")
    turns.wait()                       # a closing turn: no side exits while another still times
    turns.done()
    print(f"peak_rss_mb={peak_rss_mb()}")


if __name__ == "__main__":
    main()
