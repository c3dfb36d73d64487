"""Helpers for the data-protection tests: calls with marker text in a real SQLite file, fake models, synthetic speech."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from voicebridge.dialogue.note_extractor import CallNote
from voicebridge.models.registry import Models
from voicebridge.speech.stt import Transcript
from voicebridge.speech.tts import Speech
from voicebridge.store.call_store import CallClosed, CallOpened, CallStore, TurnRecord

OLD = "2020-01-01T10:00:00.000+00:00"  # ended long before any retention cut-off


def add_call(
    store: CallStore, call_id: str, *, caller: str | None = None, texts: tuple[str, ...] = (), note: dict[str, str] | None = None,
    started: str = OLD, ended: str | None = OLD, tenant: str = "default", called: str | None = None, recording: str = "off",
) -> None:
    store.open_call(CallOpened(call_id, "audiosocket", "de", 8000, caller, called, None, started, tenant=tenant, recording=recording))
    for seq, text in enumerate(texts, 1):
        store.add_turn(TurnRecord(call_id, seq, "caller" if seq % 2 else "agent", text, started, started, seq * 1000, 900, {"stt_ms": 1.0}))
    if note is not None:
        store.set_note(call_id, json.dumps(note, ensure_ascii=False))
    if ended is not None:
        store.close_call(CallClosed(call_id, "caller_hangup", ended_at=ended))


def raw_bytes(db: Path) -> bytes:
    """Everything SQLite keeps on disk for this database: the file, its WAL and its shared-memory index."""
    return b"".join(Path(f"{db}{suffix}").read_bytes() for suffix in ("", "-wal", "-shm") if Path(f"{db}{suffix}").exists())


def voiced(seconds: float, rate: int = 8000) -> bytes:
    """A vowel-like harmonic tone that webrtcvad takes for speech: caller audio without a TTS model."""
    t = np.arange(int(rate * seconds)) / rate
    wave = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 20))
    wave = 0.3 * wave * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)) / np.max(np.abs(wave))
    return (wave * 32767).astype("<i2").tobytes()


@dataclass
class FakeStt:
    """Returns the next scripted sentence for each utterance, so a call's transcript is known in advance."""

    script: list[str]
    heard: list[int] = field(default_factory=list)

    def transcribe(self, audio: bytes, rate: int, language: str) -> Transcript:
        self.heard.append(len(audio))
        text = self.script.pop(0) if self.script else ""
        return Transcript(text, language, len(audio) / rate / 2 * 1000, 1.0, 0.0)


class FakeTts:
    def synthesize(self, text: str, language: str, rate: int) -> Speech:
        return Speech(voiced(0.2, rate), rate)

    def synthesize_rates(self, text: str, language: str, rates: tuple[int, ...]) -> list[Speech]:
        return [self.synthesize(text, language, rate) for rate in rates]


@dataclass
class FakeNotes:
    note: CallNote

    def extract(self, transcript: str, language: str) -> CallNote:
        return self.note


def fake_models(script: list[str], note: CallNote | None = None) -> Models:
    return Models(FakeStt(script), FakeTts(), FakeNotes(note or CallNote()))  # type: ignore[arg-type]
