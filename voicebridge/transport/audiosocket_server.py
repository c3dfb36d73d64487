"""Asterisk AudioSocket server: Asterisk connects per call, sends its UUID, then 20 ms audio; we answer with paced audio.

Any fault on one connection (hang-up, bad frame, silent peer) ends that call only; the others never notice.
"""

from __future__ import annotations

import asyncio
import logging
import uuid as uuid_module
from collections.abc import Callable

from voicebridge.audio.pacer import OutgoingAudio
from voicebridge.call_session import AudioIn, CallEnded, CallInfo, CallSession, DtmfIn
from voicebridge.transport.audiosocket_codec import HEADER, Kind, Message, ProtocolError, check_header, encode
from voicebridge.transport.call_tasks import run_call

log = logging.getLogger(__name__)
MAX_EARLY_MESSAGES = 64  # DTMF and the like before the first audio frame (which tells the line rate)

SessionFactory = Callable[[CallInfo, OutgoingAudio], CallSession]


class PeerSilent(Exception):
    pass


async def read_message(reader: asyncio.StreamReader, timeout: float) -> Message | None:
    """One message, or None on a clean close between messages. Raises ProtocolError / PeerSilent."""
    # asyncio.timeout, not wait_for: Python 3.11's wait_for swallows a cancel that arrives as its read completes
    # (bpo-42130), and a reader that misses its cancel keeps a finished call's socket open until the peer hangs up.
    try:
        async with asyncio.timeout(timeout):
            header = await reader.readexactly(HEADER.size)
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise ProtocolError("truncated_frame", f"connection closed inside a header ({len(exc.partial)} of 3 bytes)") from None
        return None
    except TimeoutError:
        raise PeerSilent(f"no data from the peer for {timeout:g} s") from None
    kind_byte, length = HEADER.unpack(header)
    kind = check_header(kind_byte, length)
    try:
        payload = b""
        if length:
            async with asyncio.timeout(timeout):
                payload = await reader.readexactly(length)
    except asyncio.IncompleteReadError as exc:
        raise ProtocolError("truncated_frame", f"{kind.name} frame announced {length} bytes, connection closed after {len(exc.partial)}") from None
    except TimeoutError:
        raise PeerSilent(f"{kind.name} frame stalled mid-payload for {timeout:g} s") from None
    return Message(kind, payload)


