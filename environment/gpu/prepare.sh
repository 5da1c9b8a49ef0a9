#!/usr/bin/env bash
# Stages the payload for running prunekit's Java code on a lent GPU machine (see README.md).
# Run HERE (the machine with a JDK 17 and the built jar), from the repository root that the
# device tool sends:
#
#   environment/gpu/prepare.sh            # builds $WORK/pk2.tar.xz etc. once, stages .gpu/c1 and .gpu/c2
#
# .gpu/c1 (first call):  pk2.tar.xz (jlinked JRE 17 + slim DJL jars + DJL's cu128 JNI), brown.tar.xz,
#                        model.part1 (first bytes of the xz-compressed SmolLM2 GGUF), pkgpu.jar (launcher + op check),
#                        opcheck-ref.bin, jni/ headers, pk_djl_shim.cc (built there), remote.sh
# .gpu/c2 (second call): model.part2 (the rest), prunekit.jar (the current build), remote.sh
# Each stays under the device tool's 64 MiB a call together with the working tree.
set -euo pipefail
repo="$(pwd)"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${WORK:-/tmp/pk-gpu-payload}"
deps="$repo/lib/target/deps"
jar="$repo/lib/target/prunekit-0.1.0-SNAPSHOT.jar"
model="$repo/data/cache/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
PART1_MIB="${PART1_MIB:-30}"   # model bytes in the first call; the rest goes in the second
mkdir -p "$WORK"
[ -f "$jar" ] && [ -d "$deps" ] || { echo "build first: mvn -q -B -DskipTests package" >&2; exit 1; }

