"""Tables and result records for environment/bench-vs-pytorch.sh, from the key=value outputs it saved.

  report.py bench --dir D [--csv FILE]   D holds prunekit-<T>.out and pytorch-<attn>-<T>.out; the model
                                         is named by its config.json (prunekit.name, written by export)
  report.py rounds --dir D               D holds round-1/, round-2/, ... as bench reads them: medians over
                                         the rounds and the spread of prunekit/PyTorch within a round
  report.py prune --dir D [--csv FILE]   D holds prune-<method>.out (command output + wall_seconds=,
                                         exit_code=, and peak_rss_kb= where GNU time measured it)

Prints a table; with --csv, appends one record per number to FILE in the columns of
prunekit.eval.ResultRecord (timestamp,model,method,settings,data,seqlen,seed,device,wall_s,metric,
value,stderr,n,ci_low,ci_high; a benchmark has no interval: NaN). Only the standard library: runs with any python3.
"""
import argparse
import csv
import datetime
import glob
import json
import math
import os
import re
import sys

COLUMNS = ["timestamp", "model", "method", "settings", "data", "seqlen", "seed", "device", "wall_s", "metric",
           "value", "stderr", "n", "ci_low", "ci_high"]


def read_key_values(path):
    """key=value lines of a saved output (the last value of a repeated key wins); other lines are ignored."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^([a-z][a-z0-9_]*)=(.*)$", line.rstrip("\n"))
            if m:
                out[m.group(1)] = m.group(2).strip()
    return out


def number(kv, key, path):
    if key not in kv:
        raise SystemExit(f"report: {path}: no '{key}=' line; the run failed or the jar is older than lib/src "
                         f"(rebuild: mvn -q -B -o -DskipTests package)")
    try:
        return float(kv[key])
    except ValueError:
        raise SystemExit(f"report: {path}: {key}={kv[key]!r} is not a number")


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def append_records(csv_path, rows):
    """Appends rows (dicts keyed by COLUMNS) to csv_path, writing the header first if the file is new."""
    os.makedirs(os.path.dirname(os.path.abspath(csv_path)), exist_ok=True)
    new = not os.path.exists(csv_path) or os.path.getsize(csv_path) == 0
    if not new:
        with open(csv_path, encoding="utf-8") as f:
            header = f.readline().rstrip("\r\n")
        if header != ",".join(COLUMNS):
            raise SystemExit(f"report: {csv_path}: header is '{header}', expected '{','.join(COLUMNS)}'")
    with open(csv_path, "a", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        if new:
            w.writerow(COLUMNS)
        for r in rows:
            w.writerow([fmt(r.get(c, float("nan"))) for c in COLUMNS])
    print(f"appended {len(rows)} records to {csv_path}")


def fmt(v):
    if isinstance(v, float):
        return "NaN" if math.isnan(v) else repr(v)
    return str(v)


def cell(v, spec):
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, spec)


# ---------------------------------------------------------------------------------------------
# Part 1: prunekit against PyTorch + transformers
# ---------------------------------------------------------------------------------------------

def collect(directory):
    """(side, seqlen) -> (path, key values) of the prunekit-<T>.out and pytorch-<attn>-<T>.out in a folder."""
    runs = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.out"))):
        m = re.match(r"^(prunekit|pytorch-[a-z0-9_]+)-(\d+)\.out$", os.path.basename(path))
        if m:
            runs[(m.group(1), int(m.group(2)))] = (path, read_key_values(path))
    return runs


def collect_sides(directory, other_prefix, who):
    """side -> (path, key values) of prunekit.out and <other_prefix>*.out in one round's folder (the benchmarks
    with one output file per side: generation, recovery)."""
    runs = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.out"))):
        side = os.path.basename(path)[:-len(".out")]
        if side == "prunekit" or side.startswith(other_prefix):
            runs[side] = (path, read_key_values(path))
    if "prunekit" not in runs:
        raise SystemExit(f"{who}: {directory}: no prunekit.out")
    return runs


def append_unless(problems, who, csv_path, records):
    """Appends records to csv_path (if given) unless a check found that the sides measured different work."""
    if problems:
        for msg in problems:
            print(f"{who}: {msg}", file=sys.stderr)
        raise SystemExit(f"{who}: the sides did not measure the same work; no records appended")
    if csv_path:
        append_records(csv_path, records)


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else sum(xs[len(xs) // 2 - 1:len(xs) // 2 + 1]) / 2


def print_rounds(directory, collect_round, metric, label, against, digits=1):
    """For benchmarks with one number per side a round (generation, recovery): the rounds under
    directory/round-*, each read by collect_round into side -> (path, key values); per side, its median
    `metric` over the rounds, prunekit's median over it, and the smallest and largest ratio within one
    round. Prints nothing for fewer than two rounds."""
    dirs = sorted(glob.glob(os.path.join(directory, "round-*")), key=lambda d: int(d.rsplit("-", 1)[1]))
    per_round = [collect_round(d) for d in dirs]
    if len(per_round) < 2:
        return
    tok = lambda r, side: number(r[side][1], metric, r[side][0])
    pk = [tok(r, "prunekit") for r in per_round]
    sides = sorted({s for r in per_round for s in r if s != "prunekit"})
    print(f"over {len(per_round)} rounds, median tokens/s and prunekit/{against}:")
    rows = [["pk", f"{median(pk):.{digits}f}", "-", "-"]]
    for side in sides:
        pairs = [(tok(r, "prunekit"), tok(r, side)) for r in per_round if side in r]
        ratios = [x / y for x, y in pairs]
        theirs = median([y for _, y in pairs])
        rows.append([label(side), f"{theirs:.{digits}f}", f"{median(pk) / theirs:.2f}", f"{min(ratios):.2f}-{max(ratios):.2f}"])
    print_table(["side", "tok/s", "pk/side of medians", "pk/side per round"], rows)


def rounds(args):
    """The rounds of one run side by side: each round timed prunekit and PyTorch together (lockstep: turn
    by turn) or one after the other, so a drift of the machine's speed moves both sides of a round alike. Per phase, sequence length and
    PyTorch side: the median tokens/s over the rounds on each side, the ratio of the medians, and the
    smallest and largest ratio within one round."""
    dirs = sorted(glob.glob(os.path.join(args.dir, "round-*")), key=lambda d: int(d.rsplit("-", 1)[1]))
    per_round = [collect(d) for d in dirs]
    if len(per_round) < 2:
        return
    sides = sorted({s for runs in per_round for s, _ in runs if s != "prunekit"})
    seqlens = sorted({t for runs in per_round for s, t in runs if s == "prunekit"})
    lockstep = all(kv.get("lockstep") == "true" for runs in per_round for _, kv in runs.values())
    order = "the sides taking turns pass by pass" if lockstep else "prunekit, then PyTorch"
    print(f"over {len(per_round)} rounds (each: {order}), median tokens/s and ratios:")
    head = ["phase", "seqlen", "tok/s pk"]
    for side in sides:
        head += [f"tok/s {label(side)}", f"pk/{label(side)} of medians", f"pk/{label(side)} per round"]
    rows = []
    for phase in ("forward", "fwdbwd"):
        for t in seqlens:
            pk = [number(r[("prunekit", t)][1], f"{phase}_tok_s", r[("prunekit", t)][0]) for r in per_round]
            row = [phase, str(t), f"{median(pk):.1f}"]
            for side in sides:
                pairs = [(number(r[("prunekit", t)][1], f"{phase}_tok_s", r[("prunekit", t)][0]),
                          number(r[(side, t)][1], f"{phase}_tok_s", r[(side, t)][0]))
                         for r in per_round if (side, t) in r]
                if not pairs:
                    row += ["-", "-", "-"]
                    continue
                ratios = [a / b for a, b in pairs]
                row += [f"{median([b for _, b in pairs]):.1f}", f"{median(pk) / median([b for _, b in pairs]):.2f}",
                        f"{min(ratios):.2f}-{max(ratios):.2f}"]
            rows.append(row)
    print_table(head, rows)


def bench(args):
    runs = collect(args.dir)
    if args.round:
        for _, kv in runs.values():
            kv["round"] = args.round
    seqlens = sorted({t for side, t in runs if side == "prunekit"})
    if not seqlens:
        raise SystemExit(f"report: {args.dir}: no prunekit-<seqlen>.out files")
    sides = ["prunekit"] + sorted({s for s, _ in runs if s != "prunekit"})
    ref_path, ref = runs[("prunekit", seqlens[0])]
    model, device = model_name(runs), ref.get("device", "cpu")

    # checks: the same model and tokens (loss), the same FLOP count, the same threads on every side
    problems = []
    for t in seqlens:
        p_path, p = runs[("prunekit", t)]
        for side in sides[1:]:
            if (side, t) not in runs:
                continue
            q_path, q = runs[(side, t)]
            lp, lq = number(p, "fwdbwd_loss", p_path), number(q, "fwdbwd_loss", q_path)
            if abs(lp - lq) > 1e-3 * max(1.0, abs(lp)):
                problems.append(f"seqlen {t}: loss {lp} ({p_path}) vs {lq} ({q_path}): the two sides did not "
                                f"compute the same model on the same tokens")
            for phase in ("forward", "fwdbwd"):
                fp, fq = number(p, f"{phase}_flops_per_token", p_path), number(q, f"{phase}_flops_per_token", q_path)
                if fp != fq:
                    problems.append(f"seqlen {t}: {phase} FLOPs per token {fp:.0f} ({p_path}) vs {fq:.0f} ({q_path})")
            if (p.get("threads"), p.get("interop_threads")) != (q.get("threads"), q.get("interop_threads")):
                problems.append(f"seqlen {t}: threads {p.get('threads')}/{p.get('interop_threads')} ({p_path}) vs "
                                f"{q.get('threads')}/{q.get('interop_threads')} ({q_path})")

    print()
    print(f"model: {model}, float32, exported once: both sides load the same weights")
    for side in sides:
        kv = next(kv for (s, _), (_, kv) in sorted(runs.items()) if s == side)
        what = (f"prunekit: DJL {kv.get('djl')} + {kv.get('engine')}" if side == "prunekit"
                else f"PyTorch {kv.get('torch')} + transformers {kv.get('transformers')}, attn={kv.get('attn')}")
        print(f"  {label(side):6s} {what}; {kv.get('threads')} intra-op / {kv.get('interop_threads')} inter-op "
              f"threads; batch {kv.get('batch')}, median of {kv.get('iterations')} after {kv.get('warmup', 1)} warm-up runs"
              + ("; lockstep (the sides took turns pass by pass)" if kv.get("lockstep") == "true" else ""))
    ceilings = ", ".join(f"{label(side)} {number(kv, 'matmul_gflops', path):.0f}"
                         for (side, t), (path, kv) in sorted(runs.items(), key=lambda r: (r[0][1], r[0][0]))
                         if "matmul_gflops" in kv)
    if ceilings:
        print(f"  matmul ceiling ({ref.get('matmul_n', '?')}² float32), GFLOP/s, each run in seqlen order: {ceilings}")
    print()
    head = ["phase", "seqlen"]
    for side in sides:
        head += [f"tok/s {label(side)}"] + ([f"pk/{label(side)}"] if side != "prunekit" else [])
    head += [f"MB {label(side)}" for side in sides] + [f"GFLOP/s {label(side)}" for side in sides]
    rows = []
    records = []
    for phase in ("forward", "fwdbwd"):
        for t in seqlens:
            row = [phase, str(t)]
            pk_tok = number(runs[("prunekit", t)][1], f"{phase}_tok_s", runs[("prunekit", t)][0])
            mb, gf = [], []
            for side in sides:
                if (side, t) not in runs:
                    row += ["-"] + (["-"] if side != "prunekit" else [])
                    mb.append("-")
                    gf.append("-")
                    continue
                path, kv = runs[(side, t)]
                tok = number(kv, f"{phase}_tok_s", path)
                row.append(f"{tok:.1f}")
                if side != "prunekit":
                    row.append(f"{pk_tok / tok:.2f}")
                mb.append(f"{number(kv, f'{phase}_peak_rss_mb', path):.0f}")
                gflops = number(kv, f"{phase}_gflops", path)
                ceiling = float(kv["matmul_gflops"]) if "matmul_gflops" in kv else float("nan")
                gf.append(f"{gflops:.1f} {cell(100 * gflops / ceiling, '.0f')}%")
                records += side_records(side, kv, path, model, device, t, phase)
            rows.append(row + mb + gf)
    print_table(head, rows)
    print("pk = prunekit; eager, sdpa = PyTorch + transformers with that attention. pk/X: prunekit's tokens/s over X's")
    print("(> 1: prunekit faster). MB: the process's peak resident memory after the phase, MiB. GFLOP/s: model FLOPs")
    print("per token (prunekit.bench.ModelBenchmark: matrix products; forward+backward with embedding and head frozen)")
    print("x tokens/s, and its % of the same run's matmul ceiling.")
    for t in seqlens:
        for side in sides:
            if (side, t) in runs and "matmul_gflops" in runs[(side, t)][1]:
                path, kv = runs[(side, t)]
                records.append(record(side, kv, model, device, t, "matmul_gflops", number(kv, "matmul_gflops", path),
                                      number(kv, "matmul_total_s", path), int(float(kv.get("iterations", 0)))))
    for t in seqlens:
        losses = ", ".join(f"{side} {runs[(side, t)][1].get('fwdbwd_loss')}" for side in sides if (side, t) in runs)
        print(f"loss check, seqlen {t} (mean next-token NLL of the random tokens): {losses}")
    if problems:
        for p in problems:
            print(f"report: {p}", file=sys.stderr)
        raise SystemExit("report: the runs do not measure the same work; no records appended")
    if args.csv:
        append_records(args.csv, records)


def model_name(runs):
    """The name export wrote into config.json (e.g. "SmolLM2-135M-Instruct (Q4_1 GGUF)": the same weights
    as the ppl/eval records of that model), else the directory's name that prunekit printed."""
    for (side, _), (_, kv) in runs.items():
        if side != "prunekit" and os.path.isfile(os.path.join(kv.get("model", ""), "config.json")):
            with open(os.path.join(kv["model"], "config.json"), encoding="utf-8") as f:
                name = json.load(f).get("prunekit", {}).get("name")
            if name:
                return name
    return next(kv.get("model", "?") for (side, _), (_, kv) in runs.items() if side == "prunekit")


