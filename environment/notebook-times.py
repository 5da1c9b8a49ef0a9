#!/usr/bin/env python3
"""Where the notebook suite's time goes, read from data/results/notebook-runs.csv (written by
run-notebooks.py --times): for each notebook, its latest run per mode (and device, where the record
names one) and size knobs, the total, the load average it started at, and the cells that took the most.

  python3 environment/notebook-times.py [--mode full|ci] [--top 3] [--csv data/results/notebook-runs.csv]

Prints a Markdown table (docs/performance.md quotes it) and the suite's sum per mode and device. The
sum is of the latest run of each notebook, which may come from different sessions: the timestamp and
the load average of each row say so. A run of several notebooks at a time (run-notebooks.py --jobs N)
also records its wall time (notebook "suite"), printed last.
"""
import argparse
import csv
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def size_of(knobs):
    """The knobs that change what a run computes (all but PRUNEKIT_THREADS), "" for the defaults. Rows from before
    run-notebooks.py recorded its knobs ("unrecorded") count as the defaults'."""
    if knobs in (None, "", "defaults", "unrecorded"):
        return ""
    return ";".join(k for k in knobs.replace("PRUNEKIT_", "").split(";") if not k.startswith("THREADS="))


def latest_runs(rows):
    """Groups rows by (notebook, mode, device, size) and keeps the latest timestamp's rows of each: a run at other
    sizes (PRUNEKIT_PAPER_SIZE=1, say) does not stand in for the standard run."""
    runs = defaultdict(lambda: defaultdict(list))
    for row in rows:
        key = (row["notebook"], row["mode"], row.get("device") or "cpu", size_of(row.get("knobs")))
        runs[key][row["timestamp"]].append(row)
    return {key: by_time[max(by_time)] for key, by_time in runs.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", default=str(ROOT / "data/results/notebook-runs.csv"))
    parser.add_argument("--mode", choices=["full", "ci"], help="only runs of this mode")
    parser.add_argument("--top", type=int, default=3, help="cells listed per notebook (default 3)")
    args = parser.parse_args()
    path = Path(args.csv)
    if not path.is_file():
        raise SystemExit(f"notebook-times.py: no record at {path}: run run-notebooks.py --times {path} first")
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    suites = [r for r in rows if r["notebook"] == "suite" and args.mode in (None, r["mode"])]   # --jobs runs' wall time
    runs = latest_runs(r for r in rows if args.mode in (None, r["mode"]) and r["notebook"] != "suite")
    if not runs:
        raise SystemExit(f"notebook-times.py: {path} has no run" + (f" of mode {args.mode}" if args.mode else ""))

    print("| notebook | mode | device | knobs | run (UTC) | load | total s | slowest cells (s, share) |")
    print("|---|---|---|---|---|---|---|---|")
    sums = defaultdict(float)
    for (notebook, mode, device, size), run in sorted(runs.items()):
        total = [r for r in run if r["cell"] == "total"]
        cells = sorted((r for r in run if r["cell"] != "total"), key=lambda r: -float(r["seconds"]))
        seconds = float(total[0]["seconds"]) if total else sum(float(r["seconds"]) for r in cells)
        sums[(mode, device, size)] += seconds
        slowest = "; ".join(
            f"cell {r['cell']} `{r['first_line'][:48].strip()}` {float(r['seconds']):.1f} ({float(r['seconds']) / seconds:.0%})"
            for r in cells[:args.top])
        name = Path(notebook).stem
        knobs = (run[0].get("knobs") or "unrecorded").replace("PRUNEKIT_", "")
        print(f"| {name} | {mode} | {device} | {knobs} | {run[0]['timestamp'][:16]} | {run[0]['load_avg_1min']} "
              f"| {seconds:.1f} | {slowest} |")
    print()
    for (mode, device, size), seconds in sorted(sums.items()):
        count = sum(1 for key in runs if key[1:] == (mode, device, size))
        label = f"{mode}, {device}" + (f", {size}" if size and mode != "ci" else "")
        print(f"suite, {label}: {count} notebooks, {seconds:.1f} s ({seconds / 60:.1f} min), the sum of their latest runs")
    latest = {}
    for r in suites:
        latest[(r["mode"], r["device"])] = r                     # rows are in time order: the latest wins
    for (mode, device), r in sorted(latest.items()):
        seconds = float(r["seconds"])
        print(f"suite, {mode}, {device}: one run of {r['first_line']} at {r['timestamp'][:16]} (load {r['load_avg_1min']}):"
              f" {seconds:.1f} s wall ({seconds / 60:.1f} min)")


if __name__ == "__main__":
    main()
