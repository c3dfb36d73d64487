"""Speech to text with faster-whisper, loaded once from the bundled model or a configured directory.

Phone audio is short and narrow-band: the language is forced and decoding is greedy with a token cap.
"""

from __future__ import annotations

import difflib
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
LOOP_BEAM = 5  # the beam a transcript that looks looped is decoded again with

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
    reused_ms: float = 0.0  # audio at the start whose words came from an earlier pass (incremental transcription)


def is_hallucination(text: str, language: str) -> bool:
    lowered = text.lower()
    return any(phrase in lowered for phrase in HALLUCINATIONS.get(language, ()))


_WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


MIN_CUT_WORD = 4  # a said word this long or longer that starts a context word may be that word cut off


def echoes_context(text: str, context: str) -> bool:
    """True when every word of `text` is a word of Whisper's context (the business's name, services, towns), or the
    start of one: on hiss Whisper also says a context word back cut off ("Musterbet" for "Musterbetrieb").

    A caller's word that happens to start a context word ("Bad" of "Badsanierung") only costs the second pass below,
    which keeps what the caller said."""
    said = {w.casefold() for w in _WORD_RE.findall(text)}
    words = {w.casefold() for w in _WORD_RE.findall(context)}
    return bool(said) and all(
        w in words or (len(w) >= MIN_CUT_WORD and any(c.startswith(w) for c in words)) for w in said
    )


def looks_looped(text: str) -> bool:
    """Greedy decoding caught in a loop, as it happens on numbers: a group of three or more digits written again
    ("0171 234 5678 234 5,678 238"), or one word four times running ("6 6 6 6 7 7 7 7")."""
    groups = [g for g in re.findall(r"\d+", text) if len(g) >= 3]
    if len(groups) != len(set(groups)):
        return True
    words = [w.casefold() for w in _WORD_RE.findall(text)]
    return any(len(set(words[i:i + 4])) == 1 for i in range(len(words) - 3))


def sounds_alike(a: str, b: str) -> bool:
    """The same words, give or take Whisper's spelling ("Garsching" / "Garching", "Sanitaer" / "Sanitär")."""
    first, second = (" ".join(w.casefold() for w in _WORD_RE.findall(x)) for x in (a, b))
    return bool(first) and difflib.SequenceMatcher(None, first, second).ratio() >= 0.7


