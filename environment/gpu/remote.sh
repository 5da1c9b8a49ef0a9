#!/usr/bin/env bash
# Runs ON the lent GPU machine (python3 with torch 2.11 + CUDA 13, no Java), from the repository root,
# with the payload that environment/gpu/prepare.sh staged in .gpu/c1 .. .gpu/cN and .gpu/run (see README.md).
#
#   bash .gpu/cK/remote.sh receive  # call K of N: append chunk K to $PK/payload.tar (its sha256 checked); on the
#                                   # last one check the whole (sha256), unpack it under $PK (JRE + jars + JNI,
#                                   # model, corpora), symbol check, build the shim (pk_djl_shim.cc) against this
#                                   # libtorch, op check: the machine is then ready
#   bash .gpu/cN/remote.sh run      # run the prunekit commands listed in $PK_STEPS (default: info ppl bench prune);
#   bash .gpu/run/remote.sh run     #   either folder: the jar beside remote.sh, else $PK/prunekit.jar
#   bash .gpu/cN/remote.sh unpack   # redo the last receive's unpack from $PK/in (after a failed shim build, say)
#
# Everything the stages write lands in $PK (default /tmp/pk2; kept while the machine stays warm) and,
# for the caller, in $OUT (logs.tar.gz and results.tar.gz are refreshed after each step).
#
# Step `notebooks` (a payload staged with prepare.sh PK_NOTEBOOKS=1): environment/run-notebooks.py in the
# JJava kernel of this route (the carried JRE and jars, DJL over this libtorch with the shim installed by
# PkGpuShim before JJava starts, PRUNEKIT_DEVICE=gpu), one notebook at a time (NB_JOBS), full size unless PRUNEKIT_*
# knobs are set; $OUT/notebooks.tar.gz holds every notebook executed so far on this machine (notebooks/...),
# the records they wrote (data/results/...; a notebook that fails sends none back), their wall times
# (notebook-runs.csv, rows for data/results/notebook-runs.csv) and done.txt / failed.txt. A later call goes
# on with the notebooks not yet done. Settings: NB_LIST (notebooks or folders, default notebooks), NB_BUDGET
# (seconds for the step, default 540), NB_MODE (full, or ci for run-notebooks.py --ci), NB_RESET=1 (forget
# earlier calls' notebooks, ending detached ones still running), NB_DETACH=1 (each notebook outlives the call:
# see nb_detach_start; for one longer than a call, such as the papers' sizes), NB_DETACH_LIMIT (3600 s), NB_JOBS
# (with NB_DETACH=1: notebooks at once, default 1; a failed one waits for NB_RESET=1 instead of the next call).
#
# PK_NO_GPU=1 is a dry run on a machine without a GPU: the unpack stops before the GPU-specific parts, and
# `run` (from a copy of the tree: it replaces data/cache) needs no shim; with PK_CPU_LIBTORCH=<a libtorch
# 2.7.1 CPU folder, e.g. ~/.djl.ai/pytorch/2.7.1-*-cpu-linux-x86_64> DJL computes on that CPU libtorch.
set -uo pipefail
stage="${1:?usage: remote.sh receive|unpack|run}"
case "$stage" in receive|unpack|run) ;; *) echo "usage: remote.sh receive|unpack|run"; exit 2 ;; esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(pwd)"
PK="${PK:-/tmp/pk2}"
OUT="${OUT:-$PK-out}"
LOGS=$PK/logs
mkdir -p "$OUT" "$LOGS" "$PK/results"

untar_xz() {  # untar_xz FILE DEST: tar's xz when present, else Python's lzma
  if command -v xz >/dev/null; then tar -xJf "$1" -C "$2"; else
    python3 -c 'import sys,tarfile; tarfile.open(sys.argv[1],"r:xz").extractall(sys.argv[2])' "$1" "$2"; fi
}
unxz_to() {  # unxz_to DEST FILE: decompress one .xz file to DEST
  if command -v xz >/dev/null; then xz -dc "$2" > "$1"; else
    python3 -c 'import sys,lzma,shutil; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$2" > "$1"; fi
}
pack() {  # refresh what goes back
  tar -C $PK -czf "$OUT/logs.tar.gz" logs 2>/dev/null
  tar -C $PK -czf "$OUT/results.tar.gz" results 2>/dev/null
}
meta() { sed -n "s/^$1=//p" "$here/chunk.meta"; }

# --- stage receive: chunk K of N --------------------------------------------------------------------
if [ "$stage" = receive ]; then
  exec > >(tee -a "$LOGS/receive.log") 2>&1
  [ -f "$here/chunk.meta" ] && [ -f "$here/chunk" ] || { echo "receive: no chunk/chunk.meta beside $0"; exit 2; }
  k=$(meta k); n=$(meta n); off=$(meta offset); bytes=$(meta bytes); total=$(meta total); want=$(meta sha256)
  echo "$(date -u +%T) receive chunk $k of $n: $bytes bytes at offset $off"
  got="$(sha256sum "$here/chunk" | cut -d' ' -f1)"
  [ "$got" = "$(meta chunk_sha256)" ] && [ "$(stat -c %s "$here/chunk")" = "$bytes" ] \
    || { echo "chunk $k: sha256/size mismatch (transfer?): send .gpu/c$k again"; pack; exit 3; }
  # a new payload (another sha256) starts over at chunk 1; a chunk may be sent again (it replaces itself and
  # everything after it), but only once the chunks before it are there
  [ "$(cat $PK/payload.sha256 2>/dev/null)" = "$want" ] || { [ "$k" = 1 ] && rm -f $PK/payload.tar && echo "$want" > $PK/payload.sha256; }
  have=$(stat -c %s $PK/payload.tar 2>/dev/null || echo 0)
  if [ "$(cat $PK/payload.sha256 2>/dev/null)" != "$want" ] || [ "$have" -lt "$off" ]; then
    echo "chunk $k of $n arrived, but $PK/payload.tar holds $have bytes of this payload, not $off:"
    echo "the machine went cold or a call was skipped; send .gpu/c1 .. .gpu/c$n again, back to back"
    pack; exit 4
  fi
  touch $PK/payload.tar && truncate -s "$off" $PK/payload.tar && cat "$here/chunk" >> $PK/payload.tar
  have=$(stat -c %s $PK/payload.tar)
  if [ "$k" -lt "$n" ]; then
    echo "chunk $k of $n stored: $have of $total bytes; next: bash .gpu/c$((k + 1))/remote.sh receive"
    pack; exit 0
  fi
  got="$(sha256sum $PK/payload.tar | cut -d' ' -f1)"
  echo "payload: $have bytes (want $total), sha256 $got (want $want)"
  [ "$have" = "$total" ] && [ "$got" = "$want" ] || { echo "payload mismatch: send .gpu/c1 .. .gpu/c$n again"; pack; exit 3; }
  rm -rf $PK/in && mkdir -p $PK/in && tar -xf $PK/payload.tar -C $PK/in || { echo "payload untar failed"; pack; exit 3; }
  cat $PK/in/contents.txt
  cp "$here/remote.sh" $PK/remote.sh
  [ -f "$here/prunekit.jar" ] && cp "$here/prunekit.jar" $PK/prunekit.jar
  stage=unpack      # and on to the unpack, from $PK/in
