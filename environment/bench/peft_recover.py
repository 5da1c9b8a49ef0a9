"""The PyTorch + transformers + peft side of `environment/bench-vs-pytorch.sh --recover`, and its report.

  peft_recover.py run --model D [--batch 4] [--micro-batch 2] [--seqlen 256] [--rank 8] [--alpha 16]
                      [--lr 2e-4] [--warmup 5] [--iterations 10] [--attn A] [--threads T]
                      [--interop-threads T] [--lockstep MINE,NEXT] [--profile FILE]
      LoRA recovery steps with peft on a Hugging Face directory (as `bin/prunekit export` or `prune` writes
      it), the way prunekit.bench.RecoveryBenchmark times prunekit.recover.TrainingStep on the same
      directory: peft.LoraConfig(r, lora_alpha, lora_dropout=0, target_modules = the seven linear modules),
      base weights frozen by get_peft_model; per optimizer step `batch` windows of `seqlen` random tokens
      (java.util.Random(0).nextInt(V), row by row, as prunekit), `micro-batch` windows per forward/backward
      with labels = inputs (the mean next-token NLL as transformers computes it), each micro-batch's loss
      scaled by micro-batch / batch, clip_grad_norm_(1.0), torch.optim.AdamW(lr, betas (0.9, 0.999),
      eps 1e-8, weight decay 0.01) at a constant learning rate, zero_grad(set_to_none=True). W untimed steps,
      then the median of K timed ones, each step one turn of the lockstep ring (pytorch_bench.Turns). Prints
      the same key=value lines as the Java side; peak_rss_mb is VmHWM from /proc/self/status, as prunekit's.
      With --profile FILE: W untimed steps, then one step under torch.profiler, a Chrome trace in FILE
      (compare with RecoveryBenchmark --profile's through profile_summary.py).
  peft_recover.py report --dir D [--round k/R] [--csv FILE]
      D holds prunekit.out and peft-<attn>.out of one round: tokens/s per side, prunekit/peft, peak
      memory, and the first step's loss of each side (the same model on the same tokens: they agree);
      with --csv, result records (report.py's columns).
  peft_recover.py rounds --dir D
      D holds round-1/, round-2/, ...: median tokens/s per side, the ratio of the medians, its range per round.

The report needs only the standard library; `run` needs torch, transformers and peft.
"""
import argparse
import json
import os
import sys
import time

import report
from pytorch_bench import Turns, java_random_ints, load_model, median

MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="time peft LoRA training steps")
    r.add_argument("--model", required=True, help="Hugging Face directory (config.json, model.safetensors)")
    r.add_argument("--batch", type=int, default=4, help="windows per optimizer step")
    r.add_argument("--micro-batch", type=int, default=2, help="windows per forward/backward")
    r.add_argument("--seqlen", type=int, default=256, help="tokens per window")
    r.add_argument("--rank", type=int, default=8, help="LoRA rank r")
    r.add_argument("--alpha", type=float, default=16, help="LoRA alpha")
    r.add_argument("--lr", type=float, default=2e-4, help="constant learning rate")
    r.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    r.add_argument("--iterations", type=int, default=10, help="timed steps")
    r.add_argument("--attn", default="sdpa", help="transformers attn_implementation: eager or sdpa")
    r.add_argument("--threads", type=int, default=2, help="intra-op threads (torch.set_num_threads)")
    r.add_argument("--interop-threads", type=int, default=0, help="inter-op threads (0: torch's default)")
    r.add_argument("--lockstep", default=None, metavar="MINE,NEXT", help="take turns step by step (Turns)")
    r.add_argument("--profile", default=None, help="trace one step after the warm-up into this Chrome-trace file")
    for name in ("report", "rounds"):
        s = sub.add_parser(name)
        s.add_argument("--dir", required=True)
        if name == "report":
            s.add_argument("--round", default=None, help="k/R, written into the records' settings")
            s.add_argument("--csv", default=None, help="append result records to this file")
    a = p.parse_args()
    if a.command == "run":
        for name in ("batch", "micro_batch", "seqlen", "rank", "iterations", "threads"):
            if getattr(a, name) < 1:
                p.error(f"--{name.replace('_', '-')} must be >= 1, got {getattr(a, name)}")
        if a.batch % a.micro_batch:
            p.error(f"--micro-batch {a.micro_batch} must divide --batch {a.batch}")
        if a.warmup < 0 or a.interop_threads < 0:
            p.error(f"--warmup and --interop-threads must be >= 0, got {a.warmup}, {a.interop_threads}")
        if not (a.lr > 0 and a.alpha > 0):
            p.error(f"--lr and --alpha must be > 0, got {a.lr}, {a.alpha}")
    return a


