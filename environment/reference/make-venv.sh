#!/usr/bin/env bash
# Creates a throwaway Python virtualenv at build/refvenv (git-ignored) holding the
# *independent* reference stack used to generate the test fixtures under
# lib/src/test/resources/fixtures/: PyTorch (CPU use only), Hugging Face transformers,
# gguf, numpy, safetensors. Everything comes from PyPI through plain pip.
#
# Note: torch wheels on PyPI for Linux x86_64 declare the nvidia-* CUDA runtime wheels
# as dependencies, so this pulls a few GB of CUDA libraries even though we only ever run
# on CPU. That is accepted here (disk is plentiful, the download.pytorch.org CPU index is
# not reachable from the build machines). All scripts force device=cpu, dtype=float32.
#
# Usage:   environment/reference/make-venv.sh          # idempotent-ish; re-run to repair
#          build/refvenv/bin/python environment/reference/smollm2_logits.py
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/build/refvenv"
py="${PYTHON:-python3}"

# Versions actually used to generate the committed fixtures (see README.md).
TORCH=2.15.0
TRANSFORMERS=5.23.0
GGUF=0.19.0
NUMPY=2.4.6
SAFETENSORS=0.8.0
ACCELERATE=1.15.0   # transformers refuses to load GGUF without accelerate

if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install \
  "torch==$TORCH" "transformers==$TRANSFORMERS" "gguf==$GGUF" \
  "numpy==$NUMPY" "safetensors==$SAFETENSORS" "accelerate==$ACCELERATE" sentencepiece==0.2.3
"$venv/bin/python" - <<'PY'
import torch, transformers, gguf, numpy, safetensors
print("torch", torch.__version__, "transformers", transformers.__version__,
      "numpy", numpy.__version__, "safetensors", safetensors.__version__)
PY
echo "make-venv.sh: ready: $venv/bin/python"
