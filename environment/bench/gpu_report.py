"""Tables and result records of environment/gpu/bench-vs-pytorch-gpu.sh: prunekit against PyTorch (eager and
sdpa attention) on one GPU, per (batch, seqlen) cell.

  gpu_report.py --dir D [--csv FILE] [--markdown]
  gpu_report.py --verdict FILE [--since TIMESTAMP] [--markdown]

D holds round-<k>/<group>/<side>.out, side prunekit or pytorch-<attn>; each output has a header of key=value
lines and then one section per cell, each starting with a cell=b<B>_t<T> line (`prunekit bench` and
pytorch_bench.py with lists of batches and lengths). Checks that the sides computed the same model on the
same tokens (their forward+backward losses agree), then prints, over the rounds: per cell and phase the median
tokens/s of each side, prunekit/eager and prunekit/sdpa as the ratio of the medians and the smallest and
largest ratio of a round, and how much of each side's pass is the host issuing operations (host_s / median_s);
the host's time per operation (dispatch_us); the matmul ceiling where measured. With --csv, appends one record
per number and round (columns of prunekit.eval.ResultRecord; the GPU's name in the device column). Standard
library only.

With --verdict, reads such records back instead (those from --since on, an ISO timestamp prefix: the runs of
one build) and judges each cell against each PyTorch side: the rounds are the units, the ratio is the geometric
mean of the rounds' prunekit/X ratios, and its 95 % interval is Student's t on their logarithms; "at least 1.0"
when the interval lies at or above 1, "below 1.0" when it lies below, "tie" when it straddles 1 (two rounds
give a wide interval: more rounds narrow it).
"""
import csv
import math
import argparse
import glob
import os
import re
import sys

import report

PHASES = ("forward", "fwdbwd")