def vm_hwm_mb():
    """Peak resident set size of this process (VmHWM of /proc/self/status), MiB; -1 without /proc."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return -1


def run(a):
    torch, transformers, model = load_model(a, "peft_recover")
    import peft

    with open(os.path.join(a.model, "config.json"), encoding="utf-8") as f:
        vocab = json.load(f)["vocab_size"]
    lora = peft.LoraConfig(r=a.rank, lora_alpha=a.alpha, lora_dropout=0.0, target_modules=MODULES, bias="none",
                           task_type="CAUSAL_LM")
    model = peft.get_peft_model(model, lora)
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=a.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    ids = torch.tensor(java_random_ints(0, vocab, a.batch * a.seqlen), dtype=torch.int64).reshape(a.batch, a.seqlen)
    micro = list(ids.split(a.micro_batch))

    print(f"model={a.model}")
    print(f"layers={model.config.num_hidden_layers}")
    print(f"torch={torch.__version__}")
    print(f"transformers={transformers.__version__}")
    print(f"peft={peft.__version__}")
    print(f"attn={model.config._attn_implementation}")
    print(f"threads={torch.get_num_threads()}")
    print(f"interop_threads={torch.get_num_interop_threads()}")
    print(f"batch={a.batch}")
    print(f"micro_batch={a.micro_batch}")
    print(f"seqlen={a.seqlen}")
    print(f"rank={a.rank}")
    print(f"alpha={a.alpha}")
    print(f"modules={','.join(MODULES)}")
    print(f"trainable_parameters={sum(p.numel() for p in trainable)}")
    print(f"lr={a.lr}")
    print(f"warmup={a.warmup}")
    print(f"iterations={a.iterations}")
    print(f"lockstep={'true' if a.lockstep else 'false'}")
    print(f"load_peak_rss_mb={vm_hwm_mb()}")

    def step():
        total = 0.0
        for mb in micro:
            loss = model(input_ids=mb, labels=mb, use_cache=False).loss * (a.micro_batch / a.batch)
            loss.backward()
            total += loss.item()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return total

    if a.profile:
        from torch.profiler import ProfilerActivity, profile
        for _ in range(a.warmup):
            step()
        with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
            step()
        prof.export_chrome_trace(a.profile)
        print(f"profile={os.path.abspath(a.profile)}")
        return

    turns = Turns(a.lockstep)
    seconds, losses, total = [], [], 0.0
    for i in range(a.warmup + a.iterations):
        turns.wait()
        t0 = time.perf_counter()
        loss = step()
        s = time.perf_counter() - t0
        turns.done()
        if not torch.isfinite(torch.tensor(loss)):
            sys.exit(f"peft_recover: step {i + 1}: loss {loss}")
        losses.append(loss)
        total += s
        if i >= a.warmup:
            seconds.append(s)
    turns.wait()                                         # a closing turn: no side exits while another still times
    turns.done()
    m = median(sorted(seconds))
    print(f"recover_tok_s={a.batch * a.seqlen / m:.2f}")
    print(f"recover_median_s={m:.4f}")
    print(f"recover_best_s={min(seconds):.4f}")
    print(f"recover_total_s={total:.3f}")
    print(f"recover_runs_s={','.join(f'{s:.4f}' for s in seconds)}")
    print(f"first_loss={losses[0]:.6f}")
    print(f"last_loss={losses[-1]:.6f}")
    print(f"peak_rss_mb={vm_hwm_mb()}")


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------

SAME = ("layers", "batch", "micro_batch", "seqlen", "rank", "alpha", "modules", "trainable_parameters", "lr",
        "threads", "interop_threads", "warmup", "iterations")


def collect(directory):
    return report.collect_sides(directory, "peft-", "peft_recover")


def same(x, y):
    """Two printed settings equal, numbers compared as numbers (16 and 16.0)."""
    try:
        return float(x) == float(y)
    except (TypeError, ValueError):
        return x == y


def round_report(a):
    runs = collect(a.dir)
    sides = ["prunekit"] + sorted(s for s in runs if s != "prunekit")
    p_path, p = runs["prunekit"]
    model = model_name(runs)
    problems = []
    for side in sides[1:]:
        q_path, q = runs[side]
        for key in SAME:
            if not same(p.get(key), q.get(key)):
                problems.append(f"{key}: {p.get(key)} ({p_path}) vs {q.get(key)} ({q_path})")
    print(f"model: {model}, {p.get('layers')} layers, float32: both sides load the same files")
    print(f"  LoRA r {p.get('rank')}, alpha {p.get('alpha')}, on {p.get('modules')} ({p.get('trainable_parameters')} "
          f"trainable values); AdamW, clip 1.0, lr {p.get('lr')}; a step = {p.get('batch')} x {p.get('seqlen')} tokens in "
          f"micro-batches of {p.get('micro_batch')}; {p.get('threads')} intra-op / {p.get('interop_threads')} inter-op "
          f"threads; median of {p.get('iterations')} steps after {p.get('warmup')} untimed"
          + ("; lockstep (the sides took turns step by step)" if p.get("lockstep") == "true" else ""))
    print(f"  pk: DJL {p.get('djl')} + {p.get('engine')}, prunekit.recover.TrainingStep")
    for side in sides[1:]:
        kv = runs[side][1]
        print(f"  {label(side)}: PyTorch {kv.get('torch')} + transformers {kv.get('transformers')} + peft {kv.get('peft')}, "
              f"attn={kv.get('attn')}")
    head = ["side", "tok/s", "median s", "best s", "pk/side", "peak MiB", "first loss"]
    rows, records = [], []
    pk_tok = report.number(p, "recover_tok_s", p_path)
    for side in sides:
        path, kv = runs[side]
        tok = report.number(kv, "recover_tok_s", path)
        rows.append([label(side), f"{tok:.1f}", kv["recover_median_s"], kv["recover_best_s"],
                     "-" if side == "prunekit" else f"{pk_tok / tok:.2f}", kv.get("peak_rss_mb"), kv.get("first_loss")])
        wall = report.number(kv, "recover_total_s", path)
        n = int(kv["iterations"])
        records.append(record(side, kv, a.round, model, "recover_tok_s", tok, wall, n))
        records.append(record(side, kv, a.round, model, "peak_rss_mb", report.number(kv, "peak_rss_mb", path), wall, 1))
        records.append(record(side, kv, a.round, model, "first_step_loss", report.number(kv, "first_loss", path), wall, 1))
        if side != "prunekit":
            records.append(record(side, kv, a.round, model, "prunekit_over_peft", pk_tok / tok, wall, n))
    report.print_table(head, rows)
    for side in sides[1:]:
        d = abs(report.number(runs[side][1], "first_loss", runs[side][0]) - report.number(p, "first_loss", p_path))
        if d > 1e-3:
            problems.append(f"the first step's loss differs by {d:.2e} between pk and {label(side)}: not the same model or tokens")
    report.append_unless(problems, "peft_recover", a.csv, records)


def rounds(a):
    report.print_rounds(a.dir, collect, "recover_tok_s", label, "peft", 1)


def model_name(runs):
    """The name prunekit wrote into config.json, else what prunekit printed."""
    for side, (_, kv) in runs.items():
        cfg = os.path.join(kv.get("model", ""), "config.json")
        if side != "prunekit" and os.path.isfile(cfg):
            with open(cfg, encoding="utf-8") as f:
                info = json.load(f).get("prunekit", {})
            if info.get("name"):
                removed = info.get("removed_layers")
                return info["name"] + (f", {info.get('method')} removed {removed}" if removed else "")
    return runs["prunekit"][1].get("model", "?")


def label(side):
    return "pk" if side == "prunekit" else side


def record(side, kv, round_, model, metric, value, wall, n):
    common = (f"threads={kv.get('threads')};interop_threads={kv.get('interop_threads')};batch={kv.get('batch')};"
              f"micro_batch={kv.get('micro_batch')};rank={kv.get('rank')};alpha={kv.get('alpha')};lr={kv.get('lr')};"
              f"adamw;clip=1.0;modules=all7;iterations={kv.get('iterations')};warmup={kv.get('warmup')}"
              + (";lockstep=true" if kv.get("lockstep") == "true" else "") + (f";round={round_}" if round_ else ""))
    if side == "prunekit":
        settings = f"djl={kv.get('djl')};engine={kv.get('engine')};weights=float32;TrainingStep;{common}"
    else:
        settings = (f"torch={kv.get('torch')};transformers={kv.get('transformers')};peft={kv.get('peft')};"
                    f"attn={kv.get('attn')};weights=float32;get_peft_model;{common}")
    return {"timestamp": report.now(), "model": model, "method": "prunekit" if side == "prunekit" else "peft",
            "settings": settings, "data": f"random tokens (java.util.Random(0)), {kv.get('batch')} x {kv.get('seqlen')} a step",
            "seqlen": int(kv.get("seqlen", 0)), "seed": 0, "device": "cpu()", "wall_s": wall, "metric": metric,
            "value": value, "stderr": float("nan"), "n": n}


if __name__ == "__main__":
    args = parse_args()
    {"run": run, "report": round_report, "rounds": rounds}[args.command](args)
