"""The fixed phrases are synthesized once at start, at both line rates from one synthesis each; a daemon given a phrase
cache from the same voices synthesizes only what the cache lacks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tests.conftest import make_config
from tests.privacy_helpers import FakeTts, fake_models
from voicebridge.call_services import PhraseCache
from voicebridge.daemon import WARM_RATES, Daemon
from voicebridge.dialogue.receptionist import fixed_phrases
from voicebridge.speech.tts import Speech


class CountingTts(FakeTts):
    def __init__(self) -> None:
        self.texts: list[str] = []

    def synthesize_rates(self, text: str, language: str, rates: tuple[int, ...]) -> list[Speech]:
        self.texts.append(text)
        return super().synthesize_rates(text, language, rates)


async def _start_and_stop(tmp_path: Path, tts: CountingTts, phrases: PhraseCache | None = None, **business: str) -> PhraseCache:
    daemon = Daemon(make_config(tmp_path, business={"language": "en", "name": "Miller Plumbing", **business}),
                    dataclasses.replace(fake_models([]), tts=tts), phrases)
    await daemon.start()
    try:
        assert daemon.services is not None
        return daemon.services.phrases
    finally:
        await daemon.stop()


async def test_each_fixed_phrase_is_synthesized_once_for_both_line_rates(tmp_path: Path) -> None:
    tts = CountingTts()
    cache = await _start_and_stop(tmp_path, tts)
    wanted = fixed_phrases("Miller Plumbing", "en")
    assert sorted(tts.texts) == sorted(set(wanted))
    assert all(cache.get(text, "en", rate) for text in wanted for rate in WARM_RATES)


async def test_a_daemon_given_the_cache_synthesizes_only_what_it_lacks(tmp_path: Path) -> None:
    first = CountingTts()
    cache = await _start_and_stop(tmp_path / "a", first)
    again = CountingTts()
    assert await _start_and_stop(tmp_path / "b", again, cache) is cache and again.texts == []
    renamed = CountingTts()  # another business name: a new greeting, the rest already there
    await _start_and_stop(tmp_path / "c", renamed, cache, name="Keller Roofing")
    assert renamed.texts == [t for t in fixed_phrases("Keller Roofing", "en") if "Keller Roofing" in t]
