#!/usr/bin/env bash
# prunekit against PyTorch + Hugging Face transformers, on this machine, on SmolLM2-135M, in one run
# (issue #9). A benchmark, not a test: run it on an idle machine; it takes minutes.
#
#   bash environment/bench-vs-pytorch.sh [--quick] [--generate] [--recover] [--pruning] [--selection] [--profile] [--no-bench] [--setup-only]
#
# 1. A throwaway virtualenv, data/cache/bench-venv/ (git-ignored), with pinned versions from PyPI:
#    torch 2.7.1 (the same PyTorch release as DJL's pytorch-native-cpu 2.7.1 that prunekit runs on),
#    transformers 4.57.6, safetensors 0.7.0, numpy 2.3.5. PyPI's only torch wheel for Linux x86_64 is
#    the CUDA build (2.7.1+cu126): pip also installs the nvidia-*-cu12 wheels and triton, about 3 GB of
#    downloads and 5.4 GB on disk. There is no CPU-only torch on PyPI for x86_64 (those wheels live on
#    PyTorch's own index, which this machine cannot reach), and `pip install --no-deps torch` does not
#    import (libtorch_cuda.so needs the CUDA libraries). Without a GPU the CUDA build runs on the CPU;
#    the CUDA libraries are loaded and unused. A second run reuses the virtualenv. BENCH_VENV=DIR uses
#    another virtualenv with torch and transformers instead, as it is (no install, no version check: the
#    versions it has are printed in every output and written into the records).
# 2. The model once in Hugging Face layout, float32 (bin/prunekit export --model smollm2 into
#    data/cache/bench-model/): both sides load the same weights from the same files.
# 3. Per sequence length (BENCH_SEQLENS), batch 1, random tokens (the same ids on both sides), both
#    processes on BENCH_THREADS intra-op and inter-op threads:
#      prunekit: bin/prunekit bench (forward; forward+backward of the mean next-token NLL with the
#                decoder weights trainable; a 2048² float32 matmul: the GFLOP/s ceiling);
#      PyTorch:  environment/bench/pytorch_bench.py, the same phases on AutoModelForCausalLM, once
#                per attention implementation in BENCH_ATTN (eager, sdpa);
#    each phase: BENCH_WARMUP untimed runs (both sides the same count: the JVM's C2 compiler was still
#    compiling prunekit's and DJL's Java code up to pass ~48, taking CPU from libtorch's threads, and
#    prunekit's passes got faster until about pass 41; PyTorch is steady after one or two), then the
#    median of BENCH_ITERS runs. This machine's speed drifts by 10-30 % over minutes, more than the differences measured, so by default (BENCH_MODE=lockstep)
#    the sides run at the same time and take turns pass by pass over a ring of FIFOs (prunekit.bench.Turns,
#    pytorch_bench.py --lockstep): one computes at a time, every pass starts after another side's, and a
#    drift reaches all sides alike. BENCH_MODE=sequential runs them one after another instead (prunekit,
#    then PyTorch), as before. All of it BENCH_ROUNDS times. Per round a table (tokens/s, the ratio prunekit/PyTorch, peak
#    resident MiB, achieved GFLOP/s and % of the matmul ceiling) and its numbers appended as result
#    records (settings round=k/R) to data/results/bench-vs-pytorch.csv; then one table over the rounds:
#    median tokens/s per side, the ratio of the medians, and the smallest and largest ratio of a round.
# 3c. --generate (off by default: minutes): generation with the key/value cache against transformers'
#    generate (issue #23). The prompt BENCH_GEN_PROMPT tokenised once by prunekit (prompt.txt: its ids and
#    the end-of-sequence id, which both sides read), batch 1, greedy, exactly BENCH_GEN_TOKENS new tokens
#    (min = max new tokens: end of sequence held off), the prompt's pass included in the time, BENCH_THREADS
#    threads: prunekit.bench.GenerationBenchmark (Generator.generate) and environment/bench/pytorch_generate.py
#    (model.generate, once per attention implementation in BENCH_ATTN), in lockstep generation by generation
#    (BENCH_MODE=sequential: one after another); BENCH_GEN_WARMUP untimed generations, then the median of
#    BENCH_GEN_ITERS. Per round a table (tokens/s, prunekit/PyTorch, whether both generated the same ids)
#    and records (metrics generate_tok_s, same_ids_as_prunekit; settings round=k/R) in BENCH_GEN_CSV; then
#    the medians over the rounds. Outputs in <run>/generate-<N>/round-<k>/.
# 3d. --recover (off by default: minutes): LoRA recovery training against PyTorch + transformers + peft (issue #21).
#    Both sides train on the same 24-layer model, SmolLM2 with 6 layers removed by Block Influence (the issue's
#    recovery case; pruned once by bin/prunekit prune into BENCH_RECOVER_MODEL, float32 safetensors, which both
#    sides load): LoRA r 8, alpha 16, no dropout, on all seven linear modules, base weights frozen; a step is
#    BENCH_RECOVER_BATCH windows of BENCH_RECOVER_SEQLEN random tokens (the same ids on both sides) in
#    micro-batches of BENCH_RECOVER_MICRO, gradients accumulated, clipped to norm 1.0, one AdamW update (torch's
#    defaults, weight decay 0.01) at a constant lr 2e-4: prunekit.bench.RecoveryBenchmark (prunekit.recover.TrainingStep,
#    what `prunekit recover` runs a step at a time) and environment/bench/peft_recover.py (get_peft_model, once per
#    attention implementation in BENCH_ATTN), in lockstep step by step (BENCH_MODE=sequential: one after another);
#    BENCH_RECOVER_WARMUP untimed steps, then the median of BENCH_RECOVER_ITERS. Per round a table (tokens/s,
#    prunekit/peft, peak resident MiB of each process: VmHWM, the JVM's heap and libtorch's native memory alike,
#    the first step's loss, equal on both sides) and records (metrics recover_tok_s, peak_rss_mb, first_step_loss,
#    prunekit_over_peft; settings round=k/R) in BENCH_RECOVER_CSV; then the medians over the rounds.
#    Outputs in <run>/recover/round-<k>/. peft (and accelerate, psutil) join the virtualenv on first use.
# 4. --pruning (off by default: minutes per method): every pruning method end to end from the command
#    line, small calibration (8 windows x 128 tokens of Brown), each one's wall time and the phases
#    it prints (load, calibration, statistics, selection/scoring, editing, save), as a table and as
#    records (metric prune_<phase>_s) in the same CSV. The pruned models are deleted after each run.
# 4b. --selection (off by default: about 6 minutes): GradMAP's layer selection in both forms against the PPL
#    criterion as published, timed in lockstep (prunekit.bench.SelectionLockstep): the criterion's L candidate
#    passes one at a time; after every 3, one gradmap-oneshot gradient pass (its whole selection) and the next
#    step of an iterative gradmap selection (a gradient pass per removed layer; 6 steps spread over the round),
#    so all sample the same minutes of this drifting machine; BENCH_SELECTION_ROUNDS rounds, the ratios of the
#    criterion's total to the median gradmap-oneshot pass and to the iterative gradmap's 6 steps per round, the
#    first gradient pass of the process apart, and records (method gradmap-oneshot / gradmap / ppl-published,
#    metrics select_seconds and published_over_gradmap) in data/results/bench-layer-selection.csv. (Records
#    before issue #22 named the one-shot pass "gradmap".)
#
# 5. --profile: one forward pass on each side under PyTorch's profiler (at the first of BENCH_SEQLENS,
#    attention eager), both Chrome traces in the run's output folder, and environment/bench/profile_summary.py
#    beside each other: time inside operators, time between them (the host side: Python and
#    transformers, or Java and DJL's JNI calls), operator counts, the operators that take the most time.
# Flags: --quick       1 timed iteration, 1 matmul, pruning on 2 windows x 32 tokens, generation of 16 tokens; no records
#                      appended unless BENCH_CSV is set (a smoke test of the script, not a measurement)
#        --generate    also run part 3c;  --recover  also run part 3d;  --pruning  also run part 4;  --selection  also run part 4b;  --no-bench  skip part 3;
#        --setup-only  steps 1 and 2 only
# Environment (defaults): BENCH_MODE (lockstep; or sequential), BENCH_ITERS (10), BENCH_WARMUP (60; --quick 1), BENCH_ROUNDS (3; --quick 1), BENCH_SEQLENS ("128 256"), BENCH_THREADS (2: DJL's default
#   here, one per core), BENCH_ATTN ("eager sdpa"), BENCH_MATMUL_N (2048), BENCH_MATMUL_ITERS (10),
#   BENCH_CSV (data/results/bench-vs-pytorch.csv; "none": append nothing), BENCH_VENV (data/cache/bench-venv),
#   BENCH_GEN_TOKENS ("100"; several: one run each), BENCH_GEN_PROMPT ("The history of the printing press begins"),
#   BENCH_GEN_ITERS (5), BENCH_GEN_WARMUP (3), BENCH_GEN_CSV (data/results/bench-generate.csv; --quick or "none": none),
#   BENCH_RECOVER_MODEL (data/cache/bench-model-bi6), BENCH_RECOVER_BATCH (4), BENCH_RECOVER_MICRO (2), BENCH_RECOVER_SEQLEN (256),
#   BENCH_RECOVER_WARMUP (5; --quick 1), BENCH_RECOVER_ITERS (10; --quick 1),
#   BENCH_RECOVER_CSV (data/results/bench-recover-vs-peft.csv; --quick or "none": none),
#   BENCH_PRUNE_MODEL (smollm2),
#   BENCH_PRUNE_METHODS (all ten: gradmap is the iterative form, gradmap-oneshot the one-shot form), BENCH_CALIB_SAMPLES (8), BENCH_CALIB_SEQLEN (128), BENCH_SELECTION_ROUNDS (2;
#   --quick 1), BENCH_SELECTION_CSV (data/results/bench-layer-selection.csv; --quick or "none": none).
# Outputs of every command are kept in data/cache/bench-runs/<UTC time>/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

