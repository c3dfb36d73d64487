"""The in-band DTMF detector: every key at both line rates, one press per tone, nothing from speech, noise or near misses."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from voicebridge.audio.dtmf_tones import KEYS, ToneDetector, key_tones

ALL_KEYS = "".join(KEYS)


def presses(pcm: bytes, rate: int) -> tuple[str, int]:
    """The keys found in `pcm` fed as 20 ms frames, and how many frames were flagged as tone."""
    detector = ToneDetector(rate)
    size = rate // 50 * 2
    found, toned = "", 0
    for i in range(0, len(pcm) - size + 1, size):
        result = detector.process(pcm[i:i + size])
        toned += result.tone
        found += result.key or ""
    return found, toned


@pytest.mark.parametrize("rate", [8000, 16000])
def test_every_key_is_found_once(rate: int) -> None:
    assert presses(key_tones(ALL_KEYS, rate), rate)[0] == ALL_KEYS


def test_a_held_key_is_one_press_and_a_repeated_key_two() -> None:
    assert presses(key_tones("5", tone_ms=1000), 8000)[0] == "5"
    assert presses(key_tones("55"), 8000)[0] == "55"


@pytest.mark.parametrize("offset", [0, 37, 90, 151])
def test_tones_not_aligned_to_frames_and_short_gaps(offset: int) -> None:
    pcm = bytes(offset * 2) + key_tones("0171#", tone_ms=60, gap_ms=50)
    assert presses(pcm, 8000)[0] == "0171#"


def test_quiet_twisted_short_and_off_frequency_tones_are_not_keys() -> None:
    assert presses(key_tones("1", dbfs=-45), 8000)[0] == ""  # below the level a phone sends
    assert presses(key_tones("1", tone_ms=20, gap_ms=20), 8000)[0] == ""  # one frame: a click, not a key
    t = np.arange(1600) / 8000
    single = (8000 * np.sin(2 * np.pi * 697 * t)).astype("<i2").tobytes()
    assert presses(single, 8000)[0] == ""  # one tone alone
    twisted = (8000 * np.sin(2 * np.pi * 697 * t) + 600 * np.sin(2 * np.pi * 1209 * t)).astype("<i2").tobytes()
    assert presses(twisted, 8000)[0] == ""  # 22 dB apart
    between = (6000 * (np.sin(2 * np.pi * 733 * t) + np.sin(2 * np.pi * 1270 * t))).astype("<i2").tobytes()
    assert presses(between, 8000)[0] == ""  # between rows and columns


def test_noise_and_silence_are_not_keys() -> None:
    rng = np.random.default_rng(7)
    noise = (rng.normal(0, 3000, 8000 * 3)).astype("<i2").tobytes()
    assert presses(noise, 8000) == ("", 0)
    assert presses(bytes(16000), 8000) == ("", 0)


@pytest.mark.e2e
@pytest.mark.parametrize("language", ["de", "en"])
def test_speech_is_not_keys(say: Callable[..., bytes], language: str) -> None:
    text = {"de": "Guten Tag, meine Nummer ist null eins sieben eins, zwei drei vier fünf sechs sieben acht.",
            "en": "Hello, my number is oh one seven one, two three four five six seven eight. Beep beep."}[language]
    found, toned = presses(say(text, language), 8000)
    assert found == "" and toned <= 1