def sections(path):
    """(header key values, {(batch, seqlen): key values}) of one output."""
    header, cells, current = {}, {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^([a-z][a-z0-9_]*)=(.*)$", line.rstrip("\n"))
            if not m:
                continue
            key, value = m.group(1), m.group(2).strip()
            if key == "cell":
                c = re.match(r"^b(\d+)_t(\d+)$", value)
                if not c:
                    raise SystemExit(f"gpu_report: {path}: cell={value}, expected b<B>_t<T>")
                current = cells.setdefault((int(c.group(1)), int(c.group(2))), {})
            elif current is None or key.startswith("matmul_") or key in ("peak_rss_mb", "dispatch_us"):
                header[key] = value
            else:
                current[key] = value
    if not cells and "batch" in header and "seqlen" in header:    # one cell, written before cell= lines existed
        cells[(int(header["batch"]), int(header["seqlen"]))] = {k: v for k, v in header.items()
                                                                if not k.startswith("matmul_")}
    return header, cells


def collect(directory):
    """round -> side -> (batch, seqlen) -> key values (the side's header merged in), and the headers by side."""
    rounds, headers = {}, {}
    for path in sorted(glob.glob(os.path.join(directory, "round-*", "*", "*.out"))):
        r = int(re.search(r"round-(\d+)", path).group(1))
        side = os.path.basename(path)[:-len(".out")]
        header, cells = sections(path)
        headers.setdefault(side, header)
        for cell, kv in cells.items():
            rounds.setdefault(r, {}).setdefault(side, {})[cell] = dict(header, **kv, source=path)
    if not rounds:
        raise SystemExit(f"gpu_report: {directory}: no round-*/*/*.out files")
    return rounds, headers


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


def check_losses(rounds):
    problems = []
    for r, sides in rounds.items():
        for side, cells in sides.items():
            for cell, kv in cells.items():
                pk = rounds[r].get("prunekit", {}).get(cell)
                if side == "prunekit" or pk is None or "fwdbwd_loss" not in kv:
                    continue
                a, b = float(pk["fwdbwd_loss"]), float(kv["fwdbwd_loss"])
                if abs(a - b) > 1e-3 * max(1.0, abs(a)):
                    problems.append(f"round {r}, cell {cell}: loss {a} (prunekit) vs {b} ({side})")
    return problems


def gpu_name(headers):
    names = {h.get("gpu") for side, h in headers.items() if side.startswith("pytorch-")} - {None}
    return names.pop() if len(names) == 1 else ("?" if not names else " / ".join(sorted(names)))


def settings(side, kv, r, total):
    s = (f"batch={kv['batch']};iterations={kv.get('iterations')};warmup={kv.get('warmup')};"
         f"lockstep={kv.get('lockstep')};round={r}/{total}" + (f";cpus={kv['cpus']}" if kv.get("cpus") else ""))
    if side.startswith("prunekit"):
        return f"djl={kv.get('djl')};engine={kv.get('engine')};weights=float32 export;" + s
    return (f"torch={kv.get('torch')};impl={kv.get('impl')};transformers={kv.get('transformers')};"
            f"attn={kv.get('attn')};weights=float32 export;" + s)


def records(rounds, model, device):
    out = []
    total = len(rounds)
    for r, sides in sorted(rounds.items()):
        for side, cells in sorted(sides.items()):
            for (batch, seqlen), kv in sorted(cells.items()):
                method = side if side.startswith("prunekit") else "pytorch"
                base = {"timestamp": report.now(), "model": model, "method": method,
                        "settings": settings(side, kv, r, total), "data": "random tokens (java.util.Random(0))",
                        "seqlen": seqlen, "seed": -1, "device": device, "stderr": float("nan"),
                        "n": int(kv.get("iterations", 0)), "ci_low": float("nan"), "ci_high": float("nan")}
                for phase in PHASES:
                    wall = report.number(kv, f"{phase}_median_s", kv["source"])
                    for metric in (f"{phase}_tok_s", f"{phase}_median_s", f"{phase}_host_s"):
                        if metric in kv:
                            out.append(dict(base, wall_s=wall, metric=metric, value=float(kv[metric])))
                    if side != "prunekit":
                        continue
                    for other in sorted(s for s in sides if s != "prunekit"):
                        theirs = sides[other].get((batch, seqlen))
                        if theirs:
                            ratio = float(kv[f"{phase}_tok_s"]) / float(theirs[f"{phase}_tok_s"])
                            out.append(dict(base, wall_s=wall, metric=f"{phase}_tok_s_over_{label(other)}",
                                            value=ratio))
                if "dispatch_us" in kv:
                    out.append(dict(base, wall_s=float("nan"), metric="dispatch_us", value=float(kv["dispatch_us"])))
    return out


def label(side):
    """pk for prunekit, the attention for a PyTorch side (pytorch-eager: eager), pk-<name> for another prunekit."""
    if side == "prunekit":
        return "pk"
    return side[len("pytorch-"):] if side.startswith("pytorch-") else "pk-" + side[len("prunekit-"):]


def summary(rounds, headers, markdown=False):
    sides = ["prunekit"] + sorted({s for sd in rounds.values() for s in sd if s != "prunekit"})
    cells = sorted({c for sd in rounds.values() for cs in sd.values() for c in cs}, key=lambda c: (c[1], c[0]))
    head = ["phase", "batch x tokens", "lockstep"] + [f"tok/s {label(s)}" for s in sides]
    head += [f"pk/{label(s)} (per round)" for s in sides[1:]] + [f"host share {label(s)}" for s in sides]
    rows = []
    for phase in PHASES:
        for cell in cells:
            per_side = {s: [sd[s][cell] for sd in rounds.values() if cell in sd.get(s, {})] for s in sides}
            tok = {s: [float(kv[f"{phase}_tok_s"]) for kv in per_side[s]] for s in sides}
            lock = {kv.get("lockstep") for s in sides for kv in per_side[s]}
            row = [phase, f"{cell[0]} x {cell[1]}", "/".join(sorted(lock))]
            row += [f"{median(tok[s]):,.0f}" if tok[s] else "-" for s in sides]
            for s in sides[1:]:
                ratios = [float(a[f"{phase}_tok_s"]) / float(b[f"{phase}_tok_s"])
                          for sd in rounds.values() if cell in sd.get("prunekit", {}) and cell in sd.get(s, {})
                          for a, b in [(sd["prunekit"][cell], sd[s][cell])]]
                row.append(f"{median(tok['prunekit']) / median(tok[s]):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
                           if ratios else "-")
            for s in sides:
                shares = [float(kv[f"{phase}_host_s"]) / float(kv[f"{phase}_median_s"])
                          for kv in per_side[s] if f"{phase}_host_s" in kv]
                row.append(f"{median(shares):.2f}" if shares else "-")
            rows.append(row)
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for row in rows:
            print("| " + " | ".join(row) + " |")
        print()
    else:
        report.print_table(head, rows)
    print("tok/s: median over the rounds; pk/X: ratio of the medians (> 1: prunekit faster), in brackets the smallest")
    print("and largest ratio of one round; host share: median of (time until the pass's last operation was issued) /")
    print("(pass time): near 1, the GPU waits on the host.")
    for s in sides:
        d = [float(kv["dispatch_us"]) for sd in rounds.values() for kv in sd.get(s, {}).values() if "dispatch_us" in kv]
        mm = headers[s].get("matmul_gflops")
        print(f"{label(s)}: host time per operation (dispatch_us, median) " + (f"{median(d):.1f} us" if d else "-")
              + (f"; matmul ceiling {float(mm):,.0f} GFLOP/s ({headers[s].get('matmul_n')}^2 float32)" if mm else ""))


T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
       2.120, 2.110, 2.101, 2.093, 2.086]    # Student's t, two-sided 95 %, for 1 .. 20 degrees of freedom