quick=0 pruning=0 selection=0 bench=1 setup_only=0 profile=0 generate=0 recover=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --generate) generate=1 ;;
    --recover) recover=1 ;;
    --pruning) pruning=1 ;;
    --selection) selection=1 ;;
    --profile) profile=1 ;;
    --no-bench) bench=0 ;;
    --setup-only) setup_only=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-vs-pytorch.sh: unknown argument '$arg' (accepted: --quick --generate --recover --pruning --selection --profile --no-bench --setup-only)" >&2
       exit 2 ;;
  esac
done

iters=${BENCH_ITERS:-10}
rounds=${BENCH_ROUNDS:-3}
warmup=${BENCH_WARMUP:-60}
matmul_iters=${BENCH_MATMUL_ITERS:-10}
calib_samples=${BENCH_CALIB_SAMPLES:-8}
calib_seqlen=${BENCH_CALIB_SEQLEN:-128}
selection_rounds=${BENCH_SELECTION_ROUNDS:-2}
gen_tokens=${BENCH_GEN_TOKENS:-100}
gen_iters=${BENCH_GEN_ITERS:-5}
gen_warmup=${BENCH_GEN_WARMUP:-3}
gen_prompt=${BENCH_GEN_PROMPT:-The history of the printing press begins}
rec_model=${BENCH_RECOVER_MODEL:-data/cache/bench-model-bi6}
rec_batch=${BENCH_RECOVER_BATCH:-4}
rec_micro=${BENCH_RECOVER_MICRO:-2}
rec_seqlen=${BENCH_RECOVER_SEQLEN:-256}
rec_warmup=${BENCH_RECOVER_WARMUP:-5}
rec_iters=${BENCH_RECOVER_ITERS:-10}
if [ "$quick" = 1 ]; then
  iters=1 matmul_iters=1 rounds=${BENCH_ROUNDS:-1} warmup=${BENCH_WARMUP:-1}
  calib_samples=${BENCH_CALIB_SAMPLES:-2} calib_seqlen=${BENCH_CALIB_SEQLEN:-32}
  selection_rounds=${BENCH_SELECTION_ROUNDS:-1}
  gen_tokens=${BENCH_GEN_TOKENS:-16} gen_iters=${BENCH_GEN_ITERS:-1} gen_warmup=${BENCH_GEN_WARMUP:-1}
  csv=${BENCH_CSV:-none}
  selection_csv=${BENCH_SELECTION_CSV:-none}
  gen_csv=${BENCH_GEN_CSV:-none}
  rec_warmup=${BENCH_RECOVER_WARMUP:-1} rec_iters=${BENCH_RECOVER_ITERS:-1}
  rec_csv=${BENCH_RECOVER_CSV:-none}
