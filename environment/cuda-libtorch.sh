# Source it: points DJL at the libtorch of a pip-installed PyTorch 2.7.1 (the version DJL 0.36's JNI was
# built for), for bin/prunekit and the notebooks of a CUDA build (mvn -Pcuda clean package; README, "With a
# CUDA GPU"). DJL then loads that libtorch instead of downloading its own, and uses the cu128 (or cpu) JNI
# that the pytorch-jni jar carries.
#
#   source environment/cuda-libtorch.sh [PYTHON]     # PYTHON: an interpreter with torch 2.7.1 (default python3)
#
# Sets PYTORCH_LIBRARY_PATH (<site-packages>/torch/lib), PYTORCH_VERSION=2.7.1, PYTORCH_FLAVOR (cu128 for a CUDA
# build of torch, else cpu) and puts torch/lib and the nvidia-* wheels' lib folders first on LD_LIBRARY_PATH, so
# that DJL's GPU count (JNA -> libcudart) sees the GPU. Another torch version is refused: DJL's JNI reads
# libtorch's structures at 2.7.1's layout, and a mismatch crashes the JVM (environment/gpu/README.md: the lent
# machine's libtorch 2.11 needs a shim).
_pk_python="${1:-python3}"
_pk_info="$("$_pk_python" -c 'import os, torch; print(torch.__version__); print(os.path.dirname(torch.__file__)); print(torch.version.cuda or "")' 2>&1)" || {
  echo "cuda-libtorch.sh: $_pk_python cannot import torch: $_pk_info" >&2; return 1 2>/dev/null || exit 1; }
_pk_version="$(sed -n 1p <<< "$_pk_info")"; _pk_torch="$(sed -n 2p <<< "$_pk_info")"; _pk_cuda="$(sed -n 3p <<< "$_pk_info")"
case "$_pk_version" in
  2.7.1|2.7.1+*) ;;
  *) echo "cuda-libtorch.sh: $_pk_python has torch $_pk_version; DJL 0.36 needs 2.7.1 (pip install torch==2.7.1)," \
          "or unset PYTORCH_LIBRARY_PATH and let DJL download its own" >&2
     return 1 2>/dev/null || exit 1 ;;
esac
export PYTORCH_LIBRARY_PATH="$_pk_torch/lib" PYTORCH_VERSION=2.7.1
if [ -n "$_pk_cuda" ]; then export PYTORCH_FLAVOR=cu128; else export PYTORCH_FLAVOR=cpu; fi
_pk_nv="$(find "$(dirname "$_pk_torch")/nvidia" -maxdepth 2 -type d -name lib 2>/dev/null | sort | tr '\n' ':')"
export LD_LIBRARY_PATH="$_pk_torch/lib:${_pk_nv}${LD_LIBRARY_PATH:-}"
echo "cuda-libtorch.sh: torch $_pk_version (CUDA ${_pk_cuda:-none}) at $PYTORCH_LIBRARY_PATH, JNI flavour $PYTORCH_FLAVOR" >&2
unset _pk_python _pk_info _pk_version _pk_torch _pk_cuda _pk_nv
