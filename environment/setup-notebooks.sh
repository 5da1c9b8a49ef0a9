#!/usr/bin/env bash
# Sets up the notebook environment: a project-local virtualenv .venv/ (git-ignored) with
# JupyterLab, nbconvert, nbclient and the JJava kernel from PyPI, and a kernelspec
# "prunekit-java" whose JVM has the prunekit jar and its runtime dependencies on the classpath.
# Idempotent: a second run finds everything in place and only rewrites the kernelspec.
#
#   bash environment/setup-notebooks.sh      then   .venv/bin/jupyter lab
#
# Settings (environment variables, optional):
#   PRUNEKIT_KERNEL_XMX   maximum heap of the notebook JVM (default 8g)
#   PYTHON                interpreter the virtualenv is made from (default python3)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
xmx="${PRUNEKIT_KERNEL_XMX:-8g}"

# Pinned versions: JJava 1.0a8 is the newest release on PyPI (pre-release tag; the kernel is
# the maintained successor of IJava). The Jupyter packages are the ones these notebooks were
# executed with.
jjava_version=1.0a8
packages=(
  "jjava==$jjava_version"
  "jupyterlab==4.4.*"
  "nbconvert==7.*"
  "nbclient==0.10.*"
  "nbformat==5.*"
)

die() { echo "setup-notebooks.sh: $*" >&2; exit 1; }

command -v java >/dev/null || die "java not found: install a JDK 17 (apt-get install openjdk-17-jdk-headless)."
command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install maven)."

# 1. The library jar and its runtime dependencies (lib/target/deps/), built once.
if ! ls "$root"/lib/target/prunekit-*.jar >/dev/null 2>&1 || [ ! -d "$root/lib/target/deps" ]; then
  echo "setup-notebooks.sh: building lib/target/prunekit-*.jar (mvn package)"
  (cd "$root" && mvn -q -B -DskipTests package) || die "mvn package failed: see the output above."
fi

# 2. The virtualenv with Jupyter and JJava.
if [ ! -x "$venv/bin/python" ]; then
  echo "setup-notebooks.sh: creating $venv"
  "${PYTHON:-python3}" -m venv "$venv" || die "python3 -m venv failed: install python3-venv."
fi
installed="$("$venv/bin/python" -m pip show jjava 2>/dev/null || true)"
if ! grep -qx "Version: $jjava_version" <<<"$installed" ||
   ! "$venv/bin/python" -c "import jupyterlab, nbclient, nbconvert, nbformat" 2>/dev/null; then
  echo "setup-notebooks.sh: pip install ${packages[*]}"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet "${packages[@]}" || die "pip install failed: is PyPI reachable?"
fi

# 3. The kernelspec. JJava's wheel installs share/jupyter/kernels/java/ (its launcher and kernel
# jars); prunekit-java reuses those jars and adds, through JJava's environment variables:
#   JJAVA_CLASSPATH  the library jar and every runtime dependency, so no cell needs %maven;
#   JJAVA_JVM_OPTS   heap size, DJL offline mode (no downloads; not for a -Pcuda build), headless AWT for XChart,
#                    and slf4j-simple at WARN so DJL's start-up INFO lines stay out of the outputs;
#   PRUNEKIT_NOTEBOOK=1 tells prunekit.viz.Progress to print sparse lines instead of \r updates.
jjava_dir="$venv/share/jupyter/kernels/java"
[ -f "$jjava_dir/jjava.jar" ] || die "$jjava_dir/jjava.jar missing: pip install jjava==$jjava_version did not install its kernel."
spec_dir="$venv/share/jupyter/kernels/prunekit-java"
mkdir -p "$spec_dir"
java_bin="$(command -v java)"
# JJava logs every start and stop of its socket loops at INFO; keep warnings only.
printf '%s\n' "handlers=java.util.logging.ConsoleHandler" ".level=WARNING" > "$spec_dir/logging.properties"
classpath="$(ls "$root"/lib/target/prunekit-*.jar | head -n 1):$root/lib/target/deps/*"
# offline with DJL's CPU libtorch jar (the default build); a CUDA build (-Pcuda) may let DJL fetch libtorch
djl_opts="-Dai.djl.offline=true"
compgen -G "$root/lib/target/deps/pytorch-native-cpu-*.jar" > /dev/null || djl_opts=""
"$venv/bin/python" - "$spec_dir" "$java_bin" "$jjava_dir" "$classpath" "$xmx" "$root" "$djl_opts" <<'EOF'
import json, sys
spec_dir, java, jjava_dir, classpath, xmx, root, djl_opts = sys.argv[1:]
spec = {
    "argv": [java, f"-Djava.util.logging.config.file={spec_dir}/logging.properties",
             "-jar", f"{jjava_dir}/jjava-launcher.jar", f"{jjava_dir}/jjava.jar", "{connection_file}"],
    "display_name": "Java (prunekit)",
    "language": "java",
    "interrupt_mode": "message",
    "env": {
        "JJAVA_CLASSPATH": classpath,
        "JJAVA_JVM_OPTS": (f"-Xmx{xmx} {djl_opts} -Djava.awt.headless=true"
                           " -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
                           f" -Djava.util.logging.config.file={spec_dir}/logging.properties").replace("  ", " "),
        "PRUNEKIT_NOTEBOOK": "1",
        "PRUNEKIT_ROOT": root,
    },
    "metadata": {},
}
with open(f"{spec_dir}/kernel.json", "w") as f:
    json.dump(spec, f, indent=2)
    f.write("\n")
EOF
echo "setup-notebooks.sh: kernel prunekit-java ready ($spec_dir), JJava $jjava_version, -Xmx$xmx"