def interval(ratios):
    """(geometric mean, low, high) of per-round ratios: Student's t on the logarithms (NaN bounds for one round)."""
    logs = [math.log(r) for r in ratios]
    n = len(logs)
    m = sum(logs) / n
    if n < 2:
        return math.exp(m), float("nan"), float("nan")
    sd = math.sqrt(sum((x - m) ** 2 for x in logs) / (n - 1))
    half = (T95[n - 2] if n - 2 < len(T95) else 1.96) * sd / math.sqrt(n)
    return math.exp(m), math.exp(m - half), math.exp(m + half)


def verdict(low, high):
    if math.isnan(low):
        return "one round: no interval"
    return "at least 1.0" if low >= 1 else "below 1.0" if high < 1 else "tie"


def verdicts(csv_path, since, markdown=False):
    """The --verdict table: per phase, cell and PyTorch side, the rounds' ratios judged against 1.0."""
    groups, devices = {}, set()
    with open(csv_path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            m = re.match(r"^(forward|fwdbwd)_tok_s_over_(\w+)$", row["metric"])
            if row["method"] != "prunekit" or not m or row["timestamp"] < (since or ""):
                continue
            b = re.search(r"(?:^|;)batch=(\d+)", row["settings"])
            if not b:
                raise SystemExit(f"gpu_report: {csv_path}: no batch= in settings {row['settings']!r}")
            key = (m.group(1), int(b.group(1)), int(row["seqlen"]), m.group(2))
            groups.setdefault(key, []).append(float(row["value"]))
            devices.add(row["device"])
    if not groups:
        raise SystemExit(f"gpu_report: {csv_path}: no prunekit ratio records" + (f" from {since} on" if since else ""))
    head = ["phase", "batch x tokens", "against", "rounds", "pk/X", "95 % interval", "verdict"]
    rows = []
    for (phase, b, t, side), ratios in sorted(groups.items(), key=lambda kv: (PHASES.index(kv[0][0]), kv[0][3] != "eager",
                                                                            kv[0][3], kv[0][2], kv[0][1])):
        g, lo, hi = interval(ratios)
        rows.append([phase, f"{b} x {t}", side, str(len(ratios)), f"{g:.3f}",
                     "-" if math.isnan(lo) else f"[{lo:.3f}, {hi:.3f}]", verdict(lo, hi)])
    print(f"records of {csv_path}" + (f" from {since} on" if since else "") + f"; device {' / '.join(sorted(devices))}")
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        report.print_table(head, rows)
    print("pk/X: geometric mean over the rounds of prunekit's tokens/s over X's (> 1: prunekit faster); interval:")
    print("Student's t on the rounds' log ratios; verdict against 1.0 (tie: the interval contains 1).")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir")
    p.add_argument("--csv")
    p.add_argument("--verdict", metavar="CSV", help="judge the records of CSV against 1.0 instead")
    p.add_argument("--since", help="with --verdict: records from this ISO timestamp (a prefix will do) on")
    p.add_argument("--markdown", action="store_true", help="the table in Markdown")
    a = p.parse_args()
    if a.verdict:
        if not os.path.isfile(a.verdict):
            raise SystemExit(f"gpu_report: --verdict {a.verdict}: no such file (a record such as "
                             "data/results/gpu-bench-vs-pytorch.csv)")
        verdicts(a.verdict, a.since, a.markdown)
        return
    if not a.dir:
        p.error("one of --dir or --verdict is required")
    rounds, headers = collect(a.dir)
    if "prunekit" not in headers:
        raise SystemExit(f"gpu_report: {a.dir}: no prunekit.out in any round")
    gpu = gpu_name(headers)
    pk = headers["prunekit"]
    model = report.model_name({(side if side == "prunekit" else f"pytorch-{i}", i): ("", h)
                               for i, (side, h) in enumerate(sorted(headers.items()))})
    print(f"GPU: {gpu}; model {model}, float32; prunekit: DJL {pk.get('djl')} + {pk.get('engine')}; "
          + "; ".join(f"{label(s)}: torch {h.get('torch')} ({h.get('impl')}, attn={h.get('attn')})"
                      for s, h in sorted(headers.items()) if s.startswith("pytorch-")))
    print(f"{len(rounds)} round(s); each side {pk.get('warmup')} untimed passes, then the median of {pk.get('iterations')}")
    summary(rounds, headers, a.markdown)
    problems = check_losses(rounds)
    for problem in problems:
        print(f"gpu_report: {problem}", file=sys.stderr)
    if problems:
        raise SystemExit("gpu_report: the sides did not compute the same model on the same tokens; no records appended")
    if a.csv:
        report.append_records(a.csv, records(rounds, model, f"{pk.get('device')} {gpu}"))


if __name__ == "__main__":
    main()
