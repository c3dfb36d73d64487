"""The browser phone line: the third transport next to AudioSocket and FreeSWITCH. The web app hands it an accepted
websocket; it runs a normal call (same pipeline, same call log, transport `browser`) and knows bytes and framing only."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Protocol

from voicebridge.audio.pacer import OutgoingAudio
from voicebridge.call_session import AudioIn, CallEnded, CallInfo, CallSession, DtmfIn
from voicebridge.transport.browser_messages import MAX_MESSAGE_BYTES, RATE, BrowserMessageError, Dtmf, Hangup, clear, end, parse_control, ready
from voicebridge.transport.call_tasks import run_call
from voicebridge.transport.freeswitch_messages import MessageError, Reframer

log = logging.getLogger(__name__)

SessionFactory = Callable[[CallInfo, OutgoingAudio], CallSession]
CLOSE_NORMAL, CLOSE_UNSUPPORTED, CLOSE_POLICY, CLOSE_TOO_BIG, CLOSE_TRY_LATER = 1000, 1003, 1008, 1009, 1013


class BrowserSocket(Protocol):
    """What the line needs of a websocket (the web app adapts Starlette's)."""

    async def receive(self) -> bytes | str | None: ...  # None: the page closed it

    async def send_bytes(self, data: bytes) -> None: ...

    async def send_text(self, text: str) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...


class BrowserOutput(OutgoingAudio):
    """The pacer, sending only the agent's voice (not idle silence), and telling the page to drop its queue on a barge-in."""

    def __init__(self, socket: BrowserSocket) -> None:
        super().__init__(self._send_frame, RATE)
        self._socket = socket
        self._clear = False
        self.closed = False

    async def _send_frame(self, frame: bytes) -> None:
        if self.closed:
            return
        try:
            if self._clear:
                self._clear = False
                await self._socket.send_text(clear())
            if any(frame):
                await self._socket.send_bytes(frame)
        except Exception:  # the page went away; the reader sees it and ends the call
            self.closed = True

    def flush(self) -> int:
        dropped = super().flush()
        if dropped:
            self._clear = True
        return dropped


class BrowserPhoneLine:
    def __init__(self, new_session: SessionFactory, *, max_calls: int, peer_timeout: float,
                 active_calls: Callable[[], int] | None = None) -> None:
        self._new_session = new_session
        self._max_calls = max_calls
        self._peer_timeout = peer_timeout
        self._active_calls = active_calls or (lambda: len(self.sessions))
        self.sessions: dict[str, CallSession] = {}
        self._stopping = False

    async def serve(self, socket: BrowserSocket, called_number: str | None = None) -> CallEnded:
        """One call on an accepted websocket, to its end; the socket is closed when this returns."""
        call_id = str(uuid.uuid4())
        if self._stopping or self._active_calls() >= self._max_calls:
            reason = "daemon_shutdown" if self._stopping else "refused_capacity"
            await socket.send_text(end(reason))
            await socket.close(CLOSE_TRY_LATER, reason)
            return CallEnded(reason)
        output = BrowserOutput(socket)
        session = self._new_session(CallInfo(call_id, "browser", RATE, None, called_number), output)
        self.sessions[call_id] = session
        log.info("call %s: browser phone connected", call_id)
        await socket.send_text(ready(call_id))
        try:
            ended = await run_call(session, output, call_id, self._read(socket, session))
        finally:
            self.sessions.pop(call_id, None)
        output.closed = True
        try:
            if ended.reason != "caller_hangup":
                await socket.send_text(end(ended.reason))
            code = {"bad_message": CLOSE_UNSUPPORTED, "bad_audio_frame": CLOSE_UNSUPPORTED, "oversized_frame": CLOSE_TOO_BIG,
                    "protocol_flood": CLOSE_POLICY}.get(ended.reason, CLOSE_NORMAL)
            await socket.close(code, ended.reason[:120])
        except Exception:  # already closed by the page
            pass
        await session.after_hangup()
        return ended

    async def _read(self, socket: BrowserSocket, session: CallSession) -> None:
        reframer = Reframer(RATE)
        while session.accepting:  # a flood (the session's input guard) ends the call: stop reading
            try:
                async with asyncio.timeout(self._peer_timeout):  # not wait_for: see audiosocket_server.read_message
                    message = await socket.receive()
            except TimeoutError:
                session.feed(CallEnded("peer_silent", f"no audio from the browser for {self._peer_timeout:g} s"))
                return
            except Exception as exc:  # a broken connection is a hang-up
                session.feed(CallEnded("caller_hangup", f"websocket failed ({type(exc).__name__})"))
                return
            if message is None:
                session.feed(CallEnded("caller_hangup", "the page closed the connection"))
                return
            try:
                if isinstance(message, str):
                    control = parse_control(message)
                    if isinstance(control, Hangup):
                        session.feed(CallEnded("caller_hangup", "hang-up button"))
                        return
                    assert isinstance(control, Dtmf)
                    session.feed(DtmfIn(control.digit))
                    continue
                if len(message) > MAX_MESSAGE_BYTES:
                    raise BrowserMessageError("oversized_frame", f"binary message of {len(message)} bytes (limit {MAX_MESSAGE_BYTES})")
                frames = reframer.push(message)
            except (BrowserMessageError, MessageError) as exc:
                log.warning("call %s: %s: %s", session.info.call_id, exc.reason, exc.detail)
                session.feed(CallEnded(exc.reason, exc.detail))
                return
            for frame in frames:
                session.feed(AudioIn(frame))

    async def stop(self, reason: str = "daemon_shutdown") -> None:
        self._stopping = True
        for session in list(self.sessions.values()):
            session.feed(CallEnded(reason, "voicebridge is stopping"))
        for _ in range(100):
            if not self.sessions:
                return
            await asyncio.sleep(0.1)
