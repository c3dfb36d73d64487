"""Meters outgoing audio at real time: one 20 ms frame every 20 ms, silence while idle.

Asterisk does not pace what we send and drops bursts; AudioSocket() also hangs up after 2 s without audio.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from voicebridge.audio.pcm import frame_bytes

FRAME_MS = 20
FRAME_S = FRAME_MS / 1000
# After a stall longer than this the clock restarts instead of catching up in a burst.
MAX_CATCH_UP_S = 0.1


@dataclass(frozen=True)
class PacerStats:
    frames_sent: int
    audio_frames_sent: int
    max_gap_ms: float
    gaps_over_40ms: int


class OutgoingAudio:
    """A queue of PCM drained by a clock; `enqueue` returns a handle that resolves when that audio has played."""

    def __init__(self, send: Callable[[bytes], Awaitable[None]], sample_rate: int, on_sent: Callable[[bytes], None] | None = None) -> None:
        self._send = send
        self.on_sent = on_sent  # sees every frame sent (the echo gate's reference)
        self.paused = False
        self.sample_rate = sample_rate
        self._frame = frame_bytes(sample_rate, FRAME_MS)
        self._silence = bytes(self._frame)
        self._buffer = bytearray()
        self._played = 0  # bytes of queued audio already sent
        self._queued = 0  # bytes ever queued (minus what a flush dropped)
        self._waiters: list[tuple[int, asyncio.Future[bool]]] = []
        self._frames_sent = 0
        self._audio_frames = 0
        self._max_gap = 0.0
        self._gaps_over_40 = 0
        self._last_send: float | None = None

    @property
    def speaking(self) -> bool:
        """Audio is queued (paused or not): the agent holds the turn."""
        return bool(self._buffer)

    @property
    def played_bytes(self) -> int:
        return self._played

    @property
    def queued_bytes(self) -> int:
        return self._queued

    @property
    def pending_ms(self) -> float:
        return len(self._buffer) / 2 / self.sample_rate * 1000

    @property
    def played_ms(self) -> float:
        return self._played / 2 / self.sample_rate * 1000

    def enqueue(self, pcm: bytes) -> asyncio.Future[bool]:
        """Queue audio; the future becomes True once all of it went out, False if a flush cut it."""
        self._buffer += pcm
        self._queued += len(pcm)
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        if not pcm:
            done.set_result(True)
        else:
            self._waiters.append((self._queued, done))
        return done

    def flush(self) -> int:
        """Drop everything not yet sent (barge-in, transfer); returns how many bytes were dropped."""
        dropped = len(self._buffer)
        self._buffer.clear()
        self._queued = self._played
        for _, fut in self._waiters:
            if not fut.done():
                fut.set_result(False)
        self._waiters.clear()
        return dropped

    def stats(self) -> PacerStats:
        return PacerStats(self._frames_sent, self._audio_frames, self._max_gap * 1000, self._gaps_over_40)

    async def run(self) -> None:
        """Send frames until cancelled; deadlines are absolute so jitter does not accumulate."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        tick = 0
        while True:
            deadline = start + tick * FRAME_S
            delay = deadline - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if loop.time() - deadline > MAX_CATCH_UP_S:
                start, tick = loop.time(), 0
            await self._send(self._next_frame())
            now = loop.time()
            if self._last_send is not None:
                gap = now - self._last_send
                self._max_gap = max(self._max_gap, gap)
                if gap > 0.040:
                    self._gaps_over_40 += 1
            self._last_send = now
            tick += 1

    def _next_frame(self) -> bytes:
        frame = self._take()
        if self.on_sent is not None:
            self.on_sent(frame)
        return frame

    def _take(self) -> bytes:
        self._frames_sent += 1
        if not self._buffer or self.paused:
            return self._silence
        frame = bytes(self._buffer[: self._frame])
        del self._buffer[: self._frame]
        self._played += len(frame)
        self._audio_frames += 1
        if len(frame) < self._frame:
            frame += bytes(self._frame - len(frame))
        while self._waiters and self._waiters[0][0] <= self._played:
            _, fut = self._waiters.pop(0)
            if not fut.done():
                fut.set_result(True)
        return frame
