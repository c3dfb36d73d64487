"""Limits on what a peer may send into one call: audio no faster than real time beyond a small burst, no message
longer than that burst, and keys no faster than a person types. A peer past them is broken or hostile: its call ends."""

from __future__ import annotations

import time

from voicebridge.call_session.events import AudioIn, CallEnded, CallEvent, DtmfIn

DTMF_PER_S = 10.0  # faster than anyone types; Asterisk reports each key once


class InputGuard:
    def __init__(self, sample_rate: int, max_audio_burst_ms: int, max_dtmf_burst: int) -> None:
        self._bytes_per_s = sample_rate * 2
        self._burst_bytes = self._bytes_per_s * max_audio_burst_ms // 1000
        self._burst_ms = max_audio_burst_ms
        self._dtmf_burst = float(max_dtmf_burst)
        self._audio_start: float | None = None
        self._audio_bytes = 0
        self._dtmf_tokens = float(max_dtmf_burst)
        self._dtmf_at = time.monotonic()

    def check(self, event: CallEvent) -> CallEnded | None:
        """None while the peer keeps to the limits; the end of its call once it does not."""
        if isinstance(event, AudioIn):
            return self._audio(len(event.pcm))
        if isinstance(event, DtmfIn):
            return self._dtmf()
        return None

    def _audio(self, size: int) -> CallEnded | None:
        now = time.monotonic()
        if size > self._burst_bytes:
            return CallEnded("protocol_flood", f"one audio message of {size} bytes is over {self._burst_ms} ms of audio")
        if self._audio_start is None:
            self._audio_start = now
        self._audio_bytes += size
        allowed = (now - self._audio_start) * self._bytes_per_s + self._burst_bytes
        if self._audio_bytes > allowed:
            ahead = (self._audio_bytes - allowed + self._burst_bytes) / self._bytes_per_s * 1000
            return CallEnded("protocol_flood", f"audio arrives faster than real time ({ahead:.0f} ms ahead of the clock)")
        return None

    def _dtmf(self) -> CallEnded | None:
        now = time.monotonic()
        self._dtmf_tokens = min(self._dtmf_burst, self._dtmf_tokens + (now - self._dtmf_at) * DTMF_PER_S)
        self._dtmf_at = now
        self._dtmf_tokens -= 1
        if self._dtmf_tokens < 0:
            return CallEnded("protocol_flood", f"keys arrive faster than a person types (over {self._dtmf_burst:.0f} at once)")
        return None
