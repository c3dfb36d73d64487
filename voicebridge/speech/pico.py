"""SVOX Pico (`pico2wave`, Debian libttspico-utils): the German voice callers understand, 16 kHz.

Runs as a subprocess per sentence, in the same place as every other voice (the model worker or scheduler thread).
"""

from __future__ import annotations

import re
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


# Digit words as the read-backs say them (parsers/phone.py _READBACK), "zwei" too; "plus" leads an international number.
_DIGIT_WORDS = {
    "de": ("null", "eins", "zwo", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "plus"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "plus"),
}
_DIGIT_RUNS = {
    # Two digit words or more: "one of them" in a sentence is no number.
    lang: re.compile(rf"\b(?:{'|'.join(words)})\b(?:[ ,–-]+\b(?:{'|'.join(words)})\b)+", re.IGNORECASE)
    for lang, words in _DIGIT_WORDS.items()
}


def pico_text(sentence: str, language: str, digit_speed: int = 100, repeat_break_ms: int = 0) -> str:
    """The sentence as Pico's markup: a tag in the text (an LLM reply's) is dropped, neither obeyed nor
    read out (Pico reads markup in any text it is given, `<play file=…>` included), and a
    run of digit words may be slowed (`digit_speed` percent of normal) or get a pause between two equal digits.

    The voices read digits at Pico's own pace: German at 90% with 250 ms between equal digits got more random read-backs
    through Whisper base (65 vs 61 of 80 on the two held-out sets) but fewer of the agent's six fixed ones (9 vs 11 of
    12), a tie (README, "Read-backs digit for digit"); the markup stays for benchmarks/readback_intelligibility.py."""
    text = re.sub(r"<[^<>]*>", " ", sentence).replace("<", " ").replace(">", " ")
    if digit_speed == 100 and not repeat_break_ms:
        return text

    def mark(run: re.Match[str]) -> str:
        digits = run.group(0)
        if repeat_break_ms:
            digits = re.sub(r"\b(\w+)([ ,–-]+)(?=\1\b)", rf"\1\2<break time='{repeat_break_ms}ms'/> ", digits, flags=re.IGNORECASE)
        return f"<speed level='{digit_speed}'>{digits}</speed>" if digit_speed != 100 else digits

    return _DIGIT_RUNS[language].sub(mark, text)


def pico_available() -> bool:
    return shutil.which("pico2wave") is not None


class PicoVoiceBackend:
    def __init__(self, language: str, digit_speed: int = 100, repeat_break_ms: int = 0) -> None:
        binary = shutil.which("pico2wave")
        if binary is None:
            raise ModelError(f"pico2wave (SVOX Pico) is not installed; fix: {INSTALL_HINT}")
        self._binary = binary
        self._language = language
        self._lang = PICO_LANGUAGES[language]
        self._digit_speed = digit_speed
        self._repeat_break_ms = repeat_break_ms
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
            yield self._say(pico_text(sentence, self._language, self._digit_speed, self._repeat_break_ms))