else
  csv=${BENCH_CSV:-data/results/bench-vs-pytorch.csv}
  selection_csv=${BENCH_SELECTION_CSV:-data/results/bench-layer-selection.csv}
  gen_csv=${BENCH_GEN_CSV:-data/results/bench-generate.csv}
  rec_csv=${BENCH_RECOVER_CSV:-data/results/bench-recover-vs-peft.csv}
fi
seqlens=${BENCH_SEQLENS:-128 256}
threads=${BENCH_THREADS:-2}
attns=${BENCH_ATTN:-eager sdpa}
mode=${BENCH_MODE:-lockstep}
case "$mode" in
  lockstep|sequential) ;;
  *) echo "bench-vs-pytorch.sh: BENCH_MODE must be lockstep or sequential, got '$mode'" >&2; exit 2 ;;
esac
matmul_n=${BENCH_MATMUL_N:-2048}
prune_model=${BENCH_PRUNE_MODEL:-smollm2}
prune_methods=${BENCH_PRUNE_METHODS:-gradmap gradmap-oneshot block-influence ppl taylor magnitude wanda sparsegpt gblm slm}
[ "$csv" = none ] && csv=""
[ "$selection_csv" = none ] && selection_csv=""
[ "$gen_csv" = none ] && gen_csv=""
[ "$rec_csv" = none ] && rec_csv=""

