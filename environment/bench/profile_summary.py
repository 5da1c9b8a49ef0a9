"""Where a forward pass spends its time: prunekit's trace against PyTorch's, operator by operator.

    python3 environment/bench/profile_summary.py prunekit.json pytorch.json [--top 15]

Each argument is a Chrome trace of one forward pass: `bin/prunekit bench --profile FILE` (PyTorch's
profiler driven through DJL) and `environment/bench/pytorch_bench.py --profile FILE`
(torch.profiler). Both record every ATen operator as a complete event ("ph": "X") with its start
and duration on the calling thread. Only top-level operators count (an aten::linear contains its
aten::matmul; the outer one is counted once), on the thread with the most operators. Per trace:

  span      first operator start to last operator end: the forward pass as the profiler saw it
  in ops    the sum of top-level operator durations: time inside libtorch (kernels and dispatch)
  between   span - in ops: time in the caller between operators (Python and transformers on one
            side; Java, DJL's JNI calls and NDManager bookkeeping on the other)
  ops       the number of top-level operator calls

then the operators that take the most time, side by side: count and milliseconds in each trace.
A profiler adds its own cost per operator, so the span is longer than an untraced pass; compare
the two traces with each other, not with the benchmark's tokens/s.
"""
import argparse
import collections
import json
import sys

SKIP_CATEGORIES = {"python_function", "user_annotation", "Trace", "PyTorch Profiler", "cpu_instant_event"}


def top_level_ops(path):
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        sys.exit(f"profile_summary: {path}: not a readable Chrome trace ({e})")
    events = data["traceEvents"] if isinstance(data, dict) else data
    ops = [e for e in events if isinstance(e, dict) and e.get("ph") == "X" and "dur" in e
           and e.get("cat") not in SKIP_CATEGORIES]
    if not ops:
        sys.exit(f"profile_summary: {path}: no complete ('ph': 'X') operator events")
    by_thread = collections.Counter(e.get("tid") for e in ops)
    tid = by_thread.most_common(1)[0][0]
    ops = sorted((e for e in ops if e.get("tid") == tid), key=lambda e: (float(e["ts"]), -float(e["dur"])))
    top, end = [], float("-inf")
    for e in ops:
        start = float(e["ts"])
        if start >= end:                        # not inside the last top-level operator
            top.append(e)
            end = start + float(e["dur"])
    return top


def summary(top):
    span = (max(float(e["ts"]) + float(e["dur"]) for e in top) - float(top[0]["ts"])) / 1000.0
    inside = sum(float(e["dur"]) for e in top) / 1000.0
    per_name = collections.defaultdict(lambda: [0, 0.0])
    for e in top:
        per_name[e["name"]][0] += 1
        per_name[e["name"]][1] += float(e["dur"]) / 1000.0
    return span, inside, per_name


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("traces", nargs="+", help="Chrome-trace JSON files (first: prunekit, then PyTorch)")
    p.add_argument("--labels", default=None, help="comma-separated names, one per trace")
    p.add_argument("--top", type=int, default=15, help="operators listed, by time in the first trace")
    a = p.parse_args()
    labels = a.labels.split(",") if a.labels else [f"trace{i}" for i in range(len(a.traces))]
    if len(labels) != len(a.traces):
        p.error(f"--labels names {len(labels)} traces, {len(a.traces)} given")
    sums = [summary(top_level_ops(t)) for t in a.traces]
    width = max(12, *(len(s) for s in labels))
    print(f"{'':24}" + "".join(f"{s:>{width}}" for s in labels))
    for name, pick in (("span ms", lambda s: s[0]), ("in operators ms", lambda s: s[1]),
                       ("between operators ms", lambda s: s[0] - s[1])):
        print(f"{name:24}" + "".join(f"{pick(s):>{width}.1f}" for s in sums))
    print(f"{'top-level operators':24}" + "".join(f"{sum(c for c, _ in s[2].values()):>{width}d}" for s in sums))
    print(f"{'between, us per op':24}" + "".join(
        f"{1000 * (s[0] - s[1]) / sum(c for c, _ in s[2].values()):>{width}.1f}" for s in sums))
    names = sorted(set().union(*(s[2].keys() for s in sums)), key=lambda n: -max(s[2][n][1] for s in sums))
    print()
    print(f"{'operator':32}" + "".join(f"{s + ' n':>{width}}{s + ' ms':>{width}}" for s in labels))
    for n in names[:a.top]:
        print(f"{n[:32]:32}" + "".join(f"{s[2][n][0]:>{width}d}{s[2][n][1]:>{width}.1f}" for s in sums))


if __name__ == "__main__":
    main()
