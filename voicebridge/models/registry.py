"""Load every model once per process from the config: bundled packages by default, operator paths when given."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from voicebridge.config import Config
from voicebridge.dialogue.note_extractor import CallNote, NoteExtractor, UtteranceHints
from voicebridge.errors import ModelError
from voicebridge.models.bundled import bundled_gguf, bundled_instruct, bundled_piper_voice, bundled_whisper
from voicebridge.models.instruct import LocalChat, NoteWriter, Proposed, ServerChat
from voicebridge.models.scheduler import NOTE
from voicebridge.speech.pico import PicoVoiceBackend, pico_available
from voicebridge.speech.stt import Transcriber, Transcript
from voicebridge.speech.tts import EspeakVoiceBackend, PiperVoiceBackend, Speech, Synthesizer, Voice

log = logging.getLogger(__name__)


class SpeechToText(Protocol):
    def transcribe(self, pcm: bytes, sample_rate: int, language: str) -> Transcript: ...


class TextToSpeech(Protocol):
    def synthesize(self, text: str, language: str, rate: int) -> Speech: ...

    def synthesize_rates(self, text: str, language: str, rates: tuple[int, ...]) -> list[Speech]: ...


class NoteModel(Protocol):
    def hints(self, text: str, language: str, candidates: tuple[str, ...]) -> UtteranceHints: ...

    def extract(self, transcript: str, language: str) -> CallNote: ...


class NoteProposer(Protocol):
    name: str

    def propose(self, transcript: str, language: str) -> Proposed: ...


@dataclass(frozen=True)
class Models:
    """The model calls a call can make: answered in this process (load_models) or by the worker process (worker.py)."""

    stt: SpeechToText
    tts: TextToSpeech
    notes: NoteModel
    writer: NoteProposer | None = None  # the post-call note's instruct model; None: the parsers' note alone
    note_lane: str = NOTE  # the scheduler lane the writer's jobs go to (LLM where it shares the hints model's process)


@dataclass(frozen=True)
class LocalModels(Models):
    """Models loaded in this process, with their concrete types (`voicebridge doctor` reports their files)."""

    stt: Transcriber
    tts: Synthesizer
    notes: NoteExtractor
    writer: NoteWriter | None = None


def _piper_pair(onnx: str) -> tuple[Path, Path]:
    model = Path(onnx).expanduser()
    if model.suffix != ".onnx":
        raise ModelError(f"Piper voice path {model} should name the .onnx file (its .onnx.json beside it)")
    return model, model.with_name(model.name + ".json")


def whisper_dir(config: Config) -> Path:
    path = config.models.stt.path
    if path:
        model_dir = Path(path).expanduser()
        if not model_dir.is_dir():
            raise ModelError(f"models.stt.path {model_dir} is not a directory; fix: point it at a CTranslate2 Whisper model directory")
        return model_dir
    return bundled_whisper(config.cache_dir)


def gguf_path(config: Config) -> Path:
    path = config.models.llm.path
    if path:
        model = Path(path).expanduser()
        if model.suffix != ".gguf":
            raise ModelError(f"models.llm.path {model} is not a .gguf file; fix: convert the model to GGUF or pick the .gguf")
        return model
    return bundled_gguf(config.cache_dir)


def describe_models(config: Config) -> list[str]:
    """Where each model comes from, without loading it (bundled ones are assembled into the cache)."""
    tts = config.models.tts
    en = _piper_pair(tts.piper_voice_en)[0] if tts.piper_voice_en else bundled_piper_voice()[0]
    en_voice = "SVOX Pico en-US (pico2wave)" if not tts.piper_voice_en and tts.voice_en == "pico" and pico_available() else str(en)
    de = _piper_pair(tts.piper_voice_de)[0] if tts.piper_voice_de else german_fallback(config)
    return [f"stt: {whisper_dir(config)}", f"tts en: {en_voice}", f"tts de: {de}", f"llm: {gguf_path(config)}",
            f"note llm: {note_model_source(config) or 'none (the parsers note alone)'}"]


def profile_hotwords(config: Config) -> dict[str, str]:
    """Per language, the words callers say that Whisper base rarely spells right: business names, services, towns."""
    out = {}
    for language in ("de", "en"):
        words: list[str] = []
        for tenant in config.all_tenants:
            p = tenant.profile
            services = p.services_en if language == "en" and p.services_en else p.services
            words += [w for w in (tenant.name, *services, *p.service_area_towns) if w and w not in words]
        out[language] = ", ".join(words)[:400]  # Whisper's context holds ~220 tokens; the first words matter most
    return out


def german_fallback(config: Config) -> str:
    """The German voice when no Piper .onnx is configured: Pico if installed (and not switched off), else espeak-ng."""
    tts = config.models.tts
    if tts.voice_de == "pico" and pico_available():
        return "SVOX Pico de-DE (pico2wave)"
    return f"espeak-ng voice {tts.espeak_voice_de}"


def note_model_source(config: Config) -> str:
    """Where the post-call note model comes from (a bundled one is assembled and verified here); "" for none."""
    cfg = config.models.note_llm
    if cfg.url:
        if not cfg.url.startswith(("http://", "https://")):
            raise ModelError(f"models.note_llm.url {cfg.url!r} must start with http:// or https://; fix: e.g. http://127.0.0.1:8080/v1")
        return cfg.url
    if cfg.path:
        model = Path(cfg.path).expanduser()
        if model.suffix != ".gguf":
            raise ModelError(f"models.note_llm.path {model} is not a .gguf file; fix: convert the model to GGUF or pick the .gguf")
        return str(model)
    return str(bundled_instruct(config.cache_dir, cfg.model)) if cfg.model else ""


def load_note_writer(config: Config) -> NoteWriter | None:
    cfg = config.models.note_llm
    source = note_model_source(config)
    if not source:
        return None
    if cfg.url:
        key = ""
        if cfg.api_key_file:
            try:
                key = Path(cfg.api_key_file).expanduser().read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ModelError(f"models.note_llm.api_key_file {cfg.api_key_file} cannot be read ({exc.strerror}); fix: check the path") from None
        return NoteWriter(ServerChat(cfg.url, cfg.server_model, key, cfg.timeout_s), cfg.url)
    name = cfg.model if not cfg.path else Path(source).name
    return NoteWriter(LocalChat(Path(source), cfg.threads, cfg.context, cfg.chat_format), name)


def load_voices(config: Config) -> dict[str, Voice]:
    tts = config.models.tts
    voices: dict[str, Voice] = {}
    if tts.piper_voice_en:
        voices["en"] = PiperVoiceBackend(*_piper_pair(tts.piper_voice_en), threads=tts.threads)
    elif tts.voice_en == "pico" and pico_available():
        voices["en"] = PicoVoiceBackend("en")
    else:  # Piper joe: chosen, or the fallback without Pico (understood as well, but it loses digits in read-backs)
        if tts.voice_en == "pico":
            log.warning("SVOX Pico (pico2wave) not installed: English falls back to Piper joe, whose read-backs lose digits more often")
        voices["en"] = PiperVoiceBackend(*bundled_piper_voice(), threads=tts.threads)
    if tts.piper_voice_de:
        voices["de"] = PiperVoiceBackend(*_piper_pair(tts.piper_voice_de), threads=tts.threads)
    elif tts.voice_de == "pico" and pico_available():
        voices["de"] = PicoVoiceBackend("de")
    else:
        if tts.voice_de == "pico":
            log.warning("SVOX Pico (pico2wave) not installed: German falls back to espeak-ng, which callers understand far less well")
        voices["de"] = EspeakVoiceBackend(tts.espeak_voice_de)
    return voices


def load_transcriber(config: Config, context: dict[str, str] | None = None) -> Transcriber:
    """Whisper with the configured model and decoding; `context`: per language, the words Whisper is told were said before."""
    stt = config.models.stt
    return Transcriber(whisper_dir(config), stt.device, stt.compute_type, stt.threads, stt.beam_size, stt.window_s, context)


def load_speech_models(config: Config) -> tuple[Transcriber, Synthesizer]:
    """Whisper and the voices: what the speech lane (and its process) holds."""
    context = profile_hotwords(config) if config.models.stt.hotwords == "profile" else None
    return load_transcriber(config, context), Synthesizer(load_voices(config))


def note_model_configured(config: Config) -> bool:
    """Whether a post-call note model is configured, without assembling or opening it."""
    cfg = config.models.note_llm
    return bool(cfg.url or cfg.path or cfg.model)


def load_hints_model(config: Config) -> NoteExtractor:
    """The language model that reads single utterances for live replies: what the LLM lane (and its process) holds."""
    llm_cfg = config.models.llm
    return NoteExtractor(gguf_path(config), llm_cfg.threads, llm_cfg.context, llm_cfg.chat_format)


def load_note_model(config: Config) -> tuple[NoteExtractor, NoteWriter | None]:
    """Both language models, the hints model and the post-call note's (in this process, or the LLM process's share
    where the note model has no process of its own)."""
    return load_hints_model(config), load_note_writer(config)


def load_models(config: Config) -> LocalModels:
    started = time.perf_counter()
    stt, tts = load_speech_models(config)
    notes, writer = load_note_model(config)
    log.info(
        "models loaded in %.1f s: stt=%s tts=%s llm=%s note llm=%s",
        time.perf_counter() - started,
        stt.model_dir,
        ",".join(f"{lang}={v.name}" for lang, v in tts.voices.items()),
        notes.model_path.name,
        writer.name if writer is not None else "none",
    )
    return LocalModels(stt, tts, notes, writer)
