"""SVOX Pico (`pico2wave`, Debian libttspico-utils): the German voice callers understand, 16 kHz.

Runs as a subprocess per sentence, in the same place as every other voice (the model worker or scheduler thread).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import uuid
import wave
from collections.abc import Iterator
from pathlib import Path

from voicebridge.errors import ModelError
from voicebridge.speech.tts import split_sentences

PICO_LANGUAGES = {"de": "de-DE", "en": "en-US"}
INSTALL_HINT = (
    "add Debian's non-free component (Components: main non-free in /etc/apt/sources.list.d/debian.sources), "
    "then apt-get update && apt-get install -y libttspico-utils libttspico0 libttspico-data (scripts/install.sh does this)"
)


def pico_available() -> bool:
    return shutil.which("pico2wave") is not None


class PicoVoiceBackend:
    def __init__(self, language: str) -> None:
        binary = shutil.which("pico2wave")
        if binary is None:
            raise ModelError(f"pico2wave (SVOX Pico) is not installed; fix: {INSTALL_HINT}")
        self._binary = binary
        self._lang = PICO_LANGUAGES[language]
        self.name = f"pico:{self._lang}"
        # Pico writes only to a named .wav file; one private directory per voice, reused for every sentence.
        self._dir = tempfile.TemporaryDirectory(prefix="voicebridge-pico-")
        try:
            pcm, rate = self._say("ok")
        except (subprocess.SubprocessError, OSError, wave.Error) as exc:
            raise ModelError(f"pico2wave -l {self._lang} does not work ({exc}); fix: reinstall libttspico-data") from None
        if not pcm or rate != 16000:
            raise ModelError(f"pico2wave -l {self._lang} gave no 16 kHz audio; fix: reinstall libttspico-data")

    def _say(self, text: str) -> tuple[bytes, int]:
        out = Path(self._dir.name) / f"{uuid.uuid4().hex}.wav"  # unique: calls may synthesize concurrently
        try:
            result = subprocess.run([self._binary, "-l", self._lang, "-w", str(out), text], capture_output=True, timeout=30)
            if result.returncode != 0:
                raise subprocess.SubprocessError(result.stderr.decode(errors="replace").strip() or f"exit code {result.returncode}")
            with wave.open(str(out)) as wav:
                return wav.readframes(wav.getnframes()), wav.getframerate()
        finally:
            out.unlink(missing_ok=True)

    def sentences(self, text: str) -> Iterator[tuple[bytes, int]]:
        for sentence in split_sentences(text):
            yield self._say(sentence)
