"""Shared fixtures: the real models (loaded once per test session), caller audio made by Piper, and daemons on free ports."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.ami_server import FakeAmiServer
from voicebridge.call_services import PhraseCache
from voicebridge.config import Config, parse_config
from voicebridge.daemon import Daemon
from voicebridge.models.bundled import bundled_piper_voice
from voicebridge.models.registry import Models, TextToSpeech, load_models
from voicebridge.speech.tts import PiperVoiceBackend, Synthesizer


def make_config(tmp_path: Path, **sections: dict[str, Any]) -> Config:
    data: dict[str, Any] = {
        "server": {"audiosocket_port": 0},
        "storage": {"database": str(tmp_path / "calls.db")},
        "business": {"language": "en", "name": "Miller Plumbing"},
        # The post-call note model (~7 s a note on 2 cores) only where a test asks for it (tests/test_post_call_note.py).
        "models": {"note_llm": {"model": ""}},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return parse_config(data, source="<test>")


@pytest.fixture(scope="session")
def models() -> Models:
    return load_models(parse_config({"models": {"note_llm": {"model": ""}}}))


PhrasesOf = Callable[[Models], PhraseCache]


@pytest.fixture(scope="session")
def phrases() -> PhrasesOf:
    """One phrase cache per voice set for the whole session: a daemon started with the same voices takes the fixed
    phrases an earlier one synthesized (7.7 s of start-up with Piper joe) and synthesizes only what is new to it, as
    the daemon itself would. The first daemon of each voice set still warms them at start."""
    caches: dict[TextToSpeech, PhraseCache] = {}  # keyed by the voices object itself (hashed by identity)

    def of(models: Models) -> PhraseCache:
        return caches.setdefault(models.tts, PhraseCache())

    return of


@pytest.fixture(scope="session")
def say(models: Models) -> Callable[..., bytes]:
    """Caller speech as the line carries it: Piper joe (English) or the German voice, resampled to the line rate.

    English callers are Piper joe whichever voice the agent speaks with (`voice_en`)."""
    cache: dict[tuple[str, str, int], bytes] = {}
    assert isinstance(models.tts, Synthesizer)  # load_models gives the in-process voices
    callers = Synthesizer({"en": PiperVoiceBackend(*bundled_piper_voice(), threads=1, varied=False), "de": models.tts.voices["de"]})

    def speak(text: str, language: str = "en", rate: int = 8000) -> bytes:
        key = (text, language, rate)
        if key not in cache:
            lead = bytes(rate // 10 * 2)  # 100 ms of silence, as a real caller pauses before speaking
            cache[key] = lead + callers.synthesize(text, language, rate).pcm
        return cache[key]

    return speak


DaemonFactory = Callable[..., Awaitable[Daemon]]


@pytest.fixture
async def start_daemon(tmp_path: Path, models: Models, phrases: PhrasesOf) -> AsyncIterator[DaemonFactory]:
    started: list[Daemon] = []

    async def factory(config: Config | None = None, **sections: dict[str, Any]) -> Daemon:
        cfg = config or make_config(tmp_path, **sections)
        daemon = Daemon(cfg, models, phrases(models))
        await daemon.start()
        started.append(daemon)
        return daemon

    yield factory
    for daemon in started:
        await daemon.stop()


def with_changes(config: Config, **changes: Any) -> Config:
    return dataclasses.replace(config, **changes)


AMI_USER, AMI_SECRET = "voicebridge", "s3cr3t-do-not-log"


@pytest.fixture
async def asterisk() -> AsyncIterator[FakeAmiServer]:
    """A wire-exact fake Asterisk AMI on loopback."""
    server = FakeAmiServer(AMI_USER, AMI_SECRET)
    await server.start()
    yield server
    await server.stop()


async def start_with_ami(start_daemon: DaemonFactory, asterisk: FakeAmiServer, **sections: dict[str, Any]) -> Daemon:
    """A daemon logged in to the fake AMI before the test goes on."""
    daemon = await start_daemon(ami={"enabled": True, "port": asterisk.port, "username": AMI_USER, "secret": AMI_SECRET}, **sections)
    assert daemon.ami is not None and await daemon.ami.wait_connected(5)
    return daemon