class AudioSocketServer:
    def __init__(
        self, host: str, port: int, new_session: SessionFactory, *, max_calls: int, peer_timeout: float,
        active_calls: Callable[[], int] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self._new_session = new_session
        self._max_calls = max_calls
        # Capacity is shared with the other transports: the daemon counts every active call.
        self._active_calls = active_calls or (lambda: len(self.sessions))
        self._peer_timeout = peer_timeout
        self._server: asyncio.Server | None = None
        self.sessions: dict[str, CallSession] = {}
        self._handlers: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("AudioSocket listening on %s:%d", self.host, self.port)

    async def stop(self, reason: str = "daemon_shutdown") -> None:
        """Stop accepting, end every call (rows closed, Asterisk told to continue its dialplan), wait for them."""
        if self._server is not None:
            self._server.close()
        for session in list(self.sessions.values()):
            session.feed(CallEnded(reason, "voicebridge is stopping"))
        if self._handlers:
            await asyncio.wait(self._handlers, timeout=10)
        if self._server is not None:
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        peer = writer.get_extra_info("peername")
        try:
            await self._serve_call(reader, writer, peer)
        except Exception:  # one broken call must never take the server down
            log.exception("AudioSocket connection from %s failed", peer)
        finally:
            self._handlers.discard(task)
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass

    async def _serve_call(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: object) -> None:
        try:
            first = await read_message(reader, self._peer_timeout)
        except (ProtocolError, PeerSilent) as exc:
            log.warning("AudioSocket connection from %s dropped before its UUID: %s", peer, exc)
            return
        if first is None or first.kind != Kind.UUID:
            log.warning("AudioSocket connection from %s did not start with a UUID (got %s)", peer, first and first.kind.name)
            return
        call_id = str(uuid_module.UUID(bytes=first.payload))
        if call_id in self.sessions:
            log.warning("call %s: a second connection with the same UUID was refused", call_id)
            return
        # The line rate is only known from the first audio frame (0x10 for AudioSocket(), 0x12 for c(slin16)).
        early: list[Message] = []
        audio: Message | None = None
        end: CallEnded | None = None
        while audio is None and end is None:
            try:
                msg = await read_message(reader, self._peer_timeout)
            except ProtocolError as exc:
                end = CallEnded(exc.reason, exc.detail)
                break
            except PeerSilent as exc:
                end = CallEnded("peer_silent", str(exc))
                break
            end = _terminal(msg, None)
            if end is None and msg is not None:
                if msg.is_audio:
                    audio = msg
                elif len(early) >= MAX_EARLY_MESSAGES:  # Asterisk sends audio at once; a peer that does not is flooding
                    end = CallEnded("protocol_flood", f"over {MAX_EARLY_MESSAGES} messages before the first audio")
                    log.warning("call %s: %s: %s", call_id, end.reason, end.detail)
                else:
                    early.append(msg)
        rate = audio.sample_rate if audio else 8000
        audio_kind = audio.kind if audio else Kind.SLIN_8K

        async def send(frame: bytes) -> None:
            if writer.is_closing():
                return
            writer.write(encode(audio_kind, frame))
            await writer.drain()

        output = OutgoingAudio(send, rate)
        session = self._new_session(CallInfo(call_id, "audiosocket", rate), output)
        if self._active_calls() >= self._max_calls:
            end = CallEnded("refused_capacity", f"server.max_calls={self._max_calls} calls already active")
            log.warning("call %s refused: %s", call_id, end.detail)
        self.sessions[call_id] = session
        try:
            reading = None
            if end is not None:
                session.feed(end)
            else:
                for msg in [*early, audio]:
                    if msg is not None:
                        self._dispatch(session, msg)
                reading = self._read_loop(reader, session, rate)
            ended = await run_call(session, output, call_id, reading)
        finally:
            self.sessions.pop(call_id, None)
        if ended.reason not in ("caller_hangup", "transferred") and not writer.is_closing():
            # 0x00 makes Asterisk's AudioSocket() return, so the dialplan continues (voicemail, a human). After a
            # Redirect the channel is already elsewhere: nothing to tell.
            try:
                writer.write(encode(Kind.HANGUP))
                await writer.drain()
            except (ConnectionError, OSError):
                pass
        writer.close()
        await session.after_hangup()

    def _dispatch(self, session: CallSession, msg: Message) -> None:
        if msg.is_audio:
            session.feed(AudioIn(msg.payload))
        elif msg.kind == Kind.DTMF:
            session.feed(DtmfIn(msg.payload.decode("ascii", errors="replace")))

    async def _read_loop(self, reader: asyncio.StreamReader, session: CallSession, rate: int) -> None:
        while True:
            try:
                msg = await read_message(reader, self._peer_timeout)
            except ProtocolError as exc:
                log.warning("call %s: protocol error: %s", session.info.call_id, exc)
                session.feed(CallEnded(exc.reason, exc.detail))
                return
            except PeerSilent as exc:
                log.warning("call %s: %s", session.info.call_id, exc)
                session.feed(CallEnded("peer_silent", str(exc)))
                return
            except (ConnectionError, OSError) as exc:
                session.feed(CallEnded("caller_hangup", f"connection lost: {exc}"))
                return
            end = _terminal(msg, rate)
            if end is not None:
                if end.reason != "caller_hangup":
                    log.warning("call %s: %s: %s", session.info.call_id, end.reason, end.detail)
                session.feed(end)
                return
            assert msg is not None
            self._dispatch(session, msg)
            if not session.accepting:  # a flood: the session ends the call; nothing more is read
                return


def _terminal(msg: Message | None, rate: int | None) -> CallEnded | None:
    """The messages that end a call once it has its UUID; None for audio and DTMF."""
    if msg is None:
        return CallEnded("caller_hangup", "TCP connection closed")
    if msg.kind == Kind.HANGUP:
        return CallEnded("caller_hangup", "hangup message")
    if msg.kind == Kind.UUID:
        return CallEnded("second_uuid", "the peer sent a second UUID message")
    if msg.kind == Kind.ERROR:
        code = msg.payload[0] if msg.payload else 0
        return CallEnded("peer_error", f"the peer reported error 0x{code:02x}")
    if msg.is_audio and rate is not None and msg.sample_rate != rate:
        return CallEnded("rate_changed", f"audio switched from {rate} Hz to {msg.sample_rate} Hz")
    return None
