"""The benchmark's caller over a Twilio-style media-stream websocket (JSON events, base64 8 kHz mu-law), for the peer framework.

Same pacing and the same measurements as the AudioSocket caller (voicebridge.transport.audiosocket_client.AsteriskPeer).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from dataclasses import dataclass, field

import numpy as np
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from voicebridge.audio.pcm import frame_bytes
from voicebridge.transport.audiosocket_client import AgentListener, ReceivedFrame, SentSpeech
from voicebridge.transport.audiosocket_codec import Kind

_BIAS, _CLIP = 0x84, 32635


def ulaw_encode(pcm: bytes) -> bytes:
    """G.711 mu-law of 16-bit little-endian PCM."""
    x = np.frombuffer(pcm, dtype="<i2").astype(np.int32)
    sign = (x < 0).astype(np.int32) << 7
    mag = np.minimum(np.abs(x), _CLIP) + _BIAS
    exponent = np.floor(np.log2(mag)).astype(np.int32) - 7
    mantissa = (mag >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes()


def ulaw_decode(data: bytes) -> bytes:
    u = ~np.frombuffer(data, dtype=np.uint8).astype(np.int32) & 0xFF
    exponent = (u >> 4) & 0x07
    mag = (((u & 0x0F) << 3) + _BIAS) << exponent
    out = np.where(u & 0x80, _BIAS - mag, mag - _BIAS)
    return out.astype("<i2").tobytes()


@dataclass
class MediaStreamPeer(AgentListener):
    url: str
    call_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    received: list[ReceivedFrame] = field(default_factory=list)
    agent_hung_up: bool = False

    async def connect(self) -> None:
        self._ws: ClientConnection = await connect(self.url, max_size=2**20)
        self._closed = asyncio.Event()
        self._queue: list[tuple[bytes, asyncio.Future[SentSpeech]]] = []
        self._frame = frame_bytes(8000)
        await self._ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await self._ws.send(json.dumps({"event": "start", "streamSid": self.call_id,
                                        "start": {"streamSid": self.call_id, "callSid": self.call_id,
                                                  "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}}))
        self._tasks = [asyncio.create_task(self._send_loop()), asyncio.create_task(self._receive_loop())]

    def say(self, pcm: bytes) -> asyncio.Future[SentSpeech]:
        done: asyncio.Future[SentSpeech] = asyncio.get_running_loop().create_future()
        self._queue.append((pcm, done))
        return done

    async def _send_loop(self) -> None:
        # The same 20 ms clock as the AudioSocket caller: silence between utterances, like a real line.
        start, tick = time.monotonic(), 0
        current, current_done, started_at = b"", None, 0.0
        while not self._closed.is_set():
            if not current and self._queue:
                current, current_done = self._queue.pop(0)
                started_at = time.monotonic()
            if current:
                frame, current = current[: self._frame].ljust(self._frame, b"\0"), current[self._frame :]
            else:
                frame = bytes(self._frame)
            payload = base64.b64encode(ulaw_encode(frame)).decode("ascii")
            try:
                await self._ws.send(json.dumps({"event": "media", "streamSid": self.call_id, "media": {"payload": payload}}))
            except ConnectionClosed:
                return
            if not current and current_done is not None:
                current_done.set_result(SentSpeech(started_at, time.monotonic()))
                current_done = None
            tick += 1
            delay = start + tick * 0.02 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)

    async def _receive_loop(self) -> None:
        try:
            async for message in self._ws:
                data = json.loads(message)
                if data.get("event") == "media":
                    pcm = ulaw_decode(base64.b64decode(data["media"]["payload"]))
                    now = time.monotonic()
                    for i in range(0, len(pcm), self._frame):  # one arrival per 20 ms, as the AudioSocket caller records them
                        self.received.append(ReceivedFrame(now, Kind.SLIN_8K, pcm[i : i + self._frame]))
        except ConnectionClosed:
            pass
        self.agent_hung_up = True
        self._closed.set()

    def arrivals(self) -> list[ReceivedFrame]:
        return self.received

    async def wait_for_quiet(self, quiet_s: float, timeout: float) -> bool:
        """No agent speech for `quiet_s` (a media stream sends nothing while the bot is silent)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._closed.is_set() or not any(f.is_speech for f in self.received if f.at > time.monotonic() - quiet_s):
                return True
            await asyncio.sleep(0.05)
        return False

    async def hang_up(self) -> None:
        self._closed.set()
        try:
            await self._ws.send(json.dumps({"event": "stop", "streamSid": self.call_id}))
            await self._ws.close()
        except ConnectionClosed:
            pass
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
