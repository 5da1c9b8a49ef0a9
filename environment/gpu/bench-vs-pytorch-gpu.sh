#!/usr/bin/env bash
# prunekit against PyTorch on one GPU (issue #24), run ON the GPU machine by remote.sh's step `benchvs`
# (or on any machine with a prunekit launcher and a python3 with torch), from the repository root:
#
#   PK_PRUNEKIT=/tmp/pk2/prunekit BENCH_OUT=/tmp/pk2/benchvs bash environment/gpu/bench-vs-pytorch-gpu.sh
#
# Both sides load the same float32 weights (`prunekit export` of smollm2, once, into BENCH_MODEL) and the same
# random tokens. prunekit: `bench` with PRUNEKIT_DEVICE=gpu. PyTorch: environment/bench/pytorch_bench.py with
# --impl plain (environment/bench/torch_llama.py: transformers' LLaMA computations without transformers, which
# the lent machine lacks) on cuda, once per attention in BENCH_ATTN. Per cell (batch x tokens): forward (all
# logits, summed) and forward + backward (mean next-token NLL; embedding, head and final norm frozen),
# BENCH_WARMUP untimed passes (BENCH_WARMUP_SHORT for cells of at most 256 tokens), then the median of BENCH_ITERS.
# The cells of BENCH_LOCKSTEP ("T:B,B ...", one process per side for each group) run in lockstep: the sides take
# turns pass by pass over a ring of FIFOs (environment/bench/ring.sh, prunekit.bench.Turns), so one computes at
# a time. Those of BENCH_SEQUENTIAL run one side after the other: at 8 x 2,048 tokens each side's forward +
# backward holds tens of GB of GPU memory (the attention probabilities of 30 layers), and a process keeps what
# its allocator once held, so three sides side by side do not fit one 80 GB card. All of it BENCH_ROUNDS times,
# then environment/bench/gpu_report.py: the table, the ratios, and the records appended to BENCH_CSV.
# Environment (defaults): PK_PRUNEKIT (bin/prunekit), BENCH_OUT (data/cache/bench-runs/gpu-<UTC time>),
# BENCH_MODEL ($BENCH_OUT/../bench-model), BENCH_ROUNDS (3), BENCH_WARMUP (10), BENCH_WARMUP_SHORT (60: a short
# pass is host-bound, every round starts fresh processes, and a fresh JVM is still compiling after 10 such passes;
# docs/performance.md), BENCH_ITERS (10),
# BENCH_LOCKSTEP ("256:1,8 2048:1"), BENCH_SEQUENTIAL ("2048:8"), BENCH_ATTN ("eager sdpa"),
# BENCH_SIDES (added to prunekit: "pytorch-eager pytorch-sdpa" from BENCH_ATTN; "prunekit-base" is
# PK_PRUNEKIT_BASE, another build's launcher, for an A/B of two builds, one --batch value per group then),
# BENCH_DEVICE (cuda; cpu: a dry run of the script), BENCH_MATMUL_N (4096: each sequential side's matmul
# ceiling; 0 none), BENCH_CSV (data/results/gpu-bench-vs-pytorch.csv; none: no records), PYTHON (python3),
# BENCH_CPUS (empty: the sides run where the scheduler puts them; a list such as 0-3 or 0,2: every side pinned to
# those CPUs with taskset; auto: the last 4 CPUs local to the GPU, from /sys/bus/pci/devices/<GPU>/local_cpulist.
# A host-bound pass runs at the speed of the core and memory node its process got: pinned, all sides get the same
# ones; the outputs and records say cpus=.... On the lent H100 (one NUMA node) it did not narrow the rounds'
# spread: docs/performance.md, "Fourth measurement").
set -uo pipefail
pk=${PK_PRUNEKIT:-bin/prunekit}
out=${BENCH_OUT:-data/cache/bench-runs/gpu-$(date -u +%Y%m%dT%H%M%SZ)}
model=${BENCH_MODEL:-$(dirname "$out")/bench-model}
rounds=${BENCH_ROUNDS:-3} warmup=${BENCH_WARMUP:-10} warmup_short=${BENCH_WARMUP_SHORT:-60} iters=${BENCH_ITERS:-10}
lockstep=${BENCH_LOCKSTEP-256:1,8 2048:1} sequential=${BENCH_SEQUENTIAL-2048:8}
attns=${BENCH_ATTN:-eager sdpa} device=${BENCH_DEVICE:-cuda} matmul_n=${BENCH_MATMUL_N:-4096}
csv=${BENCH_CSV:-data/results/gpu-bench-vs-pytorch.csv}; [ "$csv" = none ] && csv=""
python=${PYTHON:-python3}
for v in "rounds=$rounds" "warmup=$warmup" "warmup_short=$warmup_short" "iters=$iters" "matmul_n=$matmul_n"; do
  [[ "${v#*=}" =~ ^[0-9]+$ ]] || { echo "bench-vs-pytorch-gpu.sh: ${v%%=*} must be a whole number, got '${v#*=}'" >&2; exit 2; }