positive() {   # name value: a whole number >= 1, or exit naming the variable
  [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "bench-vs-pytorch.sh: $1 must be a whole number >= 1, got '$2'" >&2; exit 2; }
}
positive BENCH_ITERS "$iters"; positive BENCH_ROUNDS "$rounds"; positive BENCH_WARMUP "$warmup"; positive BENCH_MATMUL_ITERS "$matmul_iters"; positive BENCH_THREADS "$threads"
positive BENCH_MATMUL_N "$matmul_n"; positive BENCH_CALIB_SAMPLES "$calib_samples"
positive BENCH_CALIB_SEQLEN "$calib_seqlen"; positive BENCH_SELECTION_ROUNDS "$selection_rounds"
for t in $seqlens; do positive "BENCH_SEQLENS entry" "$t"; done
for n in $gen_tokens; do positive "BENCH_GEN_TOKENS entry" "$n"; done
positive BENCH_GEN_ITERS "$gen_iters"; positive BENCH_GEN_WARMUP "$gen_warmup"
positive BENCH_RECOVER_BATCH "$rec_batch"; positive BENCH_RECOVER_MICRO "$rec_micro"; positive BENCH_RECOVER_SEQLEN "$rec_seqlen"
positive BENCH_RECOVER_WARMUP "$rec_warmup"; positive BENCH_RECOVER_ITERS "$rec_iters"
[ $((rec_batch % rec_micro)) = 0 ] || { echo "bench-vs-pytorch.sh: BENCH_RECOVER_MICRO=$rec_micro must divide BENCH_RECOVER_BATCH=$rec_batch" >&2; exit 2; }

# ---- 1. the virtualenv -------------------------------------------------------------------------
venv=data/cache/bench-venv
requirements="torch==2.7.1 transformers==4.57.6 safetensors==0.7.0 numpy==2.3.5"
stamp="$venv/prunekit-requirements.txt"          # written after a complete install: what it holds
if [ -n "${BENCH_VENV:-}" ]; then
  venv=$BENCH_VENV
  [ -x "$venv/bin/python" ] || { echo "bench-vs-pytorch.sh: BENCH_VENV=$venv has no bin/python" >&2; exit 2; }
  echo "virtualenv: $venv (BENCH_VENV, as it is: $("$venv/bin/python" -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)'))"
