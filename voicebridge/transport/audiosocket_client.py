"""An AudioSocket peer that behaves like Asterisk: UUID first, then 20 ms frames at real time, silence included.

Used by `voicebridge call --wav`, the tests and the benchmark, so all of them speak the real byte protocol.
"""

from __future__ import annotations

import asyncio
import time
import uuid as uuid_module
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from voicebridge.audio.pcm import frame_bytes, rms_dbfs
from voicebridge.transport.audiosocket_codec import (
    AUDIO_KIND_FOR_RATE,
    Decoder,
    Kind,
    ProtocolError,
    encode,
    uuid_message,
)

SPEECH_DBFS = -45.0  # frames louder than this count as agent speech


@dataclass
class ReceivedFrame:
    at: float  # time.monotonic() on arrival
    kind: Kind
    payload: bytes

    @property
    def is_speech(self) -> bool:
        return rms_dbfs(self.payload) > SPEECH_DBFS


class Arrival(Protocol):
    @property
    def at(self) -> float: ...  # time.monotonic() on arrival

    @property
    def is_speech(self) -> bool: ...


class AgentListener:
    """Waiting on what the agent sent, for a peer that records each arrival and sets `_closed` when the line drops:
    this AudioSocket peer, and the FreeSWITCH peers of the tests."""

    _closed: asyncio.Event

    def arrivals(self) -> Sequence[Arrival]:
        raise NotImplementedError

    async def wait_closed(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._closed.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def wait_for_speech(self, after: float, timeout: float) -> float | None:
        """Arrival time of the first speech the agent sent after `after`, or None."""
        deadline = time.monotonic() + timeout
        checked = 0
        while time.monotonic() < deadline:
            arrivals = self.arrivals()
            for item in arrivals[checked:]:
                if item.at > after and item.is_speech:
                    return item.at
            checked = len(arrivals)
            if self._closed.is_set():
                return None
            await asyncio.sleep(0.01)
        return None


@dataclass
class SentSpeech:
    started: float
    last_sample_at: float  # when the last frame of the utterance left, i.e. the caller stopped


@dataclass
class AsteriskPeer(AgentListener):
    host: str
    port: int
    sample_rate: int = 8000
    call_id: str = field(default_factory=lambda: str(uuid_module.uuid4()))
    received: list[ReceivedFrame] = field(default_factory=list)
    agent_hung_up: bool = False
    protocol_error: str = ""
    muted: bool = False  # stop sending anything while keeping TCP open: a silent, stuck peer
    unexpected: list[Kind] = field(default_factory=list)  # kinds Asterisk would drop the call for

    async def connect(self, send_uuid: bool = True) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._closed = asyncio.Event()
        self._queue: list[tuple[bytes, asyncio.Future[SentSpeech]]] = []
        self._current_done: asyncio.Future[SentSpeech] | None = None  # the audio being sent now
        self._frame = frame_bytes(self.sample_rate)
        self._kind = AUDIO_KIND_FOR_RATE[self.sample_rate]
        if send_uuid:
            self._writer.write(uuid_message(self.call_id))
        self._tasks = [asyncio.create_task(self._send_loop()), asyncio.create_task(self._receive_loop())]

    def say(self, pcm: bytes) -> asyncio.Future[SentSpeech]:
        """Queue caller audio; resolves when its last frame has been sent."""
        done: asyncio.Future[SentSpeech] = asyncio.get_running_loop().create_future()
        self._queue.append((pcm, done))
        if self._tasks[0].done():  # the line is already closed: nothing more is sent
            self._fail_unsent()
        return done

    async def _send_loop(self) -> None:
        try:
            await self._send_paced()
        finally:
            self._fail_unsent()

    def _fail_unsent(self) -> None:
        """The line closed (the agent hung up, or we did): audio still queued will never be sent, so its futures say so
        instead of waiting forever. Marked retrieved (`exception()`), because a caller that did not await its `say`
        has nothing to hear."""
        pending, self._queue = [done for _pcm, done in self._queue], []
        if self._current_done is not None:
            pending.insert(0, self._current_done)
            self._current_done = None
        for done in pending:
            if not done.done():
                done.set_exception(ConnectionError("the line closed before this caller audio was sent"))
                done.exception()

    async def _send_paced(self) -> None:
        start = time.monotonic()
        tick = 0
        current = b""
        started_at = 0.0
        while not self._closed.is_set():
            if self.muted:
                await asyncio.sleep(0.02)
                continue
            if not current and self._queue:
                current, self._current_done = self._queue.pop(0)
                started_at = time.monotonic()
            if current:
                frame, current = current[: self._frame], current[self._frame :]
                frame = frame.ljust(self._frame, b"\0")
            else:
                frame = bytes(self._frame)
            try:
                self._writer.write(encode(self._kind, frame))
                await self._writer.drain()
            except (ConnectionError, OSError):
                return
            if not current and self._current_done is not None:
                self._current_done.set_result(SentSpeech(started_at, time.monotonic()))
                self._current_done = None
            tick += 1
            delay = start + tick * 0.02 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)

    async def _receive_loop(self) -> None:
        decoder = Decoder()
        try:
            while True:
                data = await self._reader.read(4096)
                if not data:
                    break
                for msg in decoder.feed(data):
                    if msg.kind == Kind.HANGUP:
                        self.agent_hung_up = True
                        self._closed.set()
                        return
                    if not msg.is_audio:
                        self.unexpected.append(msg.kind)
                    self.received.append(ReceivedFrame(time.monotonic(), msg.kind, msg.payload))
        except ProtocolError as exc:
            self.protocol_error = str(exc)
        except (ConnectionError, OSError):
            pass
        self.agent_hung_up = True
        self._closed.set()

    def send_raw(self, data: bytes) -> None:
        self._writer.write(data)

    def send_dtmf(self, digit: str) -> None:
        self._writer.write(encode(Kind.DTMF, digit.encode("ascii")))

    def arrivals(self) -> list[ReceivedFrame]:
        return self.received

    async def wait_for_quiet(self, quiet_s: float, timeout: float) -> bool:
        """Wait until the agent has sent only silence for `quiet_s` (its turn is over)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            recent = [f for f in self.received if f.at > time.monotonic() - quiet_s]
            if self._closed.is_set() or (recent and not any(f.is_speech for f in recent)):
                return True
            await asyncio.sleep(0.05)
        return False

    def agent_audio(self) -> bytes:
        return b"".join(f.payload for f in self.received)

    async def hang_up(self) -> None:
        """Like Asterisk: just close the TCP connection."""
        self._closed.set()
        self._writer.close()
        try:
            await self._writer.wait_closed()
        except (ConnectionError, OSError):
            pass
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
