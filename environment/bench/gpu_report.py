"""Tables and result records of environment/gpu/bench-vs-pytorch-gpu.sh: prunekit against PyTorch (eager and
sdpa attention) on one GPU, per (batch, seqlen) cell.

  gpu_report.py --dir D [--csv FILE] [--markdown]

D holds round-<k>/<group>/<side>.out, side prunekit or pytorch-<attn>; each output has a header of key=value
lines and then one section per cell, each starting with a cell=b<B>_t<T> line (`prunekit bench` and
pytorch_bench.py with lists of batches and lengths). Checks that the sides computed the same model on the
same tokens (their forward+backward losses agree), then prints, over the rounds: per cell and phase the median
tokens/s of each side, prunekit/eager and prunekit/sdpa as the ratio of the medians and the smallest and
largest ratio of a round, and how much of each side's pass is the host issuing operations (host_s / median_s);
the host's time per operation (dispatch_us); the matmul ceiling where measured. With --csv, appends one record
per number and round (columns of prunekit.eval.ResultRecord; the GPU's name in the device column). Standard
library only.
"""
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
            elif current is None or key.startswith("matmul_") or key in ("peak_rss_mb",):
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
         f"lockstep={kv.get('lockstep')};round={r}/{total}")
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


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--csv")
    p.add_argument("--markdown", action="store_true", help="the table in Markdown")
    a = p.parse_args()
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
