"""The PyTorch + transformers side of `environment/bench-vs-pytorch.sh --generate`, and its report.

  pytorch_generate.py run --model D --prompt-file F --new-tokens N [--warmup W] [--iterations K]
                          [--attn A] [--threads T] [--interop-threads T] [--lockstep MINE,NEXT]
      transformers' `generate` on a Hugging Face directory (as `bin/prunekit export` writes it), the way
      prunekit.bench.GenerationBenchmark times Generator.generate on the same directory: the prompt ids
      and end-of-sequence id from F (GenerationBenchmark --write-prompt), batch 1, greedy
      (do_sample=False, num_beams=1), min_new_tokens = max_new_tokens = N, the key/value cache on
      (transformers' DynamicCache); W untimed generations, then the median of K timed ones, each one
      turn of the lockstep ring (pytorch_bench.Turns). Prints the same key=value lines as the Java side.
  pytorch_generate.py report --dir D [--round k/R] [--csv FILE]
      D holds prunekit.out and pytorch-<attn>.out of one round: tokens/s per side, prunekit/PyTorch,
      whether both generated the same ids; with --csv, result records (report.py's columns).
  pytorch_generate.py rounds --dir D
      D holds round-1/, round-2/, ...: median tokens/s per side, the ratio of the medians, its range per round.

The report needs only the standard library; `run` needs torch and transformers.
"""
import argparse
import json
import os
import sys
import time

import report
from pytorch_bench import Turns, load_model, median, peak_rss_mb


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="time transformers' generate")
    r.add_argument("--model", required=True, help="Hugging Face directory (config.json, model.safetensors)")
    r.add_argument("--prompt-file", required=True, help="prompt_ids= and eos_id= lines (GenerationBenchmark --write-prompt)")
    r.add_argument("--new-tokens", type=int, default=100, help="exactly this many new tokens (min = max new tokens)")
    r.add_argument("--warmup", type=int, default=3, help="untimed generations first")
    r.add_argument("--iterations", type=int, default=5, help="timed generations")
    r.add_argument("--attn", default="sdpa", help="transformers attn_implementation: eager or sdpa")
    r.add_argument("--threads", type=int, default=2, help="intra-op threads (torch.set_num_threads)")
    r.add_argument("--interop-threads", type=int, default=0, help="inter-op threads (0: torch's default)")
    r.add_argument("--lockstep", default=None, metavar="MINE,NEXT", help="take turns generation by generation (Turns)")
    for name in ("report", "rounds"):
        s = sub.add_parser(name)
        s.add_argument("--dir", required=True)
        if name == "report":
            s.add_argument("--round", default=None, help="k/R, written into the records' settings")
            s.add_argument("--csv", default=None, help="append result records to this file")
    a = p.parse_args()
    if a.command == "run":
        for name in ("new_tokens", "iterations", "threads"):
            if getattr(a, name) < 1:
                p.error(f"--{name.replace('_', '-')} must be >= 1, got {getattr(a, name)}")
        if a.warmup < 0 or a.interop_threads < 0:
            p.error(f"--warmup and --interop-threads must be >= 0, got {a.warmup}, {a.interop_threads}")
    return a


def run(a):
    prompt = report.read_key_values(a.prompt_file)
    if "prompt_ids" not in prompt or "eos_id" not in prompt:
        sys.exit(f"pytorch_generate: {a.prompt_file}: no prompt_ids= or eos_id= line (write it with GenerationBenchmark --write-prompt)")
    prompt_ids = [int(x) for x in prompt["prompt_ids"].split(",")]
    eos = int(prompt["eos_id"])

    torch, _, model = load_model(a, "pytorch_generate")
    import transformers
    # every setting explicit: nothing from a generation_config.json, no sampling, no repetition penalty
    config = transformers.GenerationConfig(max_new_tokens=a.new_tokens, min_new_tokens=a.new_tokens, do_sample=False,
                                           num_beams=1, use_cache=True, eos_token_id=eos, pad_token_id=eos)
    ids = torch.tensor([prompt_ids], dtype=torch.int64)
    mask = torch.ones_like(ids)

    print(f"model={a.model}")
    print(f"torch={torch.__version__}")
    print(f"transformers={transformers.__version__}")
    print(f"attn={model.config._attn_implementation}")
    print(f"threads={torch.get_num_threads()}")
    print(f"interop_threads={torch.get_num_interop_threads()}")
    print(f"prompt_tokens={len(prompt_ids)}")
    print(f"new_tokens={a.new_tokens}")
    print(f"warmup={a.warmup}")
    print(f"iterations={a.iterations}")
    print(f"lockstep={'true' if a.lockstep else 'false'}")

    turns = Turns(a.lockstep)
    seconds, generated, total = [], None, 0.0
    for i in range(a.warmup + a.iterations):
        turns.wait()
        t0 = time.perf_counter()
        out = model.generate(input_ids=ids, attention_mask=mask, generation_config=config)
        s = time.perf_counter() - t0
        turns.done()
        total += s
        mine = out[0, len(prompt_ids):].tolist()
        if generated is not None and mine != generated:
            sys.exit(f"pytorch_generate: greedy generation {i + 1} differs from the one before it")
        generated = mine
        if i >= a.warmup:
            seconds.append(s)
    turns.wait()                                         # a closing turn: no side exits while another still times
    turns.done()
    if len(generated) != a.new_tokens:
        sys.exit(f"pytorch_generate: {len(generated)} tokens generated, {a.new_tokens} asked for")
    m = median(sorted(seconds))
    print(f"generate_tok_s={a.new_tokens / m:.2f}")
    print(f"generate_median_s={m:.4f}")
    print(f"generate_best_s={min(seconds):.4f}")
    print(f"generate_total_s={total:.3f}")
    print(f"generate_runs_s={','.join(f'{s:.4f}' for s in seconds)}")
    print(f"generated_ids={','.join(map(str, generated))}")
    print(f"peak_rss_mb={peak_rss_mb()}")


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------