elif [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$requirements" ]; then
  echo "virtualenv: reusing $venv ($requirements)"
else
  echo "virtualenv: creating $venv and installing $requirements from PyPI (about 3 GB of wheels, once)"
  python3 -m venv --clear "$venv"
  "$venv/bin/pip" install --quiet --no-cache-dir --disable-pip-version-check $requirements
  "$venv/bin/pip" freeze --disable-pip-version-check > "$venv/pip-freeze.txt"
  echo "$requirements" > "$stamp"
  echo "virtualenv: $(du -sh "$venv" | cut -f1) installed; versions in $venv/pip-freeze.txt"
fi

peft_requirements="peft==0.17.1 accelerate==1.16.0 psutil==7.2.2"   # --recover only; added to the same virtualenv
peft_stamp="$venv/prunekit-peft-requirements.txt"
if [ "$recover" = 1 ] && [ -z "${BENCH_VENV:-}" ] && [ "$(cat "$peft_stamp" 2>/dev/null)" != "$peft_requirements" ]; then
  echo "virtualenv: adding $peft_requirements (torch and transformers stay as they are)"
  "$venv/bin/pip" install --quiet --no-cache-dir --disable-pip-version-check $peft_requirements
  "$venv/bin/pip" freeze --disable-pip-version-check > "$venv/pip-freeze.txt"
  echo "$peft_requirements" > "$peft_stamp"
fi

# ---- 2. the library and the exported model ---------------------------------------------------
jar=lib/target/prunekit-0.1.0-SNAPSHOT.jar
if [ -f "$jar" ] && [ -n "$(find lib/src/main -newer "$jar" -print -quit)" ]; then
  echo "bench-vs-pytorch.sh: $jar is older than lib/src/main; rebuild it first: mvn -q -B -o -DskipTests package" >&2
  exit 1
fi
model_dir=data/cache/bench-model
if [ -f "$model_dir/config.json" ] && [ -f "$model_dir/model.safetensors" ]; then
  echo "model: reusing $model_dir"
else
  echo "model: exporting smollm2 to $model_dir (Hugging Face layout, float32)"
  rm -rf "$model_dir.partial"
  bin/prunekit export --model smollm2 --out "$model_dir.partial" > /dev/null
  mv "$model_dir.partial" "$model_dir"               # a complete export or none: an interrupted one is redone
fi
if [ "$recover" = 1 ]; then
  if [ -f "$rec_model/config.json" ] && [ -f "$rec_model/model.safetensors" ]; then
    echo "recovery model: reusing $rec_model"
  else
    echo "recovery model: SmolLM2 with 6 layers removed by Block Influence into $rec_model"
    rm -rf "$rec_model.partial"
    bin/prunekit prune --model smollm2 --method block-influence --remove-layers 6 --calib-corpus brown \
        --calib-samples 16 --seqlen 128 --seed 0 --out "$rec_model.partial" > /dev/null
    mv "$rec_model.partial" "$rec_model"
  fi
fi
[ "$setup_only" = 1 ] && { echo "setup done"; exit 0; }

out="data/cache/bench-runs/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
echo "outputs: $out"
export PRUNEKIT_DEVICE=cpu
java_threads="-Dai.djl.pytorch.num_threads=$threads -Dai.djl.pytorch.num_interop_threads=$threads"

# Each side on the exported model with BENCH_THREADS threads; the arguments after are the run's.
prunekit_bench() {
  PRUNEKIT_JAVA_OPTS="${PRUNEKIT_JAVA_OPTS:-} $java_threads" bin/prunekit bench --model "$model_dir" "$@"
}
bench_main() {    # CLASS ARGS...: a main class of prunekit.bench, on the jar, with BENCH_THREADS threads
  [ -f "$jar" ] && [ -d lib/target/deps ] || mvn -q -B -DskipTests package    # as bin/prunekit does on first use
  # shellcheck disable=SC2086
  java -Xmx8g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dprunekit.root="$root" $java_threads \
      -cp "$jar:lib/target/deps/*" "prunekit.bench.$1" "${@:2}"
}
pytorch_bench() {
  HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$venv/bin/python" environment/bench/pytorch_bench.py --model "$model_dir" \
      --threads "$threads" --interop-threads "$threads" "$@"
}

# ---- 3. prunekit against PyTorch ---------------------------------------------------------------
bench_args=(--batch 1 --warmup "$warmup" --iterations "$iters" --matmul-size "$matmul_n" --matmul-iterations "$matmul_iters")

source environment/bench/ring.sh     # ring DIR WHAT START SIDE...: the sides in lockstep over FIFOs

# lockstep_round DIR SEQLEN: prunekit and one PyTorch process per attention implementation, pass by pass.
lockstep_round() {
  echo "seqlen $2: lockstep, prunekit $attns (iterations: $iters, turn by turn)"
  ring "$1" "seqlen $2" bench_side prunekit $attns
}
bench_side() {   # SIDE MINE NEXT: that side's run at the loop's seqlen $t, into the loop's $rdir
  local args=(--seqlen "$t" "${bench_args[@]}" --lockstep "$2,$3") name=prunekit-$t
  [ "$1" = prunekit ] || name=pytorch-$1-$t
  ring_errs+=("$rdir/$name.err")
  if [ "$1" = prunekit ]; then
    prunekit_bench "${args[@]}" > "$rdir/$name.out" 2> "$rdir/$name.err" &
  else
    pytorch_bench "${args[@]}" --attn "$1" > "$rdir/$name.out" 2> "$rdir/$name.err" &
  fi
}

if [ "$bench" = 1 ]; then
 for r in $(seq 1 "$rounds"); do
  rdir="$out/round-$r"
  mkdir -p "$rdir"
  [ "$rounds" -gt 1 ] && echo "round $r of $rounds"
  for t in $seqlens; do
    if [ "$mode" = lockstep ]; then
      lockstep_round "$rdir" "$t"
      continue
    fi
    echo "seqlen $t: prunekit (iterations: $iters)"
    prunekit_bench --seqlen "$t" "${bench_args[@]}" > "$rdir/prunekit-$t.out" 2> "$rdir/prunekit-$t.err" \
      || { echo "bench-vs-pytorch.sh: prunekit bench failed at seqlen $t:" >&2; cat "$rdir/prunekit-$t.err" >&2; exit 1; }
    for attn in $attns; do
      echo "seqlen $t: PyTorch, attn=$attn"
      rc=0
      pytorch_bench --seqlen "$t" "${bench_args[@]}" --attn "$attn" \
          > "$rdir/pytorch-$attn-$t.out" 2> "$rdir/pytorch-$attn-$t.err" || rc=$?
      if [ "$rc" = 3 ]; then                        # this transformers has no such attention: skip it
        echo "  skipped: $(tail -n 1 "$rdir/pytorch-$attn-$t.err")"
        rm -f "$rdir/pytorch-$attn-$t.out"
      elif [ "$rc" != 0 ]; then
        echo "bench-vs-pytorch.sh: pytorch_bench.py --attn $attn failed at seqlen $t:" >&2
        cat "$rdir/pytorch-$attn-$t.err" >&2
        exit 1
      fi
    done
  done
  python3 environment/bench/report.py bench --dir "$rdir" --round "$r/$rounds" ${csv:+--csv "$csv"}
 done
 python3 environment/bench/report.py rounds --dir "$out"
fi

# ---- 3c. generation with the key/value cache against transformers' generate ------------------------
generate_side() {   # SIDE MINE NEXT (MINE empty: alone): one side generating the loop's $gen_n tokens into its $rdir
  local args=(--prompt-file "$prompt_file" --new-tokens "$gen_n" --warmup "$gen_warmup" --iterations "$gen_iters")
  if [ -n "$2" ]; then args+=(--lockstep "$2,$3"); fi
  if [ "$1" = prunekit ]; then
    ring_errs+=("$rdir/prunekit.err")
    bench_main GenerationBenchmark --model "$model_dir" "${args[@]}" > "$rdir/prunekit.out" 2> "$rdir/prunekit.err" &
  else
    ring_errs+=("$rdir/pytorch-$1.err")
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$venv/bin/python" environment/bench/pytorch_generate.py run \
        --model "$model_dir" --threads "$threads" --interop-threads "$threads" --attn "$1" "${args[@]}" \
        > "$rdir/pytorch-$1.out" 2> "$rdir/pytorch-$1.err" &
  fi
}

if [ "$generate" = 1 ]; then
  prompt_file="$out/prompt.txt"                  # the prompt's ids, tokenised once, for both sides
  bench_main GenerationBenchmark --model "$model_dir" --prompt "$gen_prompt" --write-prompt "$prompt_file" > /dev/null \
    || { echo "bench-vs-pytorch.sh: GenerationBenchmark --write-prompt failed" >&2; exit 1; }
  for gen_n in $gen_tokens; do
    for r in $(seq 1 "$rounds"); do
      rdir="$out/generate-$gen_n/round-$r"
      mkdir -p "$rdir"
      echo "generation of $gen_n tokens, round $r of $rounds: prunekit $attns ($mode; $gen_warmup untimed + $gen_iters timed each)"
      if [ "$mode" = lockstep ]; then
        ring "$rdir" "generation of $gen_n tokens" generate_side prunekit $attns
      else
        ring_errs=()
        for side in prunekit $attns; do
          generate_side "$side" "" ""
          wait $! || { echo "bench-vs-pytorch.sh: the $side side of the generation failed:" >&2
                       tail -n 20 "${ring_errs[-1]}" >&2; exit 1; }
        done
      fi
      python3 environment/bench/pytorch_generate.py report --dir "$rdir" --round "$r/$rounds" ${gen_csv:+--csv "$gen_csv"}
    done
    python3 environment/bench/pytorch_generate.py rounds --dir "$out/generate-$gen_n"
  done
fi

# ---- 3d. LoRA recovery training against PyTorch + transformers + peft ------------------------------
recover_side() {   # SIDE MINE NEXT (MINE empty: alone): one side's training steps into the loop's $rdir
  local args=(--model "$rec_model" --batch "$rec_batch" --micro-batch "$rec_micro" --seqlen "$rec_seqlen"
              --warmup "$rec_warmup" --iterations "$rec_iters")
  if [ -n "$2" ]; then args+=(--lockstep "$2,$3"); fi
  if [ "$1" = prunekit ]; then
    ring_errs+=("$rdir/prunekit.err")
    bench_main RecoveryBenchmark "${args[@]}" > "$rdir/prunekit.out" 2> "$rdir/prunekit.err" &
  else
    ring_errs+=("$rdir/peft-$1.err")
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$venv/bin/python" environment/bench/peft_recover.py run \
        --threads "$threads" --interop-threads "$threads" --attn "$1" "${args[@]}" \
        > "$rdir/peft-$1.out" 2> "$rdir/peft-$1.err" &
  fi
}

if [ "$recover" = 1 ]; then
  for r in $(seq 1 "$rounds"); do
    rdir="$out/recover/round-$r"
    mkdir -p "$rdir"
    echo "LoRA recovery, round $r of $rounds: prunekit, peft $attns ($mode; $rec_warmup untimed + $rec_iters timed steps each)"
    if [ "$mode" = lockstep ]; then
      ring "$rdir" "LoRA recovery" recover_side prunekit $attns
    else
      ring_errs=()
      for side in prunekit $attns; do
        recover_side "$side" "" ""
        wait $! || { echo "bench-vs-pytorch.sh: the $side side of the recovery failed:" >&2
                     tail -n 20 "${ring_errs[-1]}" >&2; exit 1; }
      done
    fi
    python3 environment/bench/peft_recover.py report --dir "$rdir" --round "$r/$rounds" ${rec_csv:+--csv "$rec_csv"}
  done
  python3 environment/bench/peft_recover.py rounds --dir "$out/recover"
fi

# ---- 4. every pruning method end to end ---------------------------------------------------------
if [ "$pruning" = 1 ]; then
  n_methods=$(wc -w <<< "$prune_methods")
  i=0
  for method in $prune_methods; do
    i=$((i + 1))
    case "$method" in
      gradmap|gradmap-oneshot|block-influence|ppl|taylor) settings="remove_layers=6"; opts=(--remove-layers 6) ;;
      magnitude|wanda|sparsegpt) settings="sparsity=0.5"; opts=(--sparsity 0.5) ;;
      gblm) settings="sparsity=0.5"; opts=(--sparsity 0.5 --no-stats-cache) ;;   # gradients computed, never cached
      slm) settings="threshold=0.9;merge=paper"; opts=(--threshold 0.9) ;;
      *) echo "bench-vs-pytorch.sh: unknown method '$method' in BENCH_PRUNE_METHODS (accepted: gradmap" \
              "gradmap-oneshot block-influence ppl taylor magnitude wanda sparsegpt gblm slm)" >&2; exit 2 ;;
    esac
    pruned="data/cache/bench-pruned/$method"
    rm -rf "$pruned"
    log="$out/prune-$method"
    timer=()
    [ -x /usr/bin/time ] && timer=(/usr/bin/time -f "peak_rss_kb=%M" -o "$log.time")   # GNU time: peak memory
    printf '[%d/%d] prune --method %s ... ' "$i" "$n_methods" "$method"
    start=$(date +%s.%N)
    rc=0
    PRUNEKIT_JAVA_OPTS="${PRUNEKIT_JAVA_OPTS:-} $java_threads" ${timer[@]+"${timer[@]}"} \
        bin/prunekit prune --model "$prune_model" --method "$method" "${opts[@]}" --calib-corpus brown \
        --calib-samples "$calib_samples" --seqlen "$calib_seqlen" --seed 0 --out "$pruned" \
        > "$log.out" 2> "$log.err" || rc=$?
    end=$(date +%s.%N)
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    {
      echo "wall_seconds=$wall"
      echo "exit_code=$rc"
      [ -f "$log.time" ] && grep '^peak_rss_kb=' "$log.time"
      echo "bench_order=$i"
      echo "bench_model=$prune_model"
      echo "bench_settings=$settings;calib=${calib_samples}x${calib_seqlen};threads=$threads"
      echo "bench_data=brown calibration, $calib_samples x $calib_seqlen tokens, seed 0"
      echo "bench_seqlen=$calib_seqlen"
      echo "bench_samples=$calib_samples"
    } >> "$log.out"
    rm -rf "$pruned"                                  # the save was timed; the model is not needed
    if [ "$rc" = 0 ]; then echo "${wall} s"; else echo "failed (exit $rc, see $log.err)"; fi
  done
  rmdir data/cache/bench-pruned 2>/dev/null || true
  python3 environment/bench/report.py prune --dir "$out" ${csv:+--csv "$csv"}
