#!/usr/bin/env bash
# The test command, on a fresh machine: fetch weights and corpora, check that the library's imports
# only point down its floors (environment/check-floors.py), run the unit tests (JUnit, among
# them the comparisons with the reference fixtures), then execute every notebook on copies with
# small size knobs. Fails on the first failing test or notebook cell.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
start=$(date +%s)
bash environment/fetch.sh
python3 environment/check-floors.py                                # imports only point down the floors
mvn -B package 2>&1 | grep -v -E '^\[main\] INFO|^Downloading|^Downloaded|^Progress'
bash environment/setup-notebooks.sh
# per-cell wall times into the git-ignored run folder (copy the rows into data/results/notebook-runs.csv
# to keep a pass: environment/notebook-times.py reads either); as main.sh, one thread a kernel, a kernel a core (at most 4)
jobs="${PRUNEKIT_JOBS:-$(n=$(nproc); echo $(( n < 4 ? n : 4 )))}"
.venv/bin/python environment/run-notebooks.py --ci --threads 1 --jobs "$jobs" --times notebooks/.ci-run/notebook-runs.csv
echo "test.sh: done in $(( $(date +%s) - start )) s"
