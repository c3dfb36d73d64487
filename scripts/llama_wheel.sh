#!/usr/bin/env bash
# Compile llama-cpp-python once, portable, into voicebridge's own wheel directory, and print that directory.
#   bash scripts/llama_wheel.sh PIP    (PIP: the pip of the venv that builds it)
# PyPI has no wheel for it, so pip compiles the sdist, by default with -march=native. A wheel compiled that way on a
# CPU that advertises AMX took ggml's AMX matmul, which faulted on its first `ldtilecfg` in a VM that does not enable
# AMX (general protection fault in ggml_backend_amx_mul_mat, on every model: the daemon's LLM worker died on each
# hint). pip's wheel cache is keyed by the sdist, not by CMAKE_ARGS, so it handed that wheel to another machine.
# Here the build is x86-64-v3 (AVX2, FMA, F16C, BMI2: any x86 server CPU since 2015), keyed by version and flags.
# LLAMA_CMAKE_ARGS overrides the flags (e.g. "-DGGML_NATIVE=ON" on a machine the wheel never leaves).
set -euo pipefail
cd "$(dirname "$0")/.."
PIP=${1:?usage: scripts/llama_wheel.sh PIP}
version=$(sed -n 's/.*"llama-cpp-python==\([0-9.]*\)".*/\1/p' pyproject.toml)
[ -n "$version" ] || { echo "llama_wheel: no llama-cpp-python==X pin in pyproject.toml" >&2; exit 1; }
flags=${LLAMA_CMAKE_ARGS:--DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON}
key=$(printf '%s|%s|%s' "$version" "$flags" "$(uname -m)" | sha256sum | cut -c1-12)
dir=${XDG_CACHE_HOME:-$HOME/.cache}/voicebridge/wheels/llama-cpp-python-$version-$key
if ! compgen -G "$dir/llama_cpp_python-$version-*.whl" >/dev/null; then
  echo "install: compiling llama-cpp-python $version once (about 10 min on 2 cores) into $dir" >&2
  rm -rf "$dir.part"
  CMAKE_ARGS="$flags" "$PIP" wheel -q --no-deps --no-cache-dir "llama-cpp-python==$version" -w "$dir.part" >&2
  mv "$dir.part" "$dir"
fi
echo "$dir"