fi

# --- the route: DJL's cu128 JNI (built for libtorch 2.7.1) over the machine's own libtorch 2.11 ----
if [ "${PK_NO_GPU:-0}" != 1 ]; then
  torch_dir="$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')"
  TL="$torch_dir/lib"
  site="$(dirname "$torch_dir")"
  nvlibs="$(find "$site/nvidia" -maxdepth 3 -type d -name lib 2>/dev/null | tr '\n' ':')"
  export PYTORCH_LIBRARY_PATH="$TL" PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cu128
  export LD_LIBRARY_PATH="$TL:${nvlibs}/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
elif [ -n "${PK_CPU_LIBTORCH:-}" ]; then   # dry run: DJL's JNI (CPU flavour, from its jar) over a CPU libtorch 2.7.1
  export PYTORCH_LIBRARY_PATH="$PK_CPU_LIBTORCH" PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cpu
fi
export DJL_CACHE_DIR=$PK/djlcache ENGINE_CACHE_DIR=$PK/djlcache
JAVA=$PK/jre/bin/java
JOPTS=(-Xmx16g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Djna.library.path="${LD_LIBRARY_PATH:-}")
[ "${PK_NO_GPU:-0}" = 1 ] || JOPTS+=(-Dpk.shim=$PK/libpk_djl_shim.so)     # a dry run has no shim: DJL's JNI as shipped

