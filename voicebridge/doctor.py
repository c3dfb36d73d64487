"""`voicebridge doctor`: check what the daemon needs before a caller finds out, each problem with its fix."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

from voicebridge.config import Config
from voicebridge.config_secrets import exposed_secrets_warning
from voicebridge.errors import VoicebridgeError

MIN_FREE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str


def _database(config: Config) -> Check:
    path = config.database_path
    directory = path.parent
    existing = directory
    while not existing.exists():
        existing = existing.parent
    if not os.access(existing, os.W_OK):
        return Check("database", False, f"{directory} is not writable; fix: create it for the voicebridge user or change storage.database")
    free = shutil.disk_usage(existing).free
    if free < MIN_FREE_BYTES:
        return Check("disk", False, f"only {free // 2**20} MiB free at {existing}; fix: free space (calls are written as they happen)")
    return Check("database", True, f"{path} ({free // 2**30} GiB free)")


def _port(config: Config) -> Check:
    host, port = config.server.host, config.server.audiosocket_port
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            fix = "fix: stop what uses it (a running voicebridge?) or change server.audiosocket_port"
            return Check("port", False, f"cannot listen on {host}:{port} ({exc.strerror}); {fix}")
    return Check("port", True, f"{host}:{port} is free for AudioSocket")


def _espeak(config: Config) -> Check:
    if shutil.which("espeak-ng") is None:
        return Check("espeak-ng", False, "espeak-ng not found (German voice and Piper phonemes); fix: apt-get install -y espeak-ng")
    return Check("espeak-ng", True, shutil.which("espeak-ng") or "")


def _german_voice(config: Config) -> Check:
    from voicebridge.speech.pico import INSTALL_HINT, pico_available

    tts = config.models.tts
    if tts.piper_voice_de:
        return Check("german voice", True, f"Piper {tts.piper_voice_de}")
    if tts.voice_de == "espeak":
        return Check("german voice", True, f"espeak-ng {tts.espeak_voice_de} (models.tts.voice_de = \"espeak\"; SVOX Pico is understood far better)")
    if pico_available():
        return Check("german voice", True, "SVOX Pico de-DE (pico2wave)")
    german = any(tenant.language == "de" for tenant in config.all_tenants)
    return Check("german voice", not german, f"SVOX Pico missing, German callers hear espeak-ng, which they understand poorly; fix: {INSTALL_HINT}")


def _models(config: Config) -> Check:
    from voicebridge.models.registry import load_models

    try:
        models = load_models(config)
    except VoicebridgeError as exc:
        return Check("models", False, str(exc))
    voices = ", ".join(f"{lang}={v.name}" for lang, v in models.tts.voices.items())
    return Check("models", True, f"stt={models.stt.model_dir} tts: {voices} llm={models.notes.model_path}")


# One token from the GGUF, in a child: loading a model proves little (a llama.cpp built for another CPU loads, then
# dies on its first matrix multiply), and a crash there must be a doctor line, not the doctor's own death.
_FIRST_TOKEN = """
import sys, llama_cpp
llm = llama_cpp.Llama(sys.argv[1], n_threads=1, n_ctx=128, verbose=False)
llm.create_completion("Hello", max_tokens=1)
"""
LLM_FIX = ("fix: rebuild llama-cpp-python for this CPU: rm -rf ~/.cache/voicebridge/wheels/llama-cpp-python-* "
           "and run bash scripts/install.sh (scripts/llama_wheel.sh says why)")


def first_token(gguf: str, code: str = _FIRST_TOKEN, timeout_s: float = 120) -> Check:
    """Whether the language model computes a token here; `code`: the child's program (a test swaps in a crash)."""
    try:
        done = subprocess.run([sys.executable, "-c", code, gguf], capture_output=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return Check("llm", False, f"{gguf} gave no token in {timeout_s:.0f} s; fix: check the machine's load and models.llm.threads")
    if done.returncode < 0:
        how = signal.Signals(-done.returncode).name
        return Check("llm", False, f"llama.cpp crashed on its first token ({how}); {LLM_FIX}")
    if done.returncode != 0:
        last = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
        return Check("llm", False, f"{gguf} gave no token ({last}); fix: replace it with a valid GGUF file")
    return Check("llm", True, f"{gguf} computes tokens")


def _llm_runs(config: Config) -> Check:
    from voicebridge.models.registry import gguf_path

    try:
        path = gguf_path(config)
    except VoicebridgeError as exc:
        return Check("llm", False, str(exc))
    return first_token(str(path)) if path.is_file() else Check("llm", False, f"{path} not found (see the models line)")


CHECKS: list[Callable[[Config], Check]] = [_database, _port, _espeak, _german_voice, _models, _llm_runs]


def run_doctor(config: Config) -> int:
    exposed = exposed_secrets_warning(config)
    print(f"config: WARNING - {exposed}" if exposed else f"config: ok ({config.source})")
    failures = 0
    for check in CHECKS:
        result = check(config)
        failures += not result.ok
        print(f"{result.name}: {'ok' if result.ok else 'PROBLEM'} - {result.message}")
    print("all good" if not failures else f"{failures} problem(s) found")
    return 0 if not failures else 1