fi

# ---- 4b. GradMAP's selection against the PPL criterion as published, in lockstep ------------------
if [ "$selection" = 1 ]; then
  echo "selection: GradMAP against the PPL criterion as published, $selection_rounds round(s) in lockstep"
  [ -f "$jar" ] && [ -d lib/target/deps ] || mvn -q -B -DskipTests package    # as bin/prunekit does on first use
  # shellcheck disable=SC2086
  java -Xmx8g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn $java_threads \
      -cp "$jar:lib/target/deps/*" prunekit.bench.SelectionLockstep "$prune_model" "$calib_samples" "$calib_seqlen" \
      brown "$selection_rounds" 3 6 ${selection_csv:+"$selection_csv"} 2> "$out/selection.err" | tee "$out/selection.out" \
    || { echo "bench-vs-pytorch.sh: SelectionLockstep failed:" >&2; cat "$out/selection.err" >&2; exit 1; }
fi

# ---- 5. where a forward pass spends its time --------------------------------------------------------
if [ "$profile" = 1 ]; then
  t=$(awk '{ print $1 }' <<< "$seqlens")
  echo "profile: one forward pass at seqlen $t on each side"
  prunekit_bench --seqlen "$t" --batch 1 --iterations 1 --matmul-size 0 --profile "$out/prunekit-trace.json" \
      > "$out/prunekit-profile.out" 2> "$out/prunekit-profile.err" \
    || { echo "bench-vs-pytorch.sh: prunekit bench --profile failed:" >&2; cat "$out/prunekit-profile.err" >&2; exit 1; }
  pytorch_bench --seqlen "$t" --batch 1 --iterations 1 --attn eager --matmul-size 0 --profile "$out/pytorch-trace.json" \
      > "$out/pytorch-profile.out" 2> "$out/pytorch-profile.err" \
    || { echo "bench-vs-pytorch.sh: pytorch_bench.py --profile failed:" >&2; cat "$out/pytorch-profile.err" >&2; exit 1; }
  python3 environment/bench/profile_summary.py "$out/prunekit-trace.json" "$out/pytorch-trace.json" \
      --labels prunekit,pytorch | tee "$out/profile-summary.txt"
fi
