"""A reply starts with the voice, not with the silence the synthesizer puts before it."""

from __future__ import annotations

import numpy as np

from voicebridge.audio.pcm import audible_end_ms, trim_leading_silence
from voicebridge.models.bundled import bundled_piper_voice
from voicebridge.speech.tts import PiperVoiceBackend, Synthesizer

RATE = 8000


def lead_in_ms(pcm: bytes) -> int:
    frames = [pcm[i:i + 80] for i in range(0, len(pcm) - 79, 80)]  # 5 ms
    return next(i for i, f in enumerate(frames) if audible_end_ms(f, RATE) is not None) * 5


def test_silence_before_the_first_sound_is_cut_to_ten_ms() -> None:
    t = np.arange(RATE // 5) / RATE
    tone = (8000 * np.sin(2 * np.pi * 300 * t)).astype("<i2").tobytes()
    pcm = bytes(2 * RATE * 60 // 1000) + tone  # 60 ms of silence, then sound
    trimmed = trim_leading_silence(pcm, RATE)
    assert len(pcm) - len(trimmed) == 2 * RATE * 50 // 1000 and trimmed.endswith(tone)
    assert trim_leading_silence(bytes(3200), RATE) == bytes(3200)  # nothing audible: nothing cut
    assert trim_leading_silence(tone, RATE) == tone


def test_piper_joe_starts_speaking_sooner_and_says_the_same() -> None:
    joe = Synthesizer({"en": PiperVoiceBackend(*bundled_piper_voice(), threads=1, varied=False)})
    pcm = joe.synthesize("What is your name, please?", "en", RATE).pcm
    trimmed = trim_leading_silence(pcm, RATE)
    assert lead_in_ms(pcm) >= 30, "Piper joe no longer starts with silence: this test's premise is gone"
    assert lead_in_ms(trimmed) <= 15 and pcm.endswith(trimmed)


def test_one_synthesis_at_both_line_rates_is_what_each_rate_alone_gives() -> None:
    joe = Synthesizer({"en": PiperVoiceBackend(*bundled_piper_voice(), threads=1, varied=False)})
    text = "Hello, you have reached Miller Plumbing. How can I help you?"
    both = joe.synthesize_rates(text, "en", (8000, 16000))
    assert [s.sample_rate for s in both] == [8000, 16000]
    assert [s.pcm for s in both] == [joe.synthesize(text, "en", 8000).pcm, joe.synthesize(text, "en", 16000).pcm]
    assert abs(len(both[1].pcm) / len(both[0].pcm) - 2) < 0.01  # the same speech, twice the samples
