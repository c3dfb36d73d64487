"""Speech to text with faster-whisper, loaded once from the bundled model or a configured directory.

Phone audio is short and narrow-band: the language is forced and decoding is greedy with a token cap.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicebridge.audio.pcm import resample, to_float
from voicebridge.errors import ModelError

log = logging.getLogger(__name__)

WHISPER_RATE = 16000

# Phrases Whisper invents on silence and noise (subtitle credits from its training data).
HALLUCINATIONS = {
    "de": ("untertitel", "vielen dank fürs zuschauen", "amara.org", "untertitelung", "zdf", "swr"),
    "en": ("thanks for watching", "thank you for watching", "subtitles by", "amara.org", "please subscribe"),
}


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    audio_ms: float
    compute_ms: float
    no_speech_prob: float
    rejected: str = ""  # why the text was dropped as a hallucination, empty if kept


def is_hallucination(text: str, language: str) -> bool:
    lowered = text.lower()
    return any(phrase in lowered for phrase in HALLUCINATIONS.get(language, ()))


class Transcriber:
    def __init__(self, model_dir: Path, device: str, compute_type: str, threads: int, beam_size: int) -> None:
        if not (model_dir / "model.bin").is_file():
            raise ModelError(
                f"Whisper model {model_dir / 'model.bin'} not found; fix: set models.stt.path to a CTranslate2 Whisper "
                "directory (model.bin, config.json, tokenizer.json) or leave it empty for the bundled model"
            )
        from faster_whisper import WhisperModel

        try:
            self._model = WhisperModel(str(model_dir), device=device, compute_type=compute_type, cpu_threads=threads, local_files_only=True)
        except Exception as exc:  # ctranslate2 raises plain RuntimeError for corrupt files
            raise ModelError(
                f"Whisper model in {model_dir} cannot be loaded ({exc}); fix: replace the directory with a valid CTranslate2 Whisper model"
            ) from None
        self.model_dir = model_dir
        self._beam_size = beam_size

    def transcribe(self, pcm: bytes, sample_rate: int, language: str) -> Transcript:
        started = time.perf_counter()
        samples = resample(to_float(pcm), sample_rate, WHISPER_RATE)
        audio_ms = len(samples) / WHISPER_RATE * 1000
        segments, _info = self._model.transcribe(
            samples.astype(np.float32),
            language=language,
            beam_size=self._beam_size,
            temperature=0.0,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
            max_new_tokens=96,
        )
        kept: list[str] = []
        no_speech = 0.0
        rejected = ""
        for seg in segments:
            no_speech = max(no_speech, seg.no_speech_prob)
            if seg.no_speech_prob > 0.6 and seg.avg_logprob < -1.0:
                rejected = "no_speech"
                continue
            kept.append(seg.text.strip())
        text = re.sub(r"\s+", " ", " ".join(kept)).strip()
        if text and is_hallucination(text, language):
            rejected, text = "hallucination", ""
        return Transcript(text, language, audio_ms, (time.perf_counter() - started) * 1000, no_speech, rejected)
