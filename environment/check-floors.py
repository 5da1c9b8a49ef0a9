#!/usr/bin/env python3
"""Checks the library's floors: every reference from one prunekit package to another (imports and
qualified names in code, comments stripped) must point down FLOORS (top floor first);
sideways within a floor is allowed, and model.io is on the model floor. viz is apart: any floor may use
it and it uses no other prunekit package. Mentions in comments (javadoc links) are listed, not failed:
they are not dependencies. Exit status 1 on an upward arrow.

    python3 environment/check-floors.py [lib/src/main/java]
"""
import re, sys, pathlib
FLOORS = [["cli", "bench", "experiment"], ["prune", "recover"], ["importance", "sparsity", "width"], ["stats", "eval"],
          ["merge", "similarity", "data"], ["model", "linalg"]]
APART = "viz"
floor = {p: i for i, ps in enumerate(FLOORS) for p in ps}
root = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent / "lib/src/main/java"
COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\])*\"", re.S)
QUALIFIED = re.compile(r"\b(prunekit(?:\.[a-z]\w*)+)\.[A-Z*]")
def top(qualified):
    return qualified.split(".")[1]
def wrong(me, other):
    for p in (me, other):
        if p != APART and p not in floor:
            sys.exit(f"prunekit.{p} is on no floor: add it to FLOORS in {__file__}")
    if other == me:
        return None
    if me == APART:
        return "viz is apart and uses no other prunekit package"
    if other == APART:
        return None
    if floor[other] < floor[me]:
        return f"floor {floor[me]} ({me}) -> floor {floor[other]} ({other})"
    return None
bad, docs, side, edges = [], [], set(), set()
files = sorted(root.rglob("*.java"))
for f in files:
    src = f.read_text()
    me = top(re.search(r"^package\s+([\w.]+);", src, re.M).group(1) + ".X")
    code = COMMENTS.sub(lambda m: '""' if m.group(0).startswith('"') else " ", src)
    comments = "".join(m.group(0) for m in COMMENTS.finditer(src) if not m.group(0).startswith('"'))
    for q in set(QUALIFIED.findall(code)):
        other = top(q)
        if other != me:
            edges.add((me, other))
        why = wrong(me, other)
        if why:
            bad.append(f"{f.relative_to(root)}: {q} ({why})")
        elif other != me and other != APART and floor.get(other) == floor.get(me):
            side.add(f"{me} -> {other}")
    for q in set(QUALIFIED.findall(comments)):
        why = wrong(me, top(q))
        if why:
            docs.append(f"{f.relative_to(root)}: mentions {q} in a comment ({why})")
print(f"{len(files)} files, {len(edges)} package-to-package arrows")
print("sideways (same floor):", ", ".join(sorted(side)) or "none")
print("into viz (apart):", ", ".join(sorted(a for a, b in edges if b == APART)) or "none")
print("upward:", len(bad))
for b in bad:
    print("  " + b)
print("upward mentions in comments (not dependencies):", len(docs))
for d in docs:
    print("  " + d)
sys.exit(1 if bad else 0)
