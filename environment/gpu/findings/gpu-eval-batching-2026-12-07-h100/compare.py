"""Evaluation's wall time and results on one H100: the partial paper-size grids of 2026-12-07 19:05-19:08 UTC (build
with MultipleChoice.Config.forDevice and Perplexity.Config.forDevice: 64 whole sequences a pass across items, 8,192
tokens a pass) against the CLI grids of 2026-12-06 (gpu-weights, gpu-layers: each item's context once then its choices,
4 windows a pass). Not lockstep: two runs a day apart, and the new one shared the GPU with a second notebook.

Usage: python3 compare.py   (from this folder; reads ../../../../data/results/gpu-*.csv)
"""
import collections
import csv
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE.parents[3] / "data" / "results"
PAIRS = [("gblm-paper-size-partial.csv", "gpu-weights.csv"), ("gradmap-paper-size-partial.csv", "gpu-layers.csv")]


def rows(path):
    return list(csv.DictReader(open(path)))


def key(r):
    return (r["method"], r["settings"].split(";calib")[0], r["data"], r["seqlen"], r["metric"])


for new_name, ref_name in PAIRS:
    new, ref = rows(HERE / new_name), rows(RESULTS / ref_name)
    print(f"## {new_name} (this build) against {ref_name} (2026-12-06)")
    print("| measure | models (new / ref) | mean wall s, new | mean wall s, ref | ref / new |")
    print("|---|---|---|---|---|")
    walls = {name: collections.defaultdict(list) for name in ("new", "ref")}
    for name, rs in (("new", new), ("ref", ref)):
        for r in rs:
            if r["metric"] in ("acc", "ppl"):
                label = r["data"] if r["metric"] == "acc" else f"{r['data']}@{r['seqlen']}"
                walls[name][(r["metric"], label)].append(float(r["wall_s"]))
    for m in sorted(walls["new"]):
        a, b = walls["new"][m], walls["ref"].get(m, [])
        if not b:
            continue
        ma, mb = sum(a) / len(a), sum(b) / len(b)
        print(f"| {m[0]} {m[1]} | {len(a)} / {len(b)} | {ma:.3f} | {mb:.3f} | {mb / ma:.1f} |")
    values_new = {key(r): float(r["value"]) for r in new}
    values_ref = {key(r): float(r["value"]) for r in ref}
    print()
    print("| method | measures in both | largest relative perplexity difference | accuracies that differ |")
    print("|---|---|---|---|")
    for method in dict.fromkeys(k[0] for k in values_new):
        common = [k for k in values_new if k in values_ref and k[0] == method and k[4] in ("ppl", "acc", "acc_norm")]
        if not common:
            continue
        ppl = [abs(values_new[k] - values_ref[k]) / values_ref[k] for k in common if k[4] == "ppl"]
        acc = [k for k in common if k[4] != "ppl"]
        print(f"| {method} | {len(common)} | {max(ppl):.2e} | {sum(values_new[k] != values_ref[k] for k in acc)} of {len(acc)} |")
    print()
