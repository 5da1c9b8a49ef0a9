#!/usr/bin/env bash
# A dry run of the GPU route HERE, on a machine without a GPU: the calls that prepare.sh staged (.gpu/c1 ..
# .gpu/cN, then .gpu/run) run as the device tool runs them, each from a fresh copy of the working tree (the
# files git tracks or does not ignore, plus that call's folder) with an emptied $OUT, but with PK_NO_GPU=1:
# no shim and no op check, and DJL computes on this machine's CPU libtorch 2.7.1 (DJL's own cache). It
# checks the plumbing (chunks, unpack, wheels, kernel, steps, what comes back), not GPU numbers.
#
#   environment/gpu/prepare.sh ...                     # as for the real calls (NB_PYVER=<this python> for the notebooks)
#   PK_STEPS=notebooks NB_MODE=ci environment/gpu/dry-run.sh
#
# Settings: PK_STEPS (for the run after the receives; none: receive only), PK (default /tmp/pk2-sim), DRY (the
# tree copies and each call's $OUT, default /tmp/pk-dry), PK_CPU_LIBTORCH (default: DJL's CPU libtorch 2.7.1
# under ~/.djl.ai/pytorch, which any CPU run of prunekit leaves there), DRY_RUNS (how many run calls, back to back
# as a caller who calls again, e.g. for NB_DETACH=1; default 1). Other settings (NB_*, PRUNEKIT_*) pass on.
set -euo pipefail
repo="$(pwd)"
export PK="${PK:-/tmp/pk2-sim}" PK_NO_GPU=1
DRY="${DRY:-/tmp/pk-dry}"
steps="${PK_STEPS:-info}"
lt="${PK_CPU_LIBTORCH:-$(ls -d "$HOME"/.djl.ai/pytorch/2.7.1-*cpu-linux-x86_64 2>/dev/null | head -n 1)}"
[ -d "$repo/.gpu/c1" ] || { echo "dry-run.sh: no .gpu/c1: run environment/gpu/prepare.sh first" >&2; exit 1; }
[ -n "$lt" ] && [ -f "$lt/libtorch.so" ] || [ "$steps" = none ] \
  || { echo "dry-run.sh: no CPU libtorch 2.7.1 in ~/.djl.ai/pytorch (run any prunekit command once) or PK_CPU_LIBTORCH" >&2; exit 1; }

call() {  # call FOLDER COMMAND...: one device call, from a fresh copy of the tree with .gpu/FOLDER carried
  local tree="$DRY/tree" out="$DRY/out-$1"
  rm -rf "$tree" "$out" && mkdir -p "$tree/.gpu" "$out"
  git -C "$repo" ls-files -co --exclude-standard -z | (cd "$repo" && tar --null -T - --ignore-failed-read -cf -) | tar -xf - -C "$tree"
  cp -r "$repo/.gpu/$1" "$tree/.gpu/"
  shift
  echo "=== dry-run: $*   (in $tree, OUT=$out)"
  (cd "$tree" && OUT="$out" PK_CPU_LIBTORCH="$lt" "$@")
}

n=$(cd "$repo/.gpu" && ls -d c* | wc -l)
for ((k = 1; k <= n; k++)); do
  call "c$k" bash ".gpu/c$k/remote.sh" receive
done
runs="${DRY_RUNS:-1}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "dry-run.sh: DRY_RUNS must be a positive whole number, got '$runs'" >&2; exit 2; }
if [ "$steps" != none ]; then
  for ((k = 1; k <= runs; k++)); do
    call run env PK_STEPS="$steps" bash .gpu/run/remote.sh run
    ls -la "$DRY/out-run"
  done
fi