class Transcriber:
    def __init__(self, model_dir: Path, device: str, compute_type: str, threads: int, beam_size: int, window_s: float = 10.0,
                 context: dict[str, str] | None = None) -> None:
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
        self._context = dict(context or {})  # per language: the business's own words (models.stt.hotwords)
        self._beam_size = beam_size
        # Whisper pads every input to 30 s and the encoder pays for all of it (~1 s on 2 cores for base). Phone turns
        # are a few seconds long: encoding a shorter window (at least `window_s`) is 3-5x faster with the same words.
        self._window_frames = int(window_s * 100) if 0 < window_s < 30 else 0

    def transcribe(self, pcm: bytes, sample_rate: int, language: str, prompt: str = "") -> Transcript:
        """`prompt`: text Whisper sees as said before (initial_prompt / hotwords: both become its previous-text context)."""
        started = time.perf_counter()
        prompt = prompt or self._context.get(language, "")
        samples = resample(to_float(pcm), sample_rate, WHISPER_RATE).astype(np.float32)
        audio_ms = len(samples) / WHISPER_RATE * 1000
        text, no_speech, rejected = self._transcribe(samples, language, prompt)
        if text and prompt and echoes_context(text, prompt):
            # On noise Whisper may say its context back ("Musterbetrieb Musterbetrieb Musterbetrieb"). Only a caller
            # who says nothing but the business's own words looks the same ("Garching."). One more pass without the
            # context decides (in this case only): a caller's word comes out alike, misspelt at most ("Garsching"), and
            # keeps the context's spelling; anything else means the context was said back, and the pass without it
            # stands, as if there had been no context (nothing, or what Whisper makes of the noise anyway).
            bare, no_speech, why = self._transcribe(samples, language, "")
            if not sounds_alike(bare, text):
                text, rejected = bare, why or ("" if bare else "context_echo")
        return Transcript(text, language, audio_ms, (time.perf_counter() - started) * 1000, no_speech, rejected)

    def _transcribe(self, samples: np.ndarray, language: str, prompt: str) -> tuple[str, float, str]:
        """(text, highest no-speech probability, why the text was dropped or "") for 16 kHz samples."""
        if self._window_frames and len(samples) / WHISPER_RATE * 1000 < self._window_frames * 10 - 1000:
            segments = [self._decode_window(samples, language, prompt)]
        else:
            found, _info = self._model.transcribe(
                samples,
                language=language,
                beam_size=self._beam_size,
                temperature=0.0,
                condition_on_previous_text=False,
                without_timestamps=True,
                vad_filter=False,
                max_new_tokens=96,
                initial_prompt=prompt or None,
            )
            segments = [(seg.text, seg.no_speech_prob, seg.avg_logprob) for seg in found]
        kept: list[str] = []
        no_speech = 0.0
        rejected = ""
        for text, seg_no_speech, avg_logprob in segments:
            no_speech = max(no_speech, seg_no_speech)
            # Whisper's own rule (no speech likely, text unsure), and a looser one for text it is very unsure of: on
            # line hiss Whisper base writes "you" or "I" at no-speech 0.45-0.57 and avg log-prob -2 to -3.6, where
            # recorded callers' words (140 prompts) scored no-speech < 0.4 whenever their log-prob was that low.
            if (seg_no_speech > 0.6 and avg_logprob < -1.0) or (seg_no_speech > 0.4 and avg_logprob < -2.0):
                rejected = "no_speech"
                continue
            kept.append(text.strip())
        text = re.sub(r"\s+", " ", " ".join(kept)).strip()
        if text and is_hallucination(text, language):
            rejected, text = "hallucination", ""
        return text, no_speech, rejected

    def _decode_window(self, samples: np.ndarray, language: str, context: str = "") -> tuple[str, float, float]:
        """Greedy decoding over a short encoder window: (text, no-speech probability, mean log-probability per token)."""
        import ctranslate2
        from faster_whisper.tokenizer import Tokenizer

        features = self._model.feature_extractor(samples)
        frames = features.shape[-1]
        target = max(frames + 100, self._window_frames)  # a little silence after the speech, as Whisper saw in training
        padded = np.ascontiguousarray(np.pad(features, ((0, 0), (0, target - frames)))[None], dtype=np.float32)
        tokenizer = Tokenizer(self._model.hf_tokenizer, self._model.model.is_multilingual, task="transcribe", language=language)
        previous = [tokenizer.sot_prev, *tokenizer.encode(" " + context.strip())[:100]] if context.strip() else []
        prompt = [*previous, *tokenizer.sot_sequence, tokenizer.no_timestamps]
        encoded = self._model.model.encode(ctranslate2.StorageView.from_array(padded), to_cpu=False)

        def decode(beam_size: int) -> tuple[str, float, float]:
            result = self._model.model.generate(
                encoded,
                [prompt],
                beam_size=beam_size,
                # About 7 tokens a second of speech is plenty; the cap and the n-gram ban stop most loops a short window invites.
                max_length=int(12 + 7 * frames / 100) + len(previous),  # the length counts the prompt
                no_repeat_ngram_size=4,
                return_scores=True,
                return_no_speech_prob=True,
            )[0]
            text = tokenizer.decode([t for t in result.sequences_ids[0] if t < tokenizer.eot])
            return text, float(result.no_speech_prob), float(result.scores[0]) if result.scores else 0.0

        found = decode(self._beam_size)
        if self._beam_size < LOOP_BEAM and looks_looped(found[0]):
            # The loops the n-gram ban lets through come from greedy search; a wider beam on the same encoder output
            # (no second encoder pass: +~150 ms on a 5 s turn, only on such turns) finds the reading that ends.
            found = decode(LOOP_BEAM)
        return found
