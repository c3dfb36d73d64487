"""What every call shares: config, models, the model scheduler, the store writer, and pre-synthesized phrases."""

from __future__ import annotations

from dataclasses import dataclass, field

from voicebridge.config import Config
from voicebridge.models.registry import Models
from voicebridge.models.scheduler import ModelScheduler, RunTimes
from voicebridge.notify.notifier import Notifier
from voicebridge.pbx.ami_client import AmiClient
from voicebridge.privacy.recordings import RecordingStore
from voicebridge.store.call_store import StoreWriter


@dataclass
class PhraseCache:
    """Fixed phrases (greeting, goodbye) synthesized once per language and line rate, so they start instantly."""

    audio: dict[tuple[str, str, int], bytes] = field(default_factory=dict)

    def get(self, text: str, language: str, rate: int) -> bytes | None:
        return self.audio.get((text, language, rate))

    def put(self, text: str, language: str, rate: int, pcm: bytes) -> None:
        self.audio[(text, language, rate)] = pcm


@dataclass(frozen=True)
class CallServices:
    config: Config
    models: Models
    scheduler: ModelScheduler
    store: StoreWriter
    phrases: PhraseCache
    recordings: RecordingStore | None = None  # where consented recordings go (privacy.record_audio)
    ami: AmiClient | None = None  # caller number, DID and channel from Asterisk, when [ami] is enabled
    notifier: Notifier | None = None  # call notes: stored, then e-mailed and POSTed in the background ([notify])
    vad_model: object | None = None  # the Silero VAD session every call shares, when [vad] detector uses Silero
    note_runs: RunTimes = field(default_factory=RunTimes)  # the post-call note model's recent generation times