# 1. JRE + jars + JNI -> pk2.tar.xz (about 20 MiB)
if [ ! -f "$WORK/pk2.tar.xz" ]; then
  rm -rf "$WORK/pk2" "$WORK/x" && mkdir -p "$WORK/pk2/jars" "$WORK/x"
  # a Java 17 runtime: the modules the CLI path needs (java.desktop left out: only the notebook charts use it)
  jlink --add-modules java.base,java.logging,java.management,java.naming,java.sql,java.xml,jdk.unsupported,jdk.zipfs,jdk.crypto.ec \
    --strip-debug --no-header-files --no-man-pages --output "$WORK/pk2/jre"
  # the jars the CLI loads (no pytorch-native-cpu: the GPU machine brings its own libtorch; no chart/PDF
  # or Tablesaw's fastutil/icu4j, which only notebooks touch), natives of other platforms dropped, stored
  # uncompressed so that xz sees the class files
  for j in api-0.36.0 pytorch-engine-0.36.0 pytorch-jni-2.7.1-0.36.0 tokenizers-0.36.0 gson-2.13.1 jna-5.17.0 \
           slf4j-api-2.0.17 slf4j-simple-2.0.16 picocli-4.7.7 commons-compress-1.27.1 commons-io-2.16.1 commons-codec-1.17.1 \
           tablesaw-core-0.43.1 univocity-parsers-2.8.4 guava-30.0-jre failureaccess-1.0.1 RoaringBitmap-0.9.25 shims-0.9.25; do
    mkdir -p "$WORK/x/$j" && (cd "$WORK/x/$j" && unzip -q -o "$deps/$j.jar")
  done
  rm -rf "$WORK"/x/pytorch-jni-*/jnilib/{linux-aarch64,win-x86_64,osx-aarch64}
  rm -rf "$WORK"/x/tokenizers-*/native/lib/{linux-aarch64,win-x86_64,osx-aarch64}
  for d in "$WORK"/x/jna-*/com/sun/jna/*/; do
    case "$(basename "$d")" in linux-x86-64|internal|platform|ptr|win32) ;; *) ls "$d" | grep -q '\.so\|\.dll\|\.jnilib\|\.a$' && rm -rf "$d" ;; esac
  done
  for d in "$WORK"/x/*; do (cd "$d" && zip -0 -q -r -X "$WORK/pk2/jars/$(basename "$d").jar" .); done
  unzip -p "$deps/pytorch-jni-2.7.1-0.36.0.jar" jnilib/linux-x86_64/cu128/libdjl_torch.so > "$WORK/pk2/libdjl_torch_cu128.so"
  (cd "$WORK" && tar -cf - pk2 | xz -8 -T2 > pk2.tar.xz.tmp && mv pk2.tar.xz.tmp pk2.tar.xz)
fi

# 2. the launcher that installs the shim (PkGpuShim.java) and the op-by-op check (OpCheck.java), with
#    OpCheck's reference results from DJL's own libtorch 2.7.1 CPU build (the known-good pairing)
rm -rf "$WORK/opc" && mkdir -p "$WORK/opc"
javac --release 17 -cp "$deps/*" -d "$WORK/opc" "$here/OpCheck.java" "$here/PkGpuShim.java"
(cd "$WORK/opc" && rm -f "$WORK/pkgpu.jar" && jar cf "$WORK/pkgpu.jar" ./*.class)
java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dopcheck.dump="$WORK/opcheck-ref.bin" \
  -cp "$WORK/pkgpu.jar:$deps/*" OpCheck > "$WORK/opcheck-ref.log" 2>&1
# JNI headers for building the shim there
jdk="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
rm -rf "$WORK/jni" && mkdir -p "$WORK/jni/linux" && cp "$jdk/include/jni.h" "$WORK/jni/" && cp "$jdk/include/linux/jni_md.h" "$WORK/jni/linux/"

# 3. data: the Brown corpus (calibration and evaluation), the model split in two
[ -f "$WORK/brown.tar.xz" ] || tar -C "$repo/data/cache/corpora" -cf - brown | xz -9 > "$WORK/brown.tar.xz"
if [ ! -f "$WORK/model.gguf.xz" ]; then xz -9 -T2 -k -c "$model" > "$WORK/model.gguf.xz.tmp" && mv "$WORK/model.gguf.xz.tmp" "$WORK/model.gguf.xz"; fi
rm -f "$WORK"/model.part*
head -c $((PART1_MIB * 1024 * 1024)) "$WORK/model.gguf.xz" > "$WORK/model.part1"
tail -c +$((PART1_MIB * 1024 * 1024 + 1)) "$WORK/model.gguf.xz" > "$WORK/model.part2"

# 4. stage the two calls' folders (ignored by git through .git/info/exclude)
grep -qx '/.gpu/' "$repo/.git/info/exclude" 2>/dev/null || echo '/.gpu/' >> "$repo/.git/info/exclude"
rm -rf "$repo/.gpu/c1" "$repo/.gpu/c2" && mkdir -p "$repo/.gpu/c1" "$repo/.gpu/c2"
cp -r "$WORK/pk2.tar.xz" "$WORK/brown.tar.xz" "$WORK/model.part1" "$WORK/pkgpu.jar" "$WORK/opcheck-ref.bin" "$WORK/jni" \
  "$here/shim/pk_djl_shim.cc" "$here/remote.sh" "$repo/.gpu/c1/"
cp "$WORK/model.part2" "$WORK/pkgpu.jar" "$here/remote.sh" "$repo/.gpu/c2/"
cp "$jar" "$repo/.gpu/c2/prunekit.jar"
sha256sum "$model" | cut -d' ' -f1 > "$repo/.gpu/c2/model.sha256"
tree=$(git -C "$repo" ls-files -co --exclude-standard -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
for c in c1 c2; do
  s=$(du -sb "$repo/.gpu/$c" | cut -f1)
  printf '.gpu/%s: %.1f MiB + working tree %.1f MiB = %.1f MiB (limit 64)\n' $c "$(echo "$s/1048576" | bc -l)" \
    "$(echo "$tree/1048576" | bc -l)" "$(echo "($s+$tree)/1048576" | bc -l)"
done