def label(side):
    """Column label: pk for prunekit, the attention implementation for a PyTorch run."""
    return "pk" if side == "prunekit" else side[len("pytorch-"):]


def side_settings(side, kv):
    common = (f"threads={kv.get('threads')};interop_threads={kv.get('interop_threads')};batch={kv.get('batch')};"
              f"iterations={kv.get('iterations')}" + (f";warmup={kv['warmup']}" if kv.get("warmup") else ""))
    if kv.get("lockstep") == "true":
        common += ";lockstep=true"
    if kv.get("round"):
        common += f";round={kv['round']}"
    if side == "prunekit":
        return f"djl={kv.get('djl')};engine={kv.get('engine')};weights=float32 export;{common}"
    return (f"torch={kv.get('torch')};transformers={kv.get('transformers')};attn={kv.get('attn')};"
            f"weights=float32 export;{common}")


def record(side, kv, model, device, seqlen, metric, value, wall, n):
    return {"timestamp": now(), "model": model, "method": "prunekit" if side == "prunekit" else "pytorch",
            "settings": side_settings(side, kv), "data": "random tokens (java.util.Random(0))", "seqlen": seqlen,
            "seed": -1, "device": device, "wall_s": wall, "metric": metric, "value": value, "stderr": float("nan"),
            "n": n}


