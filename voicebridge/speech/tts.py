"""Text to speech: Piper voices (ONNX) per language, espeak-ng where no Piper voice is configured.

Output is 16-bit PCM already resampled to the call's line rate, one chunk per sentence so playback can start early.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from voicebridge.audio.pcm import resample_pcm
from voicebridge.errors import ModelError

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def speech_chunks(text: str, first_max_words: int = 6) -> list[str]:
    """Sentences, with a long first sentence cut at its first comma: the caller hears the agent sooner, and a comma
    is where a speaker pauses anyway."""
    sentences = split_sentences(text)
    if not sentences:
        return []
    first, rest = sentences[0], sentences[1:]
    head, comma, tail = first.partition(", ")
    if comma and tail and len(first.split()) > first_max_words and len(head.split()) >= 2:
        return [head + ",", tail, *rest]
    return sentences


class Voice(Protocol):
    name: str

    def sentences(self, text: str) -> Iterator[tuple[bytes, int]]:
        """Yield (pcm, sample_rate) per sentence."""
        ...


class PiperVoiceBackend:
    def __init__(self, model: Path, config: Path, threads: int, varied: bool = True) -> None:
        """`varied=False` turns off the voice's generator and phoneme-width noise: the same text then gives the same audio.

        Piper draws that noise inside the ONNX graph, unseeded, so by default every synthesis differs a little (a natural
        voice). Tests' callers speak unvaried, so a transcript, and with it a test's outcome, is the same on every run."""
        for path, what in ((model, "voice model"), (config, "voice config")):
            if not path.is_file():
                raise ModelError(
                    f"Piper {what} {path} not found; fix: put the .onnx and its .onnx.json side by side and set models.tts.piper_voice_* to the .onnx"
                )
        import onnxruntime
        from piper.config import PiperConfig, SynthesisConfig
        from piper.voice import PiperVoice

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        try:
            piper_config = PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8")))
            session = onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime and json raise assorted types for corrupt files
            raise ModelError(f"Piper voice {model} cannot be loaded ({exc}); fix: re-download the .onnx and .onnx.json pair") from None
        self._voice = PiperVoice(session=session, config=piper_config)
        self._syn_config = None if varied else SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
        self.name = f"piper:{model.name}"

    def sentences(self, text: str) -> Iterator[tuple[bytes, int]]:
        for chunk in self._voice.synthesize(text, self._syn_config):
            yield chunk.audio_int16_bytes, chunk.sample_rate


class EspeakVoiceBackend:
    def __init__(self, voice: str) -> None:
        binary = shutil.which("espeak-ng")
        if binary is None:
            raise ModelError("espeak-ng is not installed but is the voice for this language; fix: `apt-get install -y espeak-ng` or configure a Piper voice")
        self._binary = binary
        self._voice = voice
        self.name = f"espeak-ng:{voice}"
        probe = subprocess.run([binary, "-v", voice, "--stdout", "ok"], capture_output=True, timeout=30)
        if probe.returncode != 0 or not probe.stdout.startswith(b"RIFF"):
            why = probe.stderr.decode(errors="replace").strip()
            raise ModelError(f"espeak-ng voice '{voice}' does not work ({why}); fix: pick one from `espeak-ng --voices`")

    def sentences(self, text: str) -> Iterator[tuple[bytes, int]]:
        for sentence in split_sentences(text):
            result = subprocess.run([self._binary, "-v", self._voice, "-s", "165", "--stdout", sentence], capture_output=True, timeout=30, check=True)
            with wave.open(io.BytesIO(result.stdout)) as wav:
                yield wav.readframes(wav.getnframes()), wav.getframerate()


@dataclass(frozen=True)
class Speech:
    pcm: bytes
    sample_rate: int


class Synthesizer:
    def __init__(self, voices: dict[str, Voice]) -> None:
        self.voices = voices

    def voice_for(self, language: str) -> Voice:
        return self.voices[language]

    def sentences(self, text: str, language: str, rate: int) -> Iterator[Speech]:
        for pcm, src_rate in self.voice_for(language).sentences(text):
            yield Speech(resample_pcm(pcm, src_rate, rate), rate)

    def synthesize(self, text: str, language: str, rate: int) -> Speech:
        return self.synthesize_rates(text, language, (rate,))[0]

    def synthesize_rates(self, text: str, language: str, rates: tuple[int, ...]) -> list[Speech]:
        """The text once, at each of `rates`: the voice runs once and its audio is resampled per rate (the fixed
        phrases are warmed at both line rates; synthesizing twice doubled the daemon's start-up, 7.7 s with Piper joe)."""
        native = list(self.voice_for(language).sentences(text))
        return [Speech(b"".join(resample_pcm(pcm, src, rate) for pcm, src in native), rate) for rate in rates]
