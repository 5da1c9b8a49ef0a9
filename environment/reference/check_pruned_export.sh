#!/usr/bin/env bash
# Does Hugging Face transformers compute what prunekit computes on a model prunekit saved (a pruned,
# merged or narrowed one, whose logits no fixture holds)? prunekit's own logits on the SmolLM2
# fixture prompt become a fixture (build/pruned-fixture/<dir name>/), and check_hf_export.py loads
# DIR with transformers and compares against it.
#
#   environment/reference/check_pruned_export.sh DIR [--tol 1e-4] [--gen 20]
#
# PYTHON picks the interpreter (default build/refvenv/bin/python, from make-venv.sh). The library
# jar is built on first use as bin/prunekit does. Exit status: check_hf_export.py's.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="$(cd "$1" && pwd)"; shift
py="${PYTHON:-$root/build/refvenv/bin/python}"
jar="$root/lib/target/prunekit-0.1.0-SNAPSHOT.jar"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
fixture="$root/build/pruned-fixture/$(basename "$dir")"
mkdir -p "$fixture"
# the fixture's prompt with DIR's vocabulary in logits_shape; its ids for the jshell script
ids="$("$py" - "$root/lib/src/test/resources/fixtures/smollm2/prompt.json" "$dir/config.json" "$fixture/prompt.json" <<'PY'
import json, sys
prompt = json.load(open(sys.argv[1]))
vocab = json.load(open(sys.argv[2]))["vocab_size"]
json.dump({"text": prompt["text"], "ids": prompt["ids"], "logits_shape": [len(prompt["ids"]), vocab]},
          open(sys.argv[3], "w"))
print(",".join(map(str, prompt["ids"])))
PY
)"
script="$fixture/logits.jsh"
cat > "$script" <<JSH
import java.nio.*;
import java.nio.file.*;
import prunekit.model.*;
import prunekit.model.io.*;
var m = HfLoader.load(Path.of("$dir"), ai.djl.Device.cpu());
int[][] ids = {{$ids}};
float[] l = m.forward(m.manager().newSubManager(), ids, Trace.NONE).logits().toFloatArray();
var buf = ByteBuffer.allocate(l.length * 4).order(ByteOrder.LITTLE_ENDIAN);
for (float f : l) buf.putFloat(f);
Files.write(Path.of("$fixture/logits.f32"), buf.array());
/exit
JSH
jshell --class-path "$jar:$(ls "$root"/lib/target/deps/*.jar | tr '\n' ':')" -R-Dai.djl.offline=true \
  -R-Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$script"
exec "$py" "$root/environment/reference/check_hf_export.py" "$dir" --fixture "$fixture" "$@"