def side_records(side, kv, path, model, device, seqlen, phase):
    """forward_tok_s / fwdbwd_tok_s, forward_gflops (fwdbwd_gflops), peak_rss_mb (settings say which phase)."""
    wall = number(kv, f"{phase}_total_s", path)
    n = int(number(kv, "iterations", path))
    out = [record(side, kv, model, device, seqlen, f"{phase}_tok_s", number(kv, f"{phase}_tok_s", path), wall, n),
           record(side, kv, model, device, seqlen, f"{phase}_gflops", number(kv, f"{phase}_gflops", path), wall, n)]
    rss = record(side, kv, model, device, seqlen, "peak_rss_mb", number(kv, f"{phase}_peak_rss_mb", path), wall, n)
    rss["settings"] += f";after={phase}"
    return out + [rss]


def print_table(head, rows):
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    print("  ".join(h.rjust(w) for h, w in zip(head, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.rjust(w) for c, w in zip(r, widths)))
    print()


# ---------------------------------------------------------------------------------------------
# Part 2: every pruning method end to end
# ---------------------------------------------------------------------------------------------

# the breakdown's phases, in the order a command runs them
PHASES = ["load", "calibration", "statistics", "selection", "edit", "save"]


def phases(kv, path):
    """Seconds per phase (None where that phase is not timed apart: it lies inside another) and the
    family: 'w' weight pruning, 'l' layer removal, 'm' Sliding Layer Merging."""
    g = lambda k: number(kv, k, path) if k in kv else None
    if "prune_seconds" in kv:                                    # weight pruning
        return {"load": g("load_seconds"), "calibration": g("calibration_seconds"),
                "statistics": g("gradient_seconds") if kv.get("gradient_cache") not in (None, "none") else None,
                "selection": g("prune_seconds"), "edit": None, "save": g("save_seconds")}, "w"
    if "edit_seconds" in kv:                                     # layer removal
        return {"load": g("load_seconds"), "calibration": g("calibration_seconds"), "statistics": None,
                "selection": g("selection_seconds"), "edit": (g("edit_seconds") or 0) + (g("compensation_seconds") or 0),
                "save": g("save_seconds")}, "l"
    return {"load": g("load_seconds"), "calibration": g("calibration_seconds"), "statistics": None,
            "selection": g("selection_seconds"), "edit": None, "save": g("save_seconds")}, "m"   # SLM


def prune(args):
    files = sorted(glob.glob(os.path.join(args.dir, "prune-*.out")))
    if not files:
        raise SystemExit(f"report: {args.dir}: no prune-<method>.out files")
    head = ["method", "kind", "load", "calib", "stats", "select/score", "edit", "save", "other", "total", "peak MB"]
    rows, records, failed = [], [], []
    outputs = [(os.path.basename(path)[len("prune-"):-len(".out")], path, read_key_values(path)) for path in files]
    outputs.sort(key=lambda o: (int(o[2].get("bench_order", 1 << 30)), o[0]))          # the order they ran in
    for method, path, kv in outputs:
        if kv.get("exit_code") != "0":
            failed.append(f"{method}: exit code {kv.get('exit_code')} (see {path})")
            continue
        secs, family = phases(kv, path)
        total = number(kv, "wall_seconds", path)
        other = total - sum(v for v in secs.values() if v is not None)
        peak = float(kv["peak_rss_kb"]) / 1024 if "peak_rss_kb" in kv else None
        kind = {"w": "weights", "l": "layers", "m": "merge"}[family]
        rows.append([method, kind] + [cell(secs[p], ".2f") for p in PHASES]
                    + [f"{other:.2f}", f"{total:.2f}", cell(peak, ".0f")])
        settings = kv.get("bench_settings", "")
        for p in PHASES + ["other", "total"]:
            v = {"other": other, "total": total}.get(p, secs.get(p))
            if v is not None:
                records.append({"timestamp": now(), "model": kv.get("model", kv.get("bench_model", "?")),
                                "method": method, "settings": settings, "data": kv.get("bench_data", ""),
                                "seqlen": int(number(kv, "bench_seqlen", path)), "seed": 0, "device": "cpu()",
                                "wall_s": total, "metric": f"prune_{p}_s", "value": round(v, 3), "stderr": float("nan"),
                                "n": int(number(kv, "bench_samples", path))})
        if peak is not None:
            records.append(dict(records[-1], metric="prune_peak_rss_mb", value=round(peak, 1)))
    print()
    if rows:
        print_table(head, rows)
        print("Wall seconds of each phase as the command printed it; total: the whole command, measured outside;")
        print("other = total - the phases: JVM start, engine and class loading, what runs after the save, exit.")
        print("'-': not a phase of its own there. select/score holds, by kind:")
        print("  layers  the metric's statistics (forward/backward passes) and scores, and the choice;")
        print("          edit = copying the model and removing the layers (and --compensate, if given);")
        print("  weights the layer-by-layer loop: input statistics, scores, masks, the edited weights;")
        print("          stats = GBLM's per-sample gradients (a pass of their own, computed: --no-stats-cache);")
        print("  merge   SLM's search: the dense reference outputs, each candidate merge and its similarity.")
        print("peak MB: the JVM's peak resident memory (GNU time), MiB.")
    for f in failed:
        print(f"report: {f}", file=sys.stderr)
    if args.csv and records:
        append_records(args.csv, records)
    if failed:
        raise SystemExit(f"report: {len(failed)} pruning command(s) failed")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("what", choices=["bench", "rounds", "prune"])
    p.add_argument("--dir", required=True)
    p.add_argument("--csv", help="append result records to this file")
    p.add_argument("--round", help="bench: 'k/R', added to every record's settings as round=k/R")
    a = p.parse_args()
    if not os.path.isdir(a.dir):
        raise SystemExit(f"report: {a.dir}: no such directory")
    {"bench": bench, "rounds": rounds, "prune": prune}[a.what](a)


if __name__ == "__main__":
    main()
