"""Caller answers as the phone line carries them: synthesized (SVOX Pico, espeak-ng, Piper joe), paused between parts, at 8 kHz.

Shared by `record.py` (which writes the transcript fixtures) and the live test that runs a few answers through Whisper again.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from pathlib import Path

from voicebridge.audio.pcm import resample_pcm, silence
from voicebridge.config import Config
from voicebridge.models.bundled import bundled_piper_voice
from voicebridge.speech.stt import Transcriber
from voicebridge.speech.tts import EspeakVoiceBackend, PiperVoiceBackend, Voice

LINE_RATE = 8000
PAUSE_MS = 700  # a caller pausing between the groups of a number; Whisper then writes "0171. 2, 3, 4 …"

# The voices answers are spoken in. Not espeak-ng for German: Whisper base at 8 kHz writes nonsense for it ("Mein Nomass nun eins
# nie benallen" for "Meine Nummer ist null eins sieben eins"), so its transcripts test nothing a caller would say.
VOICES = {"de": ("pico:de-DE",), "en": ("piper:joe", "pico:en-GB")}


class _PicoVoice:
    def __init__(self, lang: str) -> None:
        binary = shutil.which("pico2wave")
        if binary is None:
            raise RuntimeError("pico2wave is not installed; fix: `apt-get install -y libttspico-utils` (Debian non-free)")
        self._binary, self._lang, self.name = binary, lang, f"pico:{lang}"

    def sentences(self, text: str) -> Iterator[tuple[bytes, int]]:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "say.wav"
            subprocess.run([self._binary, "-l", self._lang, "-w", str(path), text], check=True, capture_output=True, timeout=60)
            with wave.open(io.BytesIO(path.read_bytes())) as wav:
                yield wav.readframes(wav.getnframes()), wav.getframerate()


def voice(name: str) -> Voice:
    kind, _, arg = name.partition(":")
    if kind == "pico":
        return _PicoVoice(arg)
    if kind == "espeak-ng":
        return EspeakVoiceBackend(arg)
    if kind == "piper":
        return PiperVoiceBackend(*bundled_piper_voice(), threads=1, varied=False)
    raise ValueError(f"unknown voice {name}")


def available_voices() -> dict[str, tuple[str, ...]]:
    """The voices of VOICES that this machine can speak in (Pico needs Debian's non-free libttspico-utils)."""
    have_pico = shutil.which("pico2wave") is not None
    return {lang: tuple(v for v in names if have_pico or not v.startswith("pico:")) for lang, names in VOICES.items()}


def line_audio(speaker: Voice, parts: tuple[str, ...]) -> bytes:
    """16-bit mono PCM at 8 kHz: a short lead-in, the parts with a pause between them, a short tail."""
    pause = silence(LINE_RATE, PAUSE_MS)
    chunks = [silence(LINE_RATE, 300)]
    for index, part in enumerate(parts):
        if index:
            chunks.append(pause)
        chunks += [resample_pcm(pcm, rate, LINE_RATE) for pcm, rate in speaker.sentences(part)]
    chunks.append(silence(LINE_RATE, 300))
    return b"".join(chunks)


def transcriber(config: Config) -> Transcriber:
    """Whisper exactly as a call gets it: the configured (or bundled) model and the project's decoding settings."""
    from voicebridge.models.registry import load_transcriber

    return load_transcriber(config)