def collect(directory):
    return report.collect_sides(directory, "pytorch-", "pytorch_generate")


def same_prefix(a, b):
    """How many leading ids two generations share."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def round_report(a):
    runs = collect(a.dir)
    sides = ["prunekit"] + sorted(s for s in runs if s != "prunekit")
    p_path, p = runs["prunekit"]
    model = model_name(runs)
    problems = []
    for side in sides[1:]:
        q_path, q = runs[side]
        for key in ("prompt_tokens", "new_tokens", "threads", "interop_threads", "iterations", "warmup"):
            if p.get(key) != q.get(key):
                problems.append(f"{key}: {p.get(key)} ({p_path}) vs {q.get(key)} ({q_path})")
    pk_ids = p["generated_ids"].split(",")
    print(f"model: {model}, float32, exported once: both sides load the same weights")
    print(f"  {p.get('prompt_tokens')} prompt tokens, {p.get('new_tokens')} new tokens (greedy, min = max), batch 1, "
          f"{p.get('threads')} intra-op / {p.get('interop_threads')} inter-op threads, median of {p.get('iterations')} "
          f"generations after {p.get('warmup')} untimed" + ("; lockstep (the sides took turns generation by generation)"
                                                           if p.get("lockstep") == "true" else ""))
    print(f"  pk: DJL {p.get('djl')} + {p.get('engine')}")
    for side in sides[1:]:
        kv = runs[side][1]
        print(f"  {label(side)}: PyTorch {kv.get('torch')} + transformers {kv.get('transformers')}, generate(), attn={kv.get('attn')}")
    head = ["side", "tok/s", "median s", "best s", "pk/side", "same ids"]
    rows, records = [], []
    pk_tok = report.number(p, "generate_tok_s", p_path)
    n = len(pk_ids)
    for side in sides:
        path, kv = runs[side]
        tok = report.number(kv, "generate_tok_s", path)
        ids = kv["generated_ids"].split(",")
        agree = same_prefix(pk_ids, ids)
        rows.append([label(side), f"{tok:.2f}", kv["generate_median_s"], kv["generate_best_s"],
                     "-" if side == "prunekit" else f"{pk_tok / tok:.2f}", "-" if side == "prunekit" else f"{agree}/{n}"])
        records.append(record(side, kv, a.round, model, "generate_tok_s", tok, report.number(kv, "generate_total_s", path),
                              int(kv["iterations"]), p.get("prompt", "?")))
        if side != "prunekit":
            records.append(record(side, kv, a.round, model, "same_ids_as_prunekit", agree, float("nan"), n, p.get("prompt", "?")))
    report.print_table(head, rows)
    print(f"generated ids, pk: {','.join(pk_ids)}")
    for side in sides[1:]:
        ids = runs[side][1]["generated_ids"].split(",")
        k = same_prefix(pk_ids, ids)
        verdict = "the same" if k == n == len(ids) else f"DIFFER from position {k} (pk {pk_ids[k:k + 1]}, {label(side)} {ids[k:k + 1]})"
        print(f"generated ids, {label(side)}: {verdict}" + ("" if k == n else f": {','.join(ids)}"))
    report.append_unless(problems, "pytorch_generate", a.csv, records)


def rounds(a):
    report.print_rounds(a.dir, collect, "generate_tok_s", label, "PyTorch", 2)


def model_name(runs):
    """The name export wrote into config.json, else what prunekit printed."""
    for side, (_, kv) in runs.items():
        cfg = os.path.join(kv.get("model", ""), "config.json")
        if side != "prunekit" and os.path.isfile(cfg):
            with open(cfg, encoding="utf-8") as f:
                name = json.load(f).get("prunekit", {}).get("name")
            if name:
                return name
    return runs["prunekit"][1].get("model", "?")


def label(side):
    return "pk" if side == "prunekit" else side[len("pytorch-"):]


def record(side, kv, round_, model, metric, value, wall, n, prompt):
    common = (f"threads={kv.get('threads')};interop_threads={kv.get('interop_threads')};batch=1;greedy;"
              f"new_tokens={kv.get('new_tokens')};prompt_tokens={kv.get('prompt_tokens')};iterations={kv.get('iterations')};"
              f"warmup={kv.get('warmup')}" + (";lockstep=true" if kv.get("lockstep") == "true" else "")
              + (f";round={round_}" if round_ else ""))
    if side == "prunekit":
        settings = f"djl={kv.get('djl')};engine={kv.get('engine')};weights=float32 export;Generator.generate;{common}"
    else:
        settings = (f"torch={kv.get('torch')};transformers={kv.get('transformers')};attn={kv.get('attn')};"
                    f"weights=float32 export;generate();{common}")
    return {"timestamp": report.now(), "model": model, "method": "prunekit" if side == "prunekit" else "pytorch",
            "settings": settings, "data": f"prompt '{prompt}', {kv.get('prompt_tokens')} tokens",
            "seqlen": int(kv.get("prompt_tokens", 0)) + int(kv.get("new_tokens", 0)), "seed": -1, "device": "cpu()",
            "wall_s": wall, "metric": metric, "value": value, "stderr": float("nan"), "n": n}


if __name__ == "__main__":
    args = parse_args()
    {"run": run, "report": round_report, "rounds": rounds}[args.command](args)