nb_install() {  # the notebook runner's Python packages, from the carried wheels into $PK/nb/site (PYTHONPATH)
  rm -rf $PK/nb/site && mkdir -p $PK/nb/site
  if [ "${PK_PIP:-pip}" = pip ] && python3 -m pip --version > /dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --disable-pip-version-check \
      --target $PK/nb/site $PK/nb/wheels/*.whl || return 1
  else  # no pip: a wheel is a zip of what goes into site-packages (what these keep under *.data/ is not needed to run)
    echo "nb_install: no pip (or PK_PIP=${PK_PIP:-}): unzipping the wheels"
    for w in $PK/nb/wheels/*.whl; do python3 -m zipfile -e "$w" $PK/nb/site || return 1; done
  fi
  PYTHONPATH=$PK/nb/site python3 -c 'import sys, nbclient, nbconvert, nbformat, jupyter_client, zmq
print("notebook runner: Python", sys.version.split()[0], "nbclient", nbclient.__version__, "nbconvert", nbconvert.__version__,
      "nbformat", nbformat.__version__, "jupyter_client", jupyter_client.__version__, "pyzmq", zmq.__version__)'
}

place_jni() {  # pre-place the JNI where DJL looks for it: <cache>/pytorch/<ver>-<flavor>-<classifier>/<djl>-libdjl_torch.so
  local d=$DJL_CACHE_DIR/pytorch/2.7.1-cu128-linux-x86_64
  mkdir -p "$d" && cp $PK/libdjl_torch_cu128.so "$d/0.36.0-libdjl_torch.so"
}

if [ "$stage" = unpack ]; then
  in=$PK/in
  [ -f $in/pk2.tar.xz ] || { echo "unpack: no $in/pk2.tar.xz: receive the chunks first"; exit 2; }
  exec > >(tee "$LOGS/unpack.log") 2>&1
  set -x
  date
  # JRE + jars + JNI (the archive's top folder is pk2/), the corpora, the model (sha256 checked)
  rm -rf $PK/.x $PK/jre $PK/jars && mkdir -p $PK/.x && untar_xz $in/pk2.tar.xz $PK/.x && mv $PK/.x/pk2/* $PK/ && rm -rf $PK/.x || exit 1
  mkdir -p $PK/cache/corpora
  for c in $in/corpus-*.tar.xz; do [ -f "$c" ] && untar_xz "$c" $PK/cache/corpora; done
  model=$PK/cache/$(cat $in/model.path)
  mkdir -p "$(dirname "$model")" && unxz_to "$model" $in/model.gguf.xz
  got="$(sha256sum "$model" | cut -d' ' -f1)"
  [ "$got" = "$(cat $in/model.sha256)" ] || { echo "model checksum mismatch"; rm -f "$model"; exit 3; }
  cp $in/pkgpu.jar $in/opcheck-ref.bin $PK/
  mkdir -p $PK/cache/models
  for m in $in/model-*.tar.xz; do [ -f "$m" ] && untar_xz "$m" $PK/cache/models; done
  if [ -f $in/nb.tar.xz ]; then    # the notebook kernel's pieces (prepare.sh PK_NOTEBOOKS=1)
    rm -rf $PK/nb && untar_xz $in/nb.tar.xz $PK && for w in $in/wheels-py*.tar; do tar -xf "$w" -C $PK || exit 1; done
    cat $PK/nb/versions.txt
    nb_install || { rm -rf $PK/nb/site; echo "NOTEBOOKS NOT READY: the wheels did not install: they are for Python" \
      "$(cat $PK/nb/wheels/python.txt), python3 here is $(python3 -V 2>&1): stage again with NB_PYVER set to it"; }
  fi
  set +x
  ls -la $PK $PK/cache/corpora "$(dirname "$model")"
  if [ "${PK_NO_GPU:-0}" = 1 ]; then echo "PK_NO_GPU=1: unpacked; shim build and op check skipped"; exit 0; fi
  set -x
  nvidia-smi -L; uname -r; ldd --version | head -1
  python3 -c 'import torch;print("torch", torch.__version__, torch.version.cuda, torch.cuda.get_device_name(0))'
  ls -la "$TL"; echo "nvidia lib dirs: $nvlibs"
  # the shim (environment/gpu/shim/pk_djl_shim.cc) against this machine's libtorch headers
  abi="$(python3 -c 'import torch;print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')"
  command -v g++
  rm -f $PK/libpk_djl_shim.so
  pack; time timeout 240 g++ -O2 -std=c++17 -shared -fPIC -D_GLIBCXX_USE_CXX11_ABI=$abi -I"$torch_dir/include" \
    -I"$in/jni" -I"$in/jni/linux" "$in/pk_djl_shim.cc" -L"$TL" -lc10 -ltorch_cpu -Wl,-rpath,"$TL" \
    -o $PK/libpk_djl_shim.so || echo "SHIM BUILD FAILED"
  place_jni
  $JAVA -version
  set +x
  # Symbols the JNI needs that no library of the machine's torch/lib defines.
  if command -v nm >/dev/null; then
    nm -D --undefined-only $PK/libdjl_torch_cu128.so | awk '{print $2}' | grep -v '@' | sort -u > $LOGS/jni-undefined.txt
    for f in "$TL"/*.so*; do nm -D --defined-only "$f" 2>/dev/null | awk '{print $3}'; done | sed 's/@.*//' | sort -u > $PK/defined.txt
    comm -23 $LOGS/jni-undefined.txt $PK/defined.txt > $LOGS/jni-missing.txt
    c++filt < $LOGS/jni-missing.txt > $LOGS/jni-missing-demangled.txt
    echo "JNI undefined (unversioned): $(wc -l < $LOGS/jni-undefined.txt); missing from torch/lib: $(wc -l < $LOGS/jni-missing.txt)"
    cat $LOGS/jni-missing-demangled.txt
  else
    echo "no nm on this machine"
  fi
  # Op-by-op check; a JVM that dies on an unresolved symbol (lazy binding) is rerun without that op.
  skip=none
  pack
  for try in 1 2 3; do
    timeout 120 $JAVA "${JOPTS[@]}" -Dopcheck.ref=$PK/opcheck-ref.bin -cp "$PK/pkgpu.jar:$PK/jars/*" PkGpuShim OpCheck "$skip" \
      > $LOGS/opcheck-$try.log 2>&1
    rc=$?; cat $LOGS/opcheck-$try.log
    grep -q opcheck_done $LOGS/opcheck-$try.log && break
    dead="$(grep -o '^op [^ ]* \.\.\. $' $LOGS/opcheck-$try.log | tail -1 | awk '{print $2}')"
    dead="${dead:-$(grep -o '^op [^ ]*' $LOGS/opcheck-$try.log | tail -1 | awk '{print $2}')}"
    echo "opcheck run $try died rc=$rc at op '$dead'"; [ -z "$dead" ] && break
    skip="$skip,$dead"
  done
  pack
  [ -f $PK/libpk_djl_shim.so ] || { echo "NOT READY: the shim did not build"; exit 5; }
  grep -q opcheck_done $LOGS/opcheck-$try.log || { echo "NOT READY: the op check did not finish"; exit 5; }
  echo "READY: $PK holds the JRE, jars, JNI, shim, model and corpora; next: bash .gpu/run/remote.sh run"
  exit 0
fi

# --- stage run -------------------------------------------------------------------------------------
exec > >(tee -a "$LOGS/run.log") 2>&1
[ -x "$JAVA" ] && { [ -f $PK/libpk_djl_shim.so ] || [ "${PK_NO_GPU:-0}" = 1 ]; } && [ -f $PK/in/model.path ] \
  || { echo "run: $PK is not ready (machine cold?): send .gpu/c1 .. .gpu/cN with 'remote.sh receive' first"; pack; exit 2; }
model=$PK/cache/$(cat $PK/in/model.path)
[ -f "$model" ] || { echo "run: no $model: receive again"; pack; exit 2; }
# the jar beside this remote.sh (the current build), else the one the last receive left
[ -f "$here/prunekit.jar" ] && [ "$here/prunekit.jar" != $PK/prunekit.jar ] && cp "$here/prunekit.jar" $PK/prunekit.jar
[ -f $PK/prunekit.jar ] || { echo "run: no prunekit.jar beside $0 nor in $PK"; pack; exit 2; }
echo "prunekit.jar $(sha256sum $PK/prunekit.jar | cut -c1-16) $(stat -c '%s bytes, %y' $PK/prunekit.jar)"
place_jni
# the repository copy is the prunekit root: its data/cache points at the unpacked cache
if [ "${PK_NO_GPU:-0}" = 1 ] && [ -e "$repo/data/cache" ] && [ "$(readlink "$repo/data/cache")" != $PK/cache ]; then
  echo "run: a dry run replaces $repo/data/cache with a link to $PK/cache: run it from a copy of the tree (README.md)"
  exit 2
fi
rm -rf "$repo/data/cache" && ln -s $PK/cache "$repo/data/cache"
# records of earlier calls (each call brings a fresh copy of the tree, with the records as committed): a record an
# earlier call of this machine wrote or extended replaces the copy's when it begins with the copy's bytes, so
# results.tar.gz holds every call's rows; one the copy has changed otherwise (committed since) stays the copy's
mkdir -p "$repo/data/results"
for f in $PK/results/gpu-*.csv; do
  [ -f "$f" ] || continue
  r="$repo/data/results/${f##*/}"
  if [ ! -f "$r" ] || { [ "$(stat -c %s "$f")" -gt "$(stat -c %s "$r")" ] && cmp -s -n "$(stat -c %s "$r")" "$r" "$f"; }; then
    cp "$f" "$r"
  fi
done
make_launcher() {  # make_launcher PATH JAR [JAVA_OPTION...]: prunekit's CLI as bin/prunekit runs it, with the carried JRE and jars
  local path="$1" jar="$2" extra=("${@:3}")
  cat > "$path" <<EOS
#!/usr/bin/env bash
exec $JAVA ${JOPTS[*]@Q} ${extra[*]@Q} -Dprunekit.root=${repo@Q} -cp "$PK/pkgpu.jar:$jar:$PK/jars/*" PkGpuShim prunekit.cli.Main "\$@"
EOS
  chmod +x "$path"
}
bench_script() {  # bench_script NAME OUT_DIR: environment/gpu/bench-vs-pytorch-gpu.sh into OUT_DIR, its outputs back as NAME.tar.gz
  local t0=$EPOCHREALTIME
  echo "=== $1: environment/gpu/bench-vs-pytorch-gpu.sh (BENCH_* settings: $(env | grep '^BENCH_' | tr '\n' ' '))"
  rm -rf "$2"
  PK_PRUNEKIT=$PK/prunekit BENCH_OUT="$2" BENCH_MODEL=$PK/bench-model timeout "${BENCH_TIMEOUT:-570}" \
    bash environment/gpu/bench-vs-pytorch-gpu.sh 2>&1 | tee "$LOGS/$1.log"
  python3 -c "import sys; print(f'{sys.argv[1]} wall_s={float(sys.argv[3])-float(sys.argv[2]):.1f}')" "$1" "$t0" "$EPOCHREALTIME" \
    | tee -a $LOGS/steps.txt
  tar -C "$(dirname "$2")" -czf "$OUT/$1.tar.gz" "$(basename "$2")" 2>/dev/null
  cp "$repo"/data/results/gpu-*.csv $PK/results/ 2>/dev/null
  pack
}
step() {  # step NAME TIMEOUT_S ARGS...: one prunekit command, its wall time and exit status logged
  local name="$1" lim="$2"; shift 2
  echo "=== $name: prunekit $* (PRUNEKIT_DEVICE=${PRUNEKIT_DEVICE:-unset})"
  local t0=$EPOCHREALTIME
  timeout "$lim" $PK/prunekit "$@" > "$LOGS/$name.log" 2>&1
  local rc=$? t1=$EPOCHREALTIME
  tail -n 25 "$LOGS/$name.log"
  python3 -c "import sys; print(f'{sys.argv[1]} rc={sys.argv[2]} wall_s={float(sys.argv[4])-float(sys.argv[3]):.1f}')" \
    "$name" "$rc" "$t0" "$t1" | tee -a $LOGS/steps.txt
  cp "$repo"/data/results/gpu-*.csv $PK/results/ 2>/dev/null
  pack
}
nb_kernel() {  # nb_kernel ROOT JUPYTER MARK: the kernelspec prunekit-java of this route for the tree ROOT, in JUPYTER (run-notebooks.py finds it on JUPYTER_PATH); its JVM says -Dpk.nbkernel=MARK, by which a kernel left running is found
  local d=$2/kernels/prunekit-java
  mkdir -p "$d"
  printf '%s\n' "handlers=java.util.logging.ConsoleHandler" ".level=WARNING" > "$d/logging.properties"  # JJava's INFO lines out
  # One JVM, no JJava launcher (it would start `java` from PATH): PkGpuShim starts DJL's engine, installs the shim
  # and then runs JJava's main, so every DJL call of every cell goes through the rebound JNI. DJL, prunekit and
  # the notebook jars are on the JVM's class path; JJAVA_CLASSPATH names them again for JShell's compiler, and its
  # class loader delegates to the JVM's first, so both see one copy of each class.
  python3 - "$d" "$JAVA" "$PK" "$1" "$3" "${JOPTS[@]}" <<'PYEOF'
import json, sys
d, java, pk, repo, mark, jopts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
jars = f"{pk}/prunekit.jar:{pk}/jars/*:{pk}/nb/jars/*"
argv = [java] + jopts + ["-Djava.awt.headless=true", f"-Djava.util.logging.config.file={d}/logging.properties",
        f"-Dorg.bytedeco.javacpp.cachedir={pk}/javacpp", f"-Dpk.nbkernel={mark}",
        "--add-opens", "jdk.jshell/jdk.jshell=ALL-UNNAMED", "-cp", f"{pk}/pkgpu.jar:{pk}/nb/jjava/jjava.jar:{jars}",
        "PkGpuShim", "org.dflib.jjava.distro.JJava", "{connection_file}"]
spec = {"argv": argv, "display_name": "Java (prunekit)", "language": "java", "interrupt_mode": "message",
        "env": {"JJAVA_CLASSPATH": jars, "PRUNEKIT_NOTEBOOK": "1", "PRUNEKIT_ROOT": repo}, "metadata": {}}
with open(f"{d}/kernel.json", "w") as f:
    json.dump(spec, f, indent=2)
PYEOF
}
nb_list() {  # the notebooks of NB_LIST (default: all), as paths under the repository root, sorted
  (cd "$repo" && find ${NB_LIST:-notebooks} -name '*.ipynb' -not -path '*/.ci-run/*' -not -path '*/.ipynb_checkpoints/*' | sort)
}
nb_copy() {  # nb_copy NOTEBOOK OUT ROOT: the executed copy of NOTEBOOK in the tree ROOT (--in-place: itself; --ci: its notebooks/.ci-run copy) into OUT
  local rel="${1#notebooks/}"
  [ "${NB_MODE:-full}" = ci ] && rel=".ci-run/$rel"
  mkdir -p "$(dirname "$2/notebooks/$rel")" && cp "$3/notebooks/$rel" "$2/notebooks/$rel"
}
nb_results() {  # nb_results OUT ROOT NOTEBOOK: the records under ROOT/data/results that differ from the tree as sent (see nb_step)
  # $PK/nbrun.records says which notebook each record came from: two notebooks of one run that wrote the same record
  # (they ran at once, NB_JOBS) are named, and the copy of the one that ended last is kept
  (cd "$2/data/results" && for f in *; do
     [ -f "$f" ] && ! grep -qxF "$(sha256sum -- "$f")" $PK/nbrun.sent || continue
     if [ -f "$1/data/results/$f" ] && ! cmp -s "$f" "$1/data/results/$f"; then
       prev=$(sed -n "s|^$f ||p" $PK/nbrun.records 2>/dev/null | tail -n 1)
       [ -n "$prev" ] && [ "$prev" != "$3" ] && echo "notebooks: $3 and $prev both wrote data/results/$f; kept: the copy of $3, which ended last"
     fi
     mkdir -p "$1/data/results" && cp "$f" "$1/data/results/" && echo "$f $3" >> $PK/nbrun.records
   done; true)
}
nb_log() { echo "$LOGS/nb-$(basename "$1" .ipynb).log"; }
nb_finish() {  # nb_finish NOTEBOOK RC T1 ROOT MARK: after a notebook ran in the tree ROOT (this call's, or a detached run's copy) with the kernel MARK (nb_kernel)
  local nb=$1 rc=$2 root=$4 pid
  tail -n 25 "$(nb_log "$nb")"
  for pid in $(pgrep -f -- "-Dpk.nbkernel=$5 " || true); do echo "killing the kernel $pid left running"; kill -9 "$pid"; done
  python3 -c "import sys; print(f'notebook {sys.argv[1]} rc={sys.argv[2]} wall_s={float(sys.argv[4])-float(sys.argv[3]):.1f}')" \
    "$nb" "$rc" "$3" "$EPOCHREALTIME" | tee -a $LOGS/steps.txt
  if [ "$rc" = 0 ]; then
    nb_copy "$nb" $out "$root" && echo "$nb" >> $out/done.txt
    grep -vF "$nb rc=" $out/failed.txt > $out/failed.new; mv $out/failed.new $out/failed.txt    # failed.txt: last tries only
  else
    echo "$nb rc=$rc $(date -u +%FT%TZ)" >> $out/failed.txt
    if [ "$root" = "$repo" ]; then rm -rf "$repo/data/results" && cp -r $PK/nbrun.before "$repo/data/results"; fi
    root=$repo                       # a detached run's copy is dropped with what it wrote
    echo "notebooks: $nb failed; the records it wrote are not sent back"
  fi
  nb_results $out "$root" "$nb"
  tar -C $out -czf "$OUT/notebooks.tar.gz" . && pack
}
# NB_DETACH=1: notebooks longer than one call. Each runs in a new process session (setsid), which the device tool
# leaves running when a call returns, from a copy of the tree ($PK/nbslots/K/tree: the next call's tree replaces this
# one's), under its own limit NB_DETACH_LIMIT (seconds, default 3600, for the notebook and for any one cell); NB_JOBS
# of them at once (default 1; slots K = 1 .. NB_JOBS), the list's next notebook starting in the slot that frees up.
# A call waits on them until NB_BUDGET is spent and returns; the next call of the step, back to back while the machine
# is warm, waits on. A detached notebook that failed is not started again until NB_RESET=1.
nb_slots=$PK/nbslots
nb_detach_start() {  # nb_detach_start NOTEBOOK K: slot K's copy of the tree, then the runner in its own session
  local nb=$1 s=$nb_slots/$2
  rm -rf $s && mkdir -p $s/tree
  (cd "$repo" && tar --exclude=./.gpu --exclude=./data/cache -cf - .) | tar -xf - -C $s/tree
  ln -s $PK/cache $s/tree/data/cache
  nb_kernel $s/tree $s/jupyter $s
  echo "$nb $EPOCHREALTIME" > $s/nb
  echo "=== notebook $nb ($mode, PRUNEKIT_DEVICE=$device, detached in $s/tree, slot $2 of $jobs, limit $limit s)"
  (cd $s/tree && PYTHONPATH=$PK/nb/site JUPYTER_PATH=$s/jupyter PYTHONUNBUFFERED=1 PRUNEKIT_DEVICE=$device \
     setsid bash -c 'echo $$ > "$5"; timeout -k 20 "$1" python3 environment/run-notebooks.py "$2" --timeout "$1" --times "$3" \
                       --status "$7" "$4"; echo $? > "$6"' _ "$limit" "$mode" "$s/notebook-runs.csv" "$nb" "$s/pid" "$s/rc" "$s/status") \
    > "$(nb_log "$nb")" 2>&1 < /dev/null &
}
nb_detach_end() {  # nb_detach_end K: slot K's notebook has ended: its wall-time rows, then nb_finish
  local s=$nb_slots/$1 nb t1 rc
  read -r nb t1 < $s/nb
  rc=$(cat $s/rc)
  if [ -f $s/notebook-runs.csv ]; then      # a file per slot: runners at once would interleave their rows
    if [ -f $out/notebook-runs.csv ]; then tail -n +2 $s/notebook-runs.csv >> $out/notebook-runs.csv; else cp $s/notebook-runs.csv $out/; fi
  fi
  rm -f $s/nb
  nb_finish "$nb" "$rc" "$t1" $s/tree $s
  [ -d $out/data/results ] && cp $out/data/results/* "$repo/data/results/"   # the copies of the tree made from now on read them
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then echo "notebooks: $nb ran past NB_DETACH_LIMIT ($limit s) or was killed"; fi
}
nb_busy() {  # the slots with a notebook started and not yet taken (nb_detach_end), as folders
  local s
  for s in $nb_slots/*/; do [ -f "${s}nb" ] && echo "${s%/}"; done; true
}
nb_next() {  # the list's first notebook not done, not failed and not running (NB_DETACH=1)
  local nb
  for nb in $(nb_list); do
    grep -qxF "$nb" $out/done.txt && continue
    cut -d' ' -f1 $out/failed.txt | grep -qxF "$nb" && continue
    cat $nb_slots/*/nb 2>/dev/null | cut -d' ' -f1 | grep -qxF "$nb" && continue
    echo "$nb"
    return
  done
}
nb_detach_run() {  # NB_DETACH=1: 0 once no notebook runs and none is left to start, 1 when the budget is spent first
  local s k nb t1 pid running
  while :; do
    running=0
    for s in $(nb_busy); do
      pid=$(cat $s/pid 2>/dev/null)
      if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && [ ! -f $s/rc ]; then
        echo 137 > $s/rc                                                   # ended without saying how: as if killed
      fi
      if [ -f $s/rc ]; then nb_detach_end "$(basename $s)"; else running=$((running + 1)); fi
    done
    for ((k = 1; k <= jobs && running < jobs; k++)); do
      [ -f $nb_slots/$k/nb ] && continue
      [ $((budget - (SECONDS - t0))) -gt 20 ] || break
      nb=$(nb_next)
      [ -n "$nb" ] || break
      nb_detach_start "$nb" $k
      running=$((running + 1))
    done
    [ $running = 0 ] && return 0
    if [ $((budget - (SECONDS - t0))) -le 15 ]; then
      for s in $(nb_busy); do
        read -r nb t1 < $s/nb
        tail -n 5 "$(nb_log "$nb")"
        [ -f $s/status ] && echo "now: $(cat $s/status)"
        python3 -c "import sys; print(f'notebooks: {sys.argv[1]} still running, detached, {float(sys.argv[3])-float(sys.argv[2]):.0f} s so far')" \
          "$nb" "$t1" "$EPOCHREALTIME"
      done
      echo "notebooks: call again (PK_STEPS=notebooks NB_DETACH=1, back to back) to wait on"
      tar -C $out -czf "$OUT/notebooks.tar.gz" . && pack
      return 1
    fi
    sleep 5
  done
}
nb_detach_stop() {  # NB_RESET=1: the detached notebooks still running are ended, their sessions and kernels
  local s pid
  for s in $(nb_busy); do
    pid=$(cat $s/pid 2>/dev/null)
    # its session: the shell, timeout (a process group of its own) and the runner; the kernel has a session of its own
    [ -n "$pid" ] && pkill -9 -s "$pid" && echo "notebooks: NB_RESET=1: ended the detached run of $(cut -d' ' -f1 $s/nb)"
  done
  for pid in $(pgrep -f -- "-Dpk.nbkernel=$nb_slots/[0-9]+ " || true); do kill -9 "$pid"; done
}
nb_step() {  # step notebooks (see the header)
  local out=$PK/nbrun t0=$SECONDS budget="${NB_BUDGET:-540}" mode=--in-place nb left rc t1 device=gpu detach="${NB_DETACH:-0}"
  local jobs="${NB_JOBS:-1}" limit="${NB_DETACH_LIMIT:-3600}" finished failed
  [ "${PK_NO_GPU:-0}" = 1 ] && device=cpu
  device="${PRUNEKIT_DEVICE:-$device}"
  [ "${NB_MODE:-full}" = ci ] && mode=--ci
  [ -f $PK/nb/site/nbclient/__init__.py ] || { echo "notebooks: no runner in $PK/nb/site: stage with prepare.sh PK_NOTEBOOKS=1 (or see logs/unpack.log)"; return; }
  [[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "notebooks: NB_JOBS must be a whole number of notebooks at once (1 or more), got '$jobs'"; return; }
  [[ "$limit" =~ ^[1-9][0-9]*$ ]] || { echo "notebooks: NB_DETACH_LIMIT must be a whole number of seconds, got '$limit'"; return; }
  [ "$jobs" = 1 ] || [ "$detach" = 1 ] || { echo "notebooks: NB_JOBS=$jobs runs notebooks at once only detached: add NB_DETACH=1"; return; }
  if [ "${NB_RESET:-0}" = 1 ]; then nb_detach_stop; rm -rf $out $nb_slots $PK/nbrun.records; fi
  mkdir -p $out && touch $out/done.txt $out/failed.txt
  # the records as this call's tree holds them, then what the notebooks of earlier calls changed
  (cd "$repo/data/results" && sha256sum -- *) > $PK/nbrun.sent
  [ -d $out/data/results ] && cp $out/data/results/* "$repo/data/results/"
  if [ "$detach" = 1 ]; then
    nb_detach_run || return
  else
    nb_kernel "$repo" $PK/nb/jupyter $PK
    for nb in $(nb_list); do
      grep -qxF "$nb" $out/done.txt && continue
      left=$((budget - (SECONDS - t0)))
      [ $left -ge 60 ] || { echo "notebooks: the $budget s budget is spent; call again to go on"; break; }   # a notebook gets at least 60 s
      echo "=== notebook $nb ($mode, PRUNEKIT_DEVICE=$device, $left s left)"
      rm -rf $PK/nbrun.before && cp -r "$repo/data/results" $PK/nbrun.before   # a failed notebook's records are dropped
      t1=$EPOCHREALTIME
      (cd "$repo" && PYTHONPATH=$PK/nb/site JUPYTER_PATH=$PK/nb/jupyter PYTHONUNBUFFERED=1 PRUNEKIT_DEVICE=$device \
         timeout -k 20 $left python3 environment/run-notebooks.py $mode --timeout $left --times $out/notebook-runs.csv "$nb") > "$(nb_log "$nb")" 2>&1
      rc=$?
      nb_finish "$nb" "$rc" "$t1" "$repo" $PK
      if [ $rc = 124 ] || [ $rc = 137 ]; then
        echo "notebooks: $nb ran past the budget; call again (it starts over), alone (NB_LIST=$nb), smaller (PRUNEKIT_* knobs) or detached (NB_DETACH=1)"
        break
      fi
    done
  fi
  tar -C $out -czf "$OUT/notebooks.tar.gz" .                   # every call returns what is done so far
  finished=$(wc -l < $out/done.txt)
  left=$(nb_list | grep -cvxFf $out/done.txt)
  failed=$(nb_list | grep -cxFf <(cut -d' ' -f1 $out/failed.txt))
  if [ "$left" = 0 ]; then echo "notebooks: all done ($finished)"
  elif [ "$detach" = 1 ] && [ "$failed" = "$left" ]; then echo "notebooks: $finished done, $failed failed (failed.txt; NB_RESET=1 starts them again)"
  else echo "notebooks: $finished done, $left left$([ "$failed" = 0 ] || echo ", $failed of them failed last time")"; fi
}
make_launcher $PK/prunekit $PK/prunekit.jar
command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv
steps="${PK_STEPS:-info ppl bench prune}"
for s in $steps; do
  case "$s" in
    info)  step info 120 info --model smollm2 ;;
    ppl)   step ppl-gpu 300 ppl --model smollm2 --corpus brown --split test --seqlen 256 --max-eval-tokens 16384 --record gpu-dense ;;
    pplcpu) PRUNEKIT_DEVICE=cpu step ppl-devcpu 300 ppl --model smollm2 --corpus brown --split test --seqlen 256 --max-eval-tokens 16384 --record gpu-machine-cpu-dense ;;
    bench) step bench-128 120 bench --model smollm2 --seqlen 128 --iterations 10
           step bench-256 120 bench --model smollm2 --seqlen 256 --iterations 10 ;;
    benchcpu) PRUNEKIT_DEVICE=cpu step bench-devcpu-256 200 bench --model smollm2 --seqlen 256 --iterations 5 ;;
    prune)
      for m in gradmap block-influence ppl taylor; do
        extra=(); [ "$m" = gradmap ] && extra=(--compensate)
        step "prune-$m" 400 prune --model smollm2 --method "$m" --remove-layers 6 "${extra[@]}" \
          --calib-samples 128 --seqlen 256 --out "$PK/pruned-$m"
        [ -f "$PK/pruned-$m/config.json" ] && step "ppl-pruned-$m" 200 ppl --model "$PK/pruned-$m" \
          --corpus brown --split test --seqlen 256 --max-eval-tokens 16384 --record gpu-pruned
      done ;;
    smoke) step experiment-smoke 300 experiment layer-pruning --model smollm2 --methods gradmap --remove 1,2 \
             --calib-samples 2 --seqlen 32 --eval-seqlen 64 --eval-tokens 512 --record gpu-smoke-test ;;
    # GBLM-Pruner's grid. PK_WEIGHT_METHODS=magnitude,wanda,gblm,sparsegpt adds SparseGPT: without ND4J (not
    # carried) prunekit.linalg's java backend factors on the CPU and multiplies on the GPU in float64
    wmain) step gblm-main "${GRID_TIMEOUT:-560}" experiment weight-pruning --model smollm2 \
             --methods "${PK_WEIGHT_METHODS:-magnitude,wanda,gblm}" --sweep none --calib-counts none --alphas none --record gpu-gblm ;;
    wsweep) step gblm-sweep "${GRID_TIMEOUT:-560}" experiment weight-pruning --model smollm2 --methods magnitude,wanda,gblm \
             --patterns 0.5 --sweep 0.1,0.3,0.6,0.7 --calib-counts none --alphas none --tasks none --record gpu-gblm-sweep ;;
    wstudy) step gblm-study "${GRID_TIMEOUT:-560}" experiment weight-pruning --model smollm2 --methods wanda,gblm \
             --patterns 0.5 --sweep none --calib-counts 16,64 --tasks none --record gpu-gblm-study ;;
    slm)   # the paper's calibration (10 x 128) at two thresholds, then 128 x 256 at one
           for v in "0.85 10 128" "0.9 10 128" "0.9 128 256"; do
             set -- $v; tag="slm-T$1-n$2"
             step "$tag" 400 prune --model smollm2 --method slm --threshold $1 --calib-samples $2 --seqlen $3 --out "$PK/$tag"
             [ -f "$PK/$tag/config.json" ] && step "ppl-$tag" 200 ppl --model "$PK/$tag" \
               --corpus brown --split test --seqlen 256 --max-eval-tokens 16384 --record gpu-slm
           done ;;
    # the same small GBLM run as on the CPU (CPU/GPU agreement of weight pruning)
    wcheck) step gblm-check 300 experiment weight-pruning --model smollm2 --methods wanda,gblm --patterns 0.5 \
             --calib-samples 16 --sweep none --calib-counts none --alphas none --tasks none --record gpu-gblm-check ;;
    # the leaderboard's depth methods (notebook 04), evaluated as gpu-gblm is: 16,384 tokens, tasks of 200 items
    board) step board-layers 590 experiment layer-pruning --model smollm2 --methods gradmap,block-influence,ppl,taylor \
             --calib-samples 128 --seqlen 256 --eval-tokens 16384 --task-limit 200 --record gpu-board-layers ;;
    slmboard)
           for t in 0.95 0.9 0.85; do
             step "slm-board-$t" 300 prune --model smollm2 --method slm --threshold $t --out "$PK/slm-board-$t"
             [ -f "$PK/slm-board-$t/config.json" ] || continue
             step "ppl-slm-board-$t" 200 ppl --model "$PK/slm-board-$t" --corpus brown --split test --seqlen 256 \
               --max-eval-tokens 16384 --record gpu-board-slm
             for task in minimal-pair cloze; do
               step "eval-slm-board-$t-$task" 200 eval --model "$PK/slm-board-$t" --task $task --limit 200 --record gpu-board-slm
             done
           done ;;
    # forward latency of pruned models on the GPU (notebook 04): dense, 6 and 9 layers removed, 50% unstructured
    latency)
           step lat-dense 200 bench --model smollm2 --seqlen 256 --iterations 20 --record gpu-latency
           for k in 6 9; do
             step "lat-prune-bi$k" 200 prune --model smollm2 --method block-influence --remove-layers $k --calib-samples 16 \
               --seqlen 128 --out "$PK/bi$k"
             step "lat-bi$k" 200 bench --model "$PK/bi$k" --seqlen 256 --iterations 20 --record gpu-latency
           done
           step lat-prune-mag50 200 prune --model smollm2 --method magnitude --sparsity 0.5 --out "$PK/mag50"
           step lat-mag50 200 bench --model "$PK/mag50" --seqlen 256 --iterations 20 --record gpu-latency ;;
    # the same four models at batch 16 (4,096 tokens a pass): at batch 1 launch overhead hides the work
    latencyb)
           step latb-dense 200 bench --model smollm2 --seqlen 256 --batch 16 --iterations 10 --record gpu-latency-b16
           for k in 6 9; do
             [ -f "$PK/bi$k/config.json" ] || step "lat-prune-bi$k" 200 prune --model smollm2 --method block-influence \
               --remove-layers $k --calib-samples 16 --seqlen 128 --out "$PK/bi$k"
             step "latb-bi$k" 200 bench --model "$PK/bi$k" --seqlen 256 --batch 16 --iterations 10 --record gpu-latency-b16
           done
           [ -f "$PK/mag50/config.json" ] || step lat-prune-mag50 200 prune --model smollm2 --method magnitude --sparsity 0.5 --out "$PK/mag50"
           step latb-mag50 200 bench --model "$PK/mag50" --seqlen 256 --batch 16 --iterations 10 --record gpu-latency-b16 ;;
    # every task file of data/tasks/, whole (no --limit), on the dense model and on one with 6 random layers
    # removed (prune calibrates on brown even for random, so brown must be carried)
    tasks) names="$(cd "$repo/data/tasks" && ls *.jsonl 2>/dev/null | sed 's/\.jsonl$//')"
           echo "tasks: $(echo $names)"
           for t in $names; do step "tasks-dense-$t" 300 eval --model smollm2 --task "$t" --record gpu-tasks; done
           rm -rf "$PK/rand6"
           step tasks-prune-rand6 300 prune --model smollm2 --method random --remove-layers 6 --out "$PK/rand6"
           if [ -f "$PK/rand6/config.json" ]; then
             for t in $names; do step "tasks-rand6-$t" 300 eval --model "$PK/rand6" --task "$t" --record gpu-tasks; done
           fi ;;
    # recovery (issue #21): SmolLM2 with 6 layers removed by Block Influence, perplexity before and after
    # `prunekit recover` at its defaults, on the protocol's corpora (32,768 tokens each) and on English text
    # in none of them (the GPL-3 text, when the machine has it)
    recover)
           rm -rf "$PK/bi6" "$PK/bi6-rec"
           step recover-prune 300 prune --model smollm2 --method block-influence --remove-layers 6 --out "$PK/bi6"
           texts=(); [ -f /usr/share/common-licenses/GPL-3 ] && texts=(/usr/share/common-licenses/GPL-3)
           for m in bi6 bi6-rec; do
             [ "$m" = bi6-rec ] && step recover-train 600 recover --model "$PK/bi6" --out "$PK/bi6-rec"
             [ -f "$PK/$m/config.json" ] || continue
             for c in sotu moby-dick brown; do
               step "recover-ppl-$m-$c" 300 ppl --model "$PK/$m" --corpus "$c" --split test --seqlen 256 \
                 --max-eval-tokens 32768 --record gpu-recover
             done
             for f in "${texts[@]}"; do
               step "recover-ppl-$m-gpl3" 300 ppl --model "$PK/$m" --text-file "$f" --seqlen 256 --record gpu-recover
             done
           done
           [ -f "$PK/bi6-rec/loss.csv" ] && cp "$PK/bi6-rec/loss.csv" $PK/results/gpu-recover-loss.csv && pack ;;
    # the grids on the evaluation protocol (issue #19): calibration brown 128 x 256; perplexity on sotu, moby-dick
    # and brown test at 128 and 256 tokens, 32,768 tokens each; the three tasks (200 items) at 6 layers / the main
    # patterns; every record with its units (data/results/gpu-*.units.csv) for paired comparisons
    layers1) step layers-gradmap "${GRID_TIMEOUT:-570}" experiment layer-pruning --model smollm2 \
             --methods "${PK_LAYER1_METHODS:-gradmap,gradmap-oneshot}" --calib-samples 128 --seqlen 256 --task-limit 200 --task-depths 6 ${PK_LAYER_EXTRA:-} \
             --record gpu-layers ;;
    layers2) step layers-baselines "${GRID_TIMEOUT:-570}" experiment layer-pruning --model smollm2 \
             --methods "${PK_LAYER_METHODS:-block-influence,ppl,taylor,last}" --calib-samples 128 --seqlen 256 \
             --task-limit 200 --task-depths 6 --record gpu-layers ;;
    weights) step weights-main "${GRID_TIMEOUT:-570}" experiment weight-pruning --model smollm2 \
             --methods "${PK_WEIGHT_METHODS:-magnitude,wanda,gblm}" --sweep none --calib-counts none --alphas none --task-limit 200 \
             --record gpu-weights ;;
    # the layer-pruning papers' second table (issue #21): each method before and after the same LoRA recovery
    # (recover's defaults, 100 steps on brown), on the grids' protocol; tasks (200 items) at 6 layers
    recgrid) step recover-grid "${GRID_TIMEOUT:-570}" experiment layer-pruning --model smollm2 \
             --methods "${PK_REC_METHODS:-gradmap,gradmap-oneshot,block-influence,ppl,taylor,last}" \
             --remove "${PK_REC_DEPTHS:-6,9}" --compensations none --recover-steps "${PK_REC_STEPS:-100}" \
             --calib-samples 128 --seqlen 256 --task-limit 200 --task-depths 6 --record gpu-recover-grid ;;
    # GradMAP's other variants (issue #22), each iterative (with none / projection / mean-only) or -oneshot, at 3, 6, 9
    # layers on the grid's protocol, into the same record as the default's (gpu-layers)
    variants) step layer-variants "${GRID_TIMEOUT:-570}" experiment layer-pruning --model smollm2 \
             --methods "${PK_VARIANTS:-gradmap-taylor,gradmap-squared,gradmap-module}" --calib-samples 128 --seqlen 256 \
             --task-limit 200 --task-depths 6 --record gpu-layers ;;
    # Sliding Layer Merging at the paper's ratios (20 / 25 / 35 % of 30 layers), threshold searched per depth,
    # before and after the same recovery (issue #22); the paper's calibration (10 x 128)
    slmrec) step slm-recover "${GRID_TIMEOUT:-570}" experiment layer-merging --model smollm2 \
             --remove "${PK_SLM_DEPTHS:-6,8,11}" --recover-steps "${PK_REC_STEPS:-100}" --task-limit 200 \
             --task-depths "${PK_SLM_TASK_DEPTHS:-6,8,11}" --record gpu-slm-recover ;;
    # prunekit against PyTorch on this GPU (issue #24): environment/gpu/bench-vs-pytorch-gpu.sh, the record
    # gpu-bench-vs-pytorch.csv, the outputs as benchvs.tar.gz. BENCH_* settings pass through (see the script).
    benchvs) bench_script benchvs "$PK/benchvs" ;;
    # A/B of this build against the one in $here/prunekit-base.jar (prepare.sh's PK_BASE_JAR), in lockstep, no PyTorch
    benchab) [ -f "$here/prunekit-base.jar" ] || { echo "benchab: no $here/prunekit-base.jar"; continue; }
             make_launcher "$PK/prunekit-base" "$here/prunekit-base.jar"
             BENCH_SIDES=prunekit-base PK_PRUNEKIT_BASE=$PK/prunekit-base BENCH_LOCKSTEP="${BENCH_LOCKSTEP:-256:1 256:8 2048:1}" \
               BENCH_CSV=none bench_script benchab "$PK/benchab" ;;
    # A/B of RoPE's two forms in this build (the matrix form, a GPU's default, against -Dprunekit.rope=pairs), lockstep
    benchrope) make_launcher "$PK/prunekit-pairs" "$PK/prunekit.jar" -Dprunekit.rope=pairs
             BENCH_SIDES=prunekit-base PK_PRUNEKIT_BASE=$PK/prunekit-pairs BENCH_LOCKSTEP="${BENCH_LOCKSTEP:-256:1 256:8 2048:1}" \
               BENCH_SEQUENTIAL= BENCH_CSV=none bench_script benchrope "$PK/benchrope" ;;
    # where the time goes on the PyTorch side: one eager forward and forward + backward under torch.profiler
    # (host and CUDA activity) at 1 x 256 and 8 x 256; nsys on both sides if the machine has it
    benchprof)
           [ -f "$PK/bench-model/config.json" ] || { echo "benchprof: run benchvs first (it exports the model)"; continue; }
           for bs in 1 8; do
             echo "=== profile pytorch eager $bs x 256"
             timeout 200 python3 environment/bench/pytorch_bench.py --model "$PK/bench-model" --impl plain --device cuda \
               --attn eager --seqlen 256 --batch $bs --warmup 5 --iterations 3 --matmul-size 0 \
               --profile "$LOGS/prof-eager-b$bs-t256.json" > "$LOGS/prof-eager-b$bs-t256.log" 2>&1
             tail -n 3 "$LOGS/prof-eager-b$bs-t256.log"; head -n 30 "$LOGS/prof-eager-b$bs-t256.json.txt" 2>/dev/null
             gzip -f "$LOGS"/prof-eager-b$bs-t256*.json
           done
           if command -v nsys > /dev/null; then
             PRUNEKIT_DEVICE=gpu timeout 200 nsys profile -o "$LOGS/nsys-pk" --stats=true $PK/prunekit bench \
               --model "$PK/bench-model" --seqlen 256 --batch 1 --warmup 5 --iterations 3 --matmul-size 0 > "$LOGS/nsys-pk.log" 2>&1
             grep -A 25 "cuda_api_sum" "$LOGS/nsys-pk.log" | head -40
           else
             echo "benchprof: no nsys on this machine"
           fi
           pack ;;
    notebooks) nb_step ;;
    grid)  step experiment-grid "${GRID_TIMEOUT:-560}" experiment layer-pruning --model smollm2 \
             --calib-samples 128 --seqlen 256 --record gpu-layer-pruning ;;
  esac
done
pack
echo "run done"
