#!/usr/bin/env bash
# Takes what remote.sh's step `notebooks` sent back (notebooks.tar.gz) into this checkout: the executed
# notebooks over notebooks/, the records they wrote over data/results/, their wall-time rows appended to
# data/results/notebook-runs.csv (rows already there are not added twice). Then `git diff --stat` shows what
# changed. Run from the repository root:
#
#   environment/gpu/take-notebooks.sh /path/to/notebooks.tar.gz [--records-only]
#
# --records-only leaves notebooks/ as it is: for a run at other sizes than the committed notebooks' (such as
# PRUNEKIT_PAPER_SIZE=1), whose records and wall times are kept but whose notebooks the prose does not follow.
set -euo pipefail
tarball="${1:?usage: take-notebooks.sh NOTEBOOKS_TAR_GZ [--records-only]}"
records_only=0
case "${2:-}" in
  "") ;;
  --records-only) records_only=1 ;;
  *) echo "take-notebooks.sh: unknown option '$2' (accepted: --records-only)" >&2; exit 2 ;;
esac
[ -f notebooks/00-getting-started/00-environment-check.ipynb ] || { echo "take-notebooks.sh: run it from the repository root" >&2; exit 1; }
x="$(mktemp -d)"
trap 'rm -rf "$x"' EXIT
tar -xzf "$tarball" -C "$x"
echo "done:   $(tr '\n' ' ' < "$x/done.txt")"
[ -s "$x/failed.txt" ] && echo "failed: $(tr '\n' ' ' < "$x/failed.txt")"
[ -d "$x/notebooks" ] && [ $records_only = 0 ] && cp -r "$x/notebooks/." notebooks/
[ -d "$x/data/results" ] && cp -r "$x/data/results/." data/results/
if [ -f "$x/notebook-runs.csv" ]; then
  runs=data/results/notebook-runs.csv
  [ "$(head -n 1 "$x/notebook-runs.csv")" = "$(head -n 1 "$runs")" ] \
    || { echo "take-notebooks.sh: $runs and the returned notebook-runs.csv have different headers" >&2; exit 1; }
  tail -n +2 "$x/notebook-runs.csv" | grep -vxFf "$runs" >> "$runs" || true
fi
git status --short notebooks data/results
