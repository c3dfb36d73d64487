"""FreeSWITCH-like websocket peers for the tests: mod_audio_stream and mod_audio_fork as their C sources behave on the wire.

Each sends the module's URL (and metadata frame, and subprotocol), then paced 20 ms L16 frames with silence included,
and decodes what the server answers, "playing" audio chunks back to back as the dialplan's Lua player does.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid as uuid_module
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from voicebridge.audio.pcm import frame_bytes, rms_dbfs
from voicebridge.transport.audiosocket_client import SPEECH_DBFS, AgentListener, SentSpeech


@dataclass
class PlayedChunk:
    at: float  # time.monotonic() on arrival
    pcm: bytes
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate

    @property
    def is_speech(self) -> bool:
        return rms_dbfs(self.pcm) > SPEECH_DBFS


@dataclass
class FreeswitchPeer(AgentListener):
    host: str
    port: int
    sample_rate: int = 8000
    call_id: str = field(default_factory=lambda: str(uuid_module.uuid4()))
    caller: str | None = None
    did: str | None = None
    # 20 ms frames per binary message, cycled: mod_audio_stream's STREAM_BUFFER_SIZE, or how lws batched mod_audio_fork's.
    batches: tuple[int, ...] = (1,)
    chunks: list[PlayedChunk] = field(default_factory=list)
    kills: list[float] = field(default_factory=list)
    disconnect_data: dict[str, Any] | None = None
    disconnect_at: float | None = None
    unexpected: list[str] = field(default_factory=list)  # messages the module would log as unsupported
    close_code: int | None = None
    close_reason: str = ""
    muted: bool = False  # a stuck channel: the socket stays open, nothing is sent

    audio_type: ClassVar[str] = ""
    subprotocols: ClassVar[list[str] | None] = None

    def url(self) -> str:
        raise NotImplementedError

    def metadata(self) -> str | None:
        return None

    async def connect(self) -> None:
        subprotocols = [Subprotocol(s) for s in self.subprotocols] if self.subprotocols else None
        self.ws: ClientConnection = await connect(self.url(), subprotocols=subprotocols, ping_interval=None, max_size=None)
        self._closed = asyncio.Event()
        self._queue: list[tuple[bytes, asyncio.Future[SentSpeech]]] = []
        meta = self.metadata()
        if meta is not None:
            await self.ws.send(meta)  # both modules send their metadata argument once, right after connecting
        self._tasks = [asyncio.create_task(self._send_loop()), asyncio.create_task(self._receive_loop())]

    def say(self, pcm: bytes) -> asyncio.Future[SentSpeech]:
        """Queue caller audio; resolves when its last frame has been sent."""
        done: asyncio.Future[SentSpeech] = asyncio.get_running_loop().create_future()
        self._queue.append((pcm, done))
        return done

    async def _send_loop(self) -> None:
        size = frame_bytes(self.sample_rate)
        start = time.monotonic()
        tick = 0
        current = b""
        current_done: asyncio.Future[SentSpeech] | None = None
        started_at = 0.0
        batch = bytearray()
        batch_index = 0
        while not self._closed.is_set():
            if self.muted:
                await asyncio.sleep(0.02)
                continue
            if not current and self._queue:
                current, current_done = self._queue.pop(0)
                started_at = time.monotonic()
            frame, current = current[:size].ljust(size, b"\0"), current[size:]
            batch += frame
            if len(batch) >= size * self.batches[batch_index % len(self.batches)]:
                try:
                    await self.ws.send(bytes(batch))
                except ConnectionClosed:
                    return
                batch.clear()
                batch_index += 1
            if not current and current_done is not None:
                current_done.set_result(SentSpeech(started_at, time.monotonic()))
                current_done = None
            tick += 1
            delay = start + tick * 0.02 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)

    async def _receive_loop(self) -> None:
        try:
            async for message in self.ws:
                if isinstance(message, bytes):
                    self.unexpected.append(f"binary frame of {len(message)} bytes")
                    continue
                self._handle(json.loads(message))
        except ConnectionClosed:
            pass
        self.close_code = self.ws.close_code
        self.close_reason = self.ws.close_reason or ""
        self._closed.set()

    def _handle(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind == self.audio_type:
            pcm, rate = self._decode_audio(msg["data"])
            self.chunks.append(PlayedChunk(time.monotonic(), pcm, rate))
        else:
            self.unexpected.append(str(kind))

    def _decode_audio(self, data: dict[str, Any]) -> tuple[bytes, int]:
        raise NotImplementedError

    @property
    def subprotocol(self) -> str | None:
        return self.ws.subprotocol

    def _played(self) -> tuple[list[tuple[PlayedChunk, float, float]], float]:
        """[(chunk, start, end)] as FreeSWITCH plays each chunk's file after the previous one (killAudio cuts what plays
        and drops what is queued), and when it falls silent."""
        events = sorted([(c.at, 1, c) for c in self.chunks] + [(k, 0, None) for k in self.kills], key=lambda e: (e[0], e[1]))
        end = 0.0
        played = []
        for at, _, chunk in events:
            if chunk is None:
                end = min(end, at)
            else:
                start = max(end, at)
                end = start + chunk.seconds
                played.append((chunk, start, end))
        return played, end

    def playout_ends_at(self) -> float:
        return self._played()[1]

    def underruns_ms(self, until: float = float("inf")) -> list[float]:
        """Gaps where FreeSWITCH had finished one chunk before the next arrived, for chunks arriving before `until`."""
        played = [p for p in self._played()[0] if p[0].at < until]
        return [(b[1] - a[2]) * 1000 for a, b in zip(played, played[1:], strict=False) if b[1] > a[2] + 1e-6]

    async def send_text(self, text: str) -> None:
        await self.ws.send(text)

    async def send_binary(self, data: bytes) -> None:
        await self.ws.send(data)

    def arrivals(self) -> list[PlayedChunk]:
        return self.chunks

    async def wait_for_quiet(self, quiet_s: float, timeout: float) -> bool:
        """Wait until nothing arrived for `quiet_s` and FreeSWITCH would have played all of it (the agent's turn is over)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now = time.monotonic()
            last = self.chunks[-1].at if self.chunks else 0.0
            if self._closed.is_set() or (now - last > quiet_s and self.playout_ends_at() < now):
                return True
            await asyncio.sleep(0.05)
        return False

    def agent_audio(self) -> bytes:
        return b"".join(c.pcm for c in self.chunks)

    async def _stop_tasks(self) -> None:
        self._closed.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def hang_up(self) -> None:
        """The channel hung up: the module closes its websocket normally."""
        await self._stop_tasks()
        await self.ws.close()

    async def drop(self) -> None:
        """The connection dies without a close frame (FreeSWITCH crashed, the network went away)."""
        await self._stop_tasks()
        self.ws.transport.abort()


@dataclass
class AudioStreamPeer(FreeswitchPeer):
    """mod_audio_stream: `uuid_audio_stream <uuid> start ws://.../stream/<uuid>?caller=..&did=..&rate=.. mono 8k [metadata]`."""

    stream_metadata: str | None = None  # the optional metadata argument, sent as the first text frame
    url_call_id: bool = True

    audio_type: ClassVar[str] = "streamAudio"

    def url(self) -> str:
        query = [f"rate={self.sample_rate}"]
        if self.caller is not None:
            query.append(f"caller={quote(self.caller, safe='')}")  # FreeSWITCH's url_encode turns + into %2B
        if self.did is not None:
            query.append(f"did={quote(self.did, safe='+')}")
        path = f"/stream/{self.call_id}" if self.url_call_id else "/stream"
        return f"ws://{self.host}:{self.port}{path}?{'&'.join(query)}"

    def metadata(self) -> str | None:
        return self.stream_metadata

    def _decode_audio(self, data: dict[str, Any]) -> tuple[bytes, int]:
        # audio_streamer_glue.cpp: audioDataType "raw" needs a sampleRate it maps to .r8/.r16/...; base64 audioData.
        assert data["audioDataType"] == "raw", data
        return base64.b64decode(data["audioData"], validate=True), int(data["sampleRate"])


@dataclass
class AudioForkPeer(FreeswitchPeer):
    """mod_audio_fork: `uuid_audio_fork <uuid> start ws://.../fork mono 8k voicebridge {"uuid":..,"from":..,"to":..,"sampleRate":..}`."""

    path: str = "/fork"
    raw_metadata: str | None = None  # replaces the JSON metadata (bad-input tests)
    with_uuid: bool = True

    audio_type: ClassVar[str] = "playAudio"
    subprotocols: ClassVar[list[str] | None] = ["audio.drachtio.org"]

    def url(self) -> str:
        return f"ws://{self.host}:{self.port}{self.path}"

    def metadata(self) -> str | None:
        if self.raw_metadata is not None:
            return self.raw_metadata
        meta: dict[str, Any] = {"from": self.caller, "to": self.did, "sampleRate": self.sample_rate, "direction": "inbound"}
        if self.with_uuid:
            meta["uuid"] = self.call_id
        return json.dumps(meta, separators=(",", ":"))  # no spaces: FreeSWITCH splits API arguments on them

    def _handle(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind == "killAudio":
            self.kills.append(time.monotonic())
        elif kind == "disconnect":
            self.disconnect_data = msg.get("data")
            self.disconnect_at = time.monotonic()
        else:
            super()._handle(msg)

    def _decode_audio(self, data: dict[str, Any]) -> tuple[bytes, int]:
        # lws_glue.cpp: audioContentType "raw" (or "wave"/"wav"); sampleRate picks .r8/.r16/...; base64 audioContent.
        assert data["audioContentType"] == "raw", data
        return base64.b64decode(data["audioContent"], validate=True), int(data["sampleRate"])
