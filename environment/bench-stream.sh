#!/usr/bin/env bash
# Streaming weight pruning (issue #9): a model larger than this machine's memory, pruned one layer at a
# time. A benchmark, not a test: run it on an idle machine; the 7B part takes about a quarter of an hour
# and 45 GB of disk under data/cache/ (git-ignored).
#
#   bash environment/bench-stream.sh [--small-only]
#
# 1. SmolLM2-135M, exported to a Hugging Face directory, pruned with Wanda at 50 % twice: loaded
#    (`prunekit prune`) and streamed (`prunekit prune --stream`): wall time and peak resident memory
#    of each process, and a byte comparison of the two weights files (they must be equal).
# 2. A checkpoint in the shape of Llama-2-7B (6.74 B parameters; bfloat16 shards 13.5 GB, 27 GB as
#    float32, more than this machine's 24 GB) with random weights, made by
#    environment/bench/synthetic_llama.py (no model hub is reachable here: a real 7B checkpoint is
#    not), pruned with `prune --stream` (Wanda 50 %); then an independent check of the output with
#    the safetensors library: every decoder linear weight of the first and the last layer has half
#    of each row zero. (--small-only skips this part.)
# Records: data/results/bench-stream.csv (metrics wall_s, peak_rss_mb, sparsity, output_gb).
# Environment: STREAM_METHOD (wanda), STREAM_CALIB_SAMPLES (4), STREAM_SEQLEN (128), STREAM_CSV.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

small_only=0
for arg in "$@"; do
  case "$arg" in
    --small-only) small_only=1 ;;
    *) echo "bench-stream.sh: unknown argument '$arg' (accepted: --small-only)" >&2; exit 2 ;;
  esac
done
method=${STREAM_METHOD:-wanda}
samples=${STREAM_CALIB_SAMPLES:-4}
seqlen=${STREAM_SEQLEN:-128}
csv=${STREAM_CSV:-data/results/bench-stream.csv}
case "$method" in magnitude|wanda|sparsegpt) ;; *)
  echo "bench-stream.sh: STREAM_METHOD must be magnitude, wanda or sparsegpt, got '$method'" >&2; exit 2 ;;
esac

bash environment/bench-vs-pytorch.sh --setup-only      # the PyTorch virtualenv and data/cache/bench-model
venv=data/cache/bench-venv
out="data/cache/bench-runs/stream-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
[ -f "$csv" ] || echo "timestamp,model,method,settings,data,seqlen,seed,device,wall_s,metric,value,stderr,n,ci_low,ci_high" > "$csv"

# run NAME MODEL OUTDIR [--stream]: one prune command, timed, its peak memory measured
run() {
  local name=$1 model=$2 dir=$3; shift 3
  rm -rf "$dir"
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "peak_rss_kb=%M" -o "$out/$name.time" \
    bin/prunekit prune --model "$model" --method "$method" --sparsity 0.5 --calib-corpus brown \
      --calib-samples "$samples" --seqlen "$seqlen" --seed 0 --out "$dir" "$@" > "$out/$name.out" 2> "$out/$name.err" \
    || { echo "bench-stream.sh: $name failed:" >&2; tail -n 20 "$out/$name.err" >&2; exit 1; }
  end=$(date +%s.%N)
  local wall rss sparsity gb
  wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  rss=$(sed -n 's/^peak_rss_kb=//p' "$out/$name.time" | awk '{ printf "%.0f", $1 / 1024 }')
  sparsity=$(sed -n 's/^sparsity=//p' "$out/$name.out")
  gb=$(du -sb "$dir/model.safetensors" | awk '{ printf "%.2f", $1 / 1e9 }')
  printf '%-28s wall %8s s   peak RSS %7s MiB   sparsity %s   output %s GB\n' "$name" "$wall" "$rss" "$sparsity" "$gb"
  local ts settings
  ts=$(date -u +%Y-%m-%dT%H:%M:%SZ)   # model_label, settings: no commas (CSV fields)
  settings="sparsity=0.5;calib=${samples}x${seqlen};${*:-in-memory}"
  for m in "wall_s $wall" "peak_rss_mb $rss" "sparsity $sparsity" "output_gb $gb"; do
    set -- $m
    echo "$ts,$model_label,$method,$settings,brown calibration,$seqlen,0,cpu(),$wall,$1,$2,NaN,1,NaN,NaN" >> "$csv"
  done
}

# ---- 1. SmolLM2: loaded vs streamed ----------------------------------------------------------------
model_label="SmolLM2-135M-Instruct (Q4_1 GGUF; float32 export)"
run smollm2-in-memory data/cache/bench-model data/cache/bench-pruned/smollm2-memory
run smollm2-streamed data/cache/bench-model data/cache/bench-pruned/smollm2-stream --stream
if cmp -s data/cache/bench-pruned/smollm2-memory/model.safetensors data/cache/bench-pruned/smollm2-stream/model.safetensors; then
  echo "smollm2: the streamed weights file equals the in-memory one, byte for byte"
else
  echo "bench-stream.sh: the streamed and in-memory weights files differ" >&2; exit 1
fi
rm -rf data/cache/bench-pruned
[ "$small_only" = 1 ] && exit 0

# ---- 2. Llama-2-7B shape, random weights ------------------------------------------------------------
synth=data/cache/synthetic-llama2-7b
if [ ! -f "$synth/config.json" ]; then
  tok=data/cache/bench-stories15m
  [ -f "$tok/tokenizer.json" ] || bin/prunekit export --model stories15m --out "$tok" > /dev/null
  rm -rf "$synth.partial"
  "$venv/bin/python" environment/bench/synthetic_llama.py --shape llama2-7b --tokenizer "$tok/tokenizer.json" \
    --out "$synth.partial"
  mv "$synth.partial" "$synth"
fi
model_label="Llama-2-7B shape; random weights (synthetic; bfloat16 shards)"
pruned=data/cache/bench-pruned/llama2-7b-stream
run llama2-7b-streamed "$synth" "$pruned" --stream
"$venv/bin/python" - "$pruned" <<'EOF'
# read with the file's own header and numpy, tensor by tensor (the safetensors library maps the whole
# 27 GB file at once, which this machine's memory limits refuse)
import json, struct, sys
import numpy as np
path = sys.argv[1] + "/model.safetensors"
with open(path, "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    start = 8 + n
    names = [k for k in header if k != "__metadata__"]
    last = max(int(k.split(".")[2]) for k in names if k.startswith("model.layers."))
    for layer in (0, last):
        for m in ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                  "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"):
            info = header[f"model.layers.{layer}.{m}.weight"]
            assert info["dtype"] == "F32", info
            rows, cols = info["shape"]
            b, e = info["data_offsets"]
            f.seek(start + b)
            w = np.frombuffer(f.read(e - b), dtype="<f4").reshape(rows, cols)
            zeros = (w == 0).sum(axis=1)
            assert (zeros == cols // 2).all(), (layer, m, zeros.min(), zeros.max())
print(f"check (numpy on the file's own header): {len(names)} tensors; layers 0 and {last}: every row of the "
      f"7 linear weights half zero")
EOF
rm -rf data/cache/bench-pruned
echo "records appended to $csv"