done
for g in $lockstep $sequential; do
  [[ "$g" =~ ^[0-9]+:[0-9]+(,[0-9]+)*$ ]] || { echo "bench-vs-pytorch-gpu.sh: cell group '$g': expected T:B[,B...]" >&2; exit 2; }
done
case "$device" in cuda) pk_device=gpu ;; cpu) pk_device=cpu ;; *) echo "BENCH_DEVICE: cuda or cpu, got '$device'" >&2; exit 2 ;; esac
cpus=${BENCH_CPUS:-}
if [ "$cpus" = auto ]; then
  cpus=$("$python" environment/bench/gpu_cpus.py --last 4) || { echo "bench-vs-pytorch-gpu.sh: BENCH_CPUS=auto: no GPU-local CPUs found" >&2; exit 2; }
fi
if [ -n "$cpus" ]; then
  [[ "$cpus" =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] || { echo "bench-vs-pytorch-gpu.sh: BENCH_CPUS: a CPU list such as 0-3 or 0,2, or auto; got '$cpus'" >&2; exit 2; }
  command -v taskset > /dev/null || { echo "bench-vs-pytorch-gpu.sh: BENCH_CPUS needs taskset (util-linux)" >&2; exit 2; }
  taskset -c "$cpus" true 2> /dev/null || { echo "bench-vs-pytorch-gpu.sh: BENCH_CPUS=$cpus: not CPUs of this machine ($(nproc) online)" >&2; exit 2; }
  echo "every side pinned to CPUs $cpus (taskset)"
fi
pin=(); [ -n "$cpus" ] && pin=(taskset -c "$cpus")   # the prefix of every side's command
source environment/bench/ring.sh
mkdir -p "$out"
if [ ! -f "$model/config.json" ]; then
  echo "model: exporting smollm2 to $model (float32, Hugging Face layout)"
  rm -rf "$model.partial"
  PRUNEKIT_DEVICE=cpu $pk export --model smollm2 --out "$model.partial" > "$out/export.log" 2>&1 \
    && mv "$model.partial" "$model" || { echo "export failed:"; tail -n 20 "$out/export.log"; exit 1; }
fi

# side SIDE MINE NEXT (MINE empty: alone): one process for the loop's cell group ($t, $bs) into $dir, in the background
side() {
  local w=$warmup err
  [ "$t" -le 256 ] && w=$warmup_short
  local args=(--model "$model" --seqlen "$t" --batch "$bs" --warmup "$w" --iterations "$iters")
  [ -n "$2" ] && args+=(--lockstep "$2,$3")
  if [ -z "$2" ] && [ "$matmul_n" -gt 0 ]; then args+=(--matmul-size "$matmul_n"); else args+=(--matmul-size 0); fi
  err="$dir/$1.err"; ring_errs+=("$err")
  local cmd
  if [ "$1" = prunekit ]; then
    cmd=(env PRUNEKIT_DEVICE=$pk_device $pk bench "${args[@]}")
  elif [ "$1" = prunekit-base ]; then
    cmd=(env PRUNEKIT_DEVICE=$pk_device "${PK_PRUNEKIT_BASE:?prunekit-base needs PK_PRUNEKIT_BASE}" bench "${args[@]}")
  else
    cmd=("$python" environment/bench/pytorch_bench.py "${args[@]}" --impl plain --device "$device" --attn "${1#pytorch-}")
  fi
  ( [ -n "$cpus" ] && echo "cpus=$cpus"; exec "${pin[@]}" "${cmd[@]}" ) > "$dir/$1.out" 2> "$err" &
}
sides=(prunekit); for a in $attns; do sides+=("pytorch-$a"); done
[ -n "${BENCH_SIDES:-}" ] && sides=(prunekit $BENCH_SIDES)
for r in $(seq 1 "$rounds"); do
  for g in $lockstep; do
    t=${g%%:*} bs=${g#*:} dir="$out/round-$r/lockstep-t$t-b${bs//,/-}"
    mkdir -p "$dir"
    echo "$(date -u +%T) round $r/$rounds: ${sides[*]} in lockstep, $bs x $t tokens"
    ring "$dir" "round $r, $bs x $t" side "${sides[@]}"
  done
  for g in $sequential; do
    t=${g%%:*} bs=${g#*:} dir="$out/round-$r/sequential-t$t-b${bs//,/-}"
    mkdir -p "$dir"
    n=${#sides[@]}
    for i in $(seq 0 $((n - 1))); do       # the order turns with the round: no side always first
      s=${sides[$(( (i + r - 1) % n ))]}
      echo "$(date -u +%T) round $r/$rounds: $s alone, $bs x $t tokens"
      ring_errs=()
      side "$s" "" ""
      wait $! || { echo "bench-vs-pytorch-gpu.sh: $s failed at $bs x $t:"; tail -n 20 "${ring_errs[-1]}"; exit 1; }
    done
  done
done
"$python" environment/bench/gpu_report.py --dir "$out" ${csv:+--csv "$csv"} | tee "$out/report.txt"
"$python" environment/bench/gpu_report.py --dir "$out" --markdown > "$out/report.md"
