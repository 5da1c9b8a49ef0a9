# Sourced by environment/bench-vs-pytorch.sh and environment/gpu/bench-vs-pytorch-gpu.sh (bash).
#
# ring DIR WHAT START SIDE...: one process per SIDE, started together by `START SIDE MINE NEXT` (in the
# background: $! is its pid; it adds its error file to ring_errs), taking turns over a ring of FIFOs in DIR
# (prunekit.bench.Turns): one computes at a time, and a drift of the machine's speed reaches every side alike.
# Loading overlaps; no timed pass does. The first turn is the first side's. One side failing stops the others.
ring() {
  local dir=$1 what=$2 start=$3 n i pids=() rc=0
  shift 3
  local sides=("$@")
  n=${#sides[@]}
  ring_errs=()
  for i in $(seq 0 $((n - 1))); do rm -f "$dir/turn-$i"; mkfifo "$dir/turn-$i"; done
  for i in $(seq 0 $((n - 1))); do
    "$start" "${sides[$i]}" "$dir/turn-$i" "$dir/turn-$(( (i + 1) % n ))"
    pids+=($!)
  done
  exec 9<> "$dir/turn-0"                          # the first turn: the first side's, once it has loaded
  printf x >&9
  local left=("${pids[@]}") still pid            # one side failing would leave the others waiting: stop them
  while [ "${#left[@]}" -gt 0 ] && [ "$rc" = 0 ]; do
    sleep 1
    still=()
    for pid in "${left[@]}"; do
      if kill -0 "$pid" 2> /dev/null; then still+=("$pid"); else wait "$pid" || rc=1; fi
    done
    left=(${still[@]+"${still[@]}"})
  done
  if [ "$rc" != 0 ]; then
    kill "${pids[@]}" 2> /dev/null || true
    wait 2> /dev/null || true
    exec 9>&-
    echo "${0##*/}: a side of the lockstep run ($what) failed; its error output:" >&2
    for err in "${ring_errs[@]}"; do [ -s "$err" ] && { echo "--- $err" >&2; tail -n 20 "$err" >&2; }; done
    echo "(an attention implementation the PyTorch side lacks: leave it out of BENCH_ATTN)" >&2
    exit 1
  fi
  exec 9>&-
  rm -f "$dir"/turn-*
}
