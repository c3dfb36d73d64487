"""FreeSWITCH websocket server: mod_audio_stream and mod_audio_fork connect per call and stream L16; we answer with audio messages.

Any fault on one connection (hang-up, bad metadata, a text or oversized frame, a silent peer) ends that call only.

Wire contract (checked against the module sources: amigniter/mod_audio_stream `audio_streamer_glue.cpp`, jambonz
freeswitch-modules `mod_audio_fork/lws_glue.cpp`, `audio_pipe.cpp`, `mod_audio_fork.c`):

- URL. mod_audio_stream: `ws://HOST:9093/stream/<channel uuid>?caller=<number>&did=<number>&rate=<8000|16000>`; the
  module says nothing about the call itself, so the URL must (its rate argument `8k`/`16k` must match `rate`).
  mod_audio_fork: `ws://HOST:9093/fork[/<channel uuid>]`, then its metadata argument arrives as the first text frame:
  a JSON object with `uuid` (or `callSid`), `from`, `to`, `sampleRate`; other keys are ignored. mod_audio_stream's
  optional metadata argument is read the same way when it comes first (it races the first audio frame: a JSON object
  in the call's first second is taken as that metadata, late, and ignored). The URL wins where both give a value. Query values are
  percent-decoded, `+` stays a plus; an unknown query key or path is refused at the handshake (HTTP 400/404).
- Inbound audio: binary frames of signed 16-bit mono PCM in the FreeSWITCH host's byte order (little-endian on x86-64
  and arm64), 20 ms each by default but any even length (STREAM_BUFFER_SIZE, lws batching): we re-frame to 20 ms.
  mod_audio_fork sends a zero-length binary frame on graceful-shutdown: ignored. Both modules must run `mono`.
- mod_audio_fork offers the websocket subprotocol `audio.drachtio.org` (older builds: `audiostream.drachtio.org`);
  we select it. mod_audio_stream offers none. permessage-deflate is declined (loopback, and it costs CPU per call).
- Outbound, mod_audio_stream: `{"type":"streamAudio","data":{"audioDataType":"raw","sampleRate":8000,"audioData":b64}}`.
  The module writes the audio to `<tmp>/<uuid>_<n>.tmp.r8` (`.r16` at 16000) and fires `mod_audio_stream::play` with
  `{"audioDataType","sampleRate","file"}`; the free edition never plays it itself, so `dialplan/freeswitch/
  voicebridge.lua` plays each file in order. It has no way to cut playback short.
- Outbound, mod_audio_fork (bidirectional audio enabled, stream mode off: the defaults): `{"type":"playAudio","data":
  {"audioContentType":"raw","sampleRate":8000,"audioContent":b64}}` (written to a temp file, event
  `mod_audio_fork::play_audio` with `file`; `textContent` is optional and not sent: a transport sees no text);
  `{"type":"killAudio"}` when a barge-in drops queued audio (sets CF_BREAK, event `mod_audio_fork::kill_audio`);
  `{"type":"disconnect","data":{"reason":...}}` before we close (event `mod_audio_fork::disconnect`, body = data).
  `transfer` exists too (event `mod_audio_fork::transfer`) but hand-over is the PBX side channel's job, not ours.
- Pacing: the pacer still meters 20 ms frames in real time; each burst is cut into chunks (300 ms first, 200 ms after:
  `[freeswitch] first_chunk_ms, chunk_ms`), one message per chunk, so FreeSWITCH plays files back to back with a small lead.
- End: FreeSWITCH closes the websocket when the channel hangs up (`caller_hangup`). We close with code 1000 and the end
  reason as close reason (mod_audio_stream puts both in its `mod_audio_stream::disconnect` event), after waiting until
  FreeSWITCH has played what we sent, so a goodbye is heard in full. Protocol faults close with 1003/1007/1008/1009.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from http import HTTPStatus

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from voicebridge.audio.pacer import OutgoingAudio
from voicebridge.call_session import AudioIn, CallEnded, CallInfo, CallSession
from voicebridge.transport.call_tasks import run_call
from voicebridge.transport.freeswitch_messages import (
    FORK_SUBPROTOCOLS,
    CallRequest,
    Dialect,
    MessageError,
    PlayoutChunker,
    PlayoutClock,
    Reframer,
    apply_metadata,
    audio_message,
    disconnect,
    kill_audio,
    parse_request_path,
)
from voicebridge.transport.json_frames import JsonFrameError, load_json_frame

log = logging.getLogger(__name__)

SessionFactory = Callable[[CallInfo, OutgoingAudio], CallSession]

# 2 s of 16 kHz audio (mod_audio_fork flushes up to MOD_AUDIO_FORK_BUFFER_SECS after a stall) or 8 KiB of metadata.
MAX_MESSAGE_BYTES = 65536
# Never hold a closing call longer than this for FreeSWITCH to finish playing.
MAX_PLAYOUT_WAIT_S = 3.0
LATE_METADATA_S = 1.0
CLOSE_CODES = {
    "unexpected_text": CloseCode.UNSUPPORTED_DATA,
    "bad_audio_frame": CloseCode.UNSUPPORTED_DATA,
    "bad_metadata": CloseCode.INVALID_DATA,
    "oversized_frame": CloseCode.MESSAGE_TOO_BIG,
    "protocol_flood": CloseCode.POLICY_VIOLATION,  # audio faster than real time: a broken or hostile peer
}


async def _drain(ws: ServerConnection) -> None:
    try:
        async for _ in ws:
            pass
    except ConnectionClosed:
        pass


class PlayoutSink:
    """The pacer's `send`: chunks its frames into audio messages, and tells mod_audio_fork to stop playing on a barge-in."""

    def __init__(self, ws: ServerConnection, dialect: Dialect, chunker: PlayoutChunker) -> None:
        self._ws = ws
        self._dialect = dialect
        self._chunker = chunker
        self.clock = PlayoutClock()
        self._kill = False
        self._final = b""  # gathered audio a flush released; it goes out on the next send

    async def send(self, frame: bytes) -> None:
        await self._deliver(self._chunker.push(frame))

    def flushed(self, dropped: int) -> None:
        """The session flushed its queue (sync, from the session). Audio was cut (barge-in): forget the gathered chunk
        and stop FreeSWITCH's playback. Nothing was cut (the call is ending): the gathered frames have played by the
        pacer's clock, so they still go out."""
        if dropped:
            self._chunker.drop()
            self._kill = self._dialect is Dialect.AUDIO_FORK
        else:
            self._final += self._chunker.take() or b""

    async def finish(self) -> None:
        """After the pacer stopped: send what is left, then wait until FreeSWITCH has played it."""
        await self._deliver(self._chunker.take())
        loop = asyncio.get_running_loop()
        wait = min(self.clock.remaining(loop.time()), MAX_PLAYOUT_WAIT_S)
        if wait > 0:
            await asyncio.sleep(wait)

    async def _deliver(self, chunk: bytes | None) -> None:
        final, self._final = self._final + (chunk or b""), b""
        try:
            if self._kill:
                self._kill = False
                await self._ws.send(kill_audio())
                self.clock.cut(asyncio.get_running_loop().time())
            if final:
                await self._send_chunk(final)
        except ConnectionClosed:
            pass  # the reader sees the close and ends the call

    async def _send_chunk(self, chunk: bytes) -> None:
        rate = self._chunker.sample_rate
        await self._ws.send(audio_message(self._dialect, chunk, rate))
        self.clock.sent(asyncio.get_running_loop().time(), len(chunk) / 2 / rate)


class FreeswitchOutput(OutgoingAudio):
    """The pacer, plus telling the sink when the session flushes (barge-in, end of call)."""

    def __init__(self, sink: PlayoutSink, sample_rate: int) -> None:
        super().__init__(sink.send, sample_rate)
        self._sink = sink

    def flush(self) -> int:
        dropped = super().flush()
        self._sink.flushed(dropped)
        return dropped


def _select_subprotocol(connection: ServerConnection, offered: Sequence[Subprotocol]) -> Subprotocol | None:
    """mod_audio_fork's libwebsockets client asks for its subprotocol; mod_audio_stream asks for none. Both are welcome."""
    return next((Subprotocol(p) for p in FORK_SUBPROTOCOLS if p in offered), None)


class FreeswitchServer:
    def __init__(
        self,
        host: str,
        port: int,
        new_session: SessionFactory,
        *,
        max_calls: int,
        peer_timeout: float,
        chunk_ms: int = 200,
        first_chunk_ms: int = 300,
        active_calls: Callable[[], int] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self._new_session = new_session
        self._max_calls = max_calls
        self._peer_timeout = peer_timeout
        self._chunk_ms = chunk_ms
        self._first_chunk_ms = first_chunk_ms
        # Capacity is the machine's, so the daemon counts calls of every transport.
        self._active_calls = active_calls or (lambda: len(self.sessions))
        self._server: Server | None = None
        self.sessions: dict[str, CallSession] = {}
        self._handlers: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            process_request=self._check_request,
            select_subprotocol=_select_subprotocol,
            compression=None,
            max_size=MAX_MESSAGE_BYTES,
            # FreeSWITCH streams all the time; a silent peer is caught by peer_timeout, no pings needed.
            ping_interval=None,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("FreeSWITCH websocket listening on %s:%d (/stream for mod_audio_stream, /fork for mod_audio_fork)", self.host, self.port)

    async def stop(self, reason: str = "daemon_shutdown") -> None:
        """Stop accepting, end every call (rows closed, FreeSWITCH told why), wait for them."""
        if self._server is not None:
            self._server.close(close_connections=False)
        for session in list(self.sessions.values()):
            session.feed(CallEnded(reason, "voicebridge is stopping"))
        if self._handlers:
            await asyncio.wait(self._handlers, timeout=10)
        if self._server is not None:
            try:
                await asyncio.wait_for(self._server.wait_closed(), 5)
            except TimeoutError:
                log.warning("FreeSWITCH server: connections still open after shutdown")

    def _check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """Refuse a wrong URL at the handshake: FreeSWITCH then reports a connect error and the dialplan falls back."""
        try:
            parse_request_path(request.path)
        except MessageError as exc:
            log.warning("FreeSWITCH connection from %s refused: %s", connection.remote_address, exc.detail)
            status = HTTPStatus.NOT_FOUND if exc.detail.startswith("path") else HTTPStatus.BAD_REQUEST
            return connection.respond(status, f"{exc.detail}\n")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            await self._serve_call(ws)
        except Exception:  # one broken call must never take the server down
            log.exception("FreeSWITCH connection from %s failed", ws.remote_address)
        finally:
            self._handlers.discard(task)

    async def _serve_call(self, ws: ServerConnection) -> None:
        request = parse_request_path(ws.request.path if ws.request else "")
        end: CallEnded | None = None
        early: bytes | None = None
        # The first message is the metadata frame when there is one, else already audio.
        try:
            first = await asyncio.wait_for(ws.recv(), self._peer_timeout)
        except TimeoutError:
            end = CallEnded("peer_silent", f"no data from FreeSWITCH for {self._peer_timeout:g} s")
        except ConnectionClosed as exc:
            end = _closed(exc)
        else:
            if isinstance(first, str):
                try:
                    request = apply_metadata(request, first)
                except MessageError as exc:
                    end = CallEnded(exc.reason, exc.detail)
            else:
                early = first
        if request.call_id is None:  # nothing to log the call under: the log line is all there is
            why = f"{end.reason}: {end.detail}" if end else "no call UUID in its URL or metadata"
            log.warning("FreeSWITCH connection from %s closed: %s", ws.remote_address, why)
            await ws.close(CLOSE_CODES.get(end.reason, CloseCode.POLICY_VIOLATION) if end else CloseCode.POLICY_VIOLATION, "no call uuid")
            return
        call_id = request.call_id
        if call_id in self.sessions:
            log.warning("call %s: a second connection with the same UUID was refused", call_id)
            await ws.close(CloseCode.POLICY_VIOLATION, "duplicate call uuid")
            return
        if end is None and self._active_calls() >= self._max_calls:
            end = CallEnded("refused_capacity", f"server.max_calls={self._max_calls} calls already active")
            log.warning("call %s refused: %s", call_id, end.detail)
        elif end is not None and end.reason != "caller_hangup":
            log.warning("call %s: %s: %s", call_id, end.reason, end.detail)
        await self._run_call(ws, request, end, early)

    async def _run_call(self, ws: ServerConnection, request: CallRequest, end: CallEnded | None, early: bytes | None) -> None:
        call_id, rate = request.call_id or "", request.rate
        sink = PlayoutSink(ws, request.dialect, PlayoutChunker(rate, self._chunk_ms, self._first_chunk_ms))
        output = FreeswitchOutput(sink, rate)
        info = CallInfo(call_id, "freeswitch", rate, request.caller_number, request.called_number)
        session = self._new_session(info, output)
        self.sessions[call_id] = session
        # No numbers in the log ([privacy] log_content); the call row has them.
        log.info("call %s: %s connected (%d Hz, caller number %s, called number %s)", call_id, request.dialect.value, rate,
                 "known" if request.caller_number else "unknown", "known" if request.called_number else "unknown")
        reframer = Reframer(rate)
        try:
            if end is None and early is not None:
                end = self._feed_audio(session, reframer, early)
            reading = None
            if end is not None:
                session.feed(end)
            else:
                reading = self._read_loop(ws, session, reframer, request.dialect)
            ended = await run_call(session, output, call_id, reading)
        finally:
            self.sessions.pop(call_id, None)
        await self._close(ws, request.dialect, sink, ended)
        await session.after_hangup()

    async def _close(self, ws: ServerConnection, dialect: Dialect, sink: PlayoutSink, ended: CallEnded) -> None:
        if ended.reason != "caller_hangup":
            await sink.finish()
            try:
                if dialect is Dialect.AUDIO_FORK:
                    await ws.send(disconnect(ended.reason))
            except ConnectionClosed:
                pass
        code = CLOSE_CODES.get(ended.reason, CloseCode.NORMAL_CLOSURE)
        # The reader has stopped; keep taking what the peer still sends while closing, or a full receive queue (a
        # flooding peer) pauses reading, its close frame is never seen and the handshake waits out its 10 s timeout.
        drain = asyncio.create_task(_drain(ws))
        try:
            await ws.close(code, ended.reason[:120])
        finally:
            drain.cancel()
            await asyncio.gather(drain, return_exceptions=True)

    def _feed_audio(self, session: CallSession, reframer: Reframer, data: bytes) -> CallEnded | None:
        try:
            frames = reframer.push(data)
        except MessageError as exc:
            log.warning("call %s: %s", session.info.call_id, exc)
            return CallEnded(exc.reason, exc.detail)
        for frame in frames:
            session.feed(AudioIn(frame))
        if not session.accepting:  # a flood: the session ends the call; the reader stops
            return CallEnded("protocol_flood", "input limits exceeded")
        return None

    async def _read_loop(self, ws: ServerConnection, session: CallSession, reframer: Reframer, dialect: Dialect) -> None:
        call_id = session.info.call_id
        loop = asyncio.get_running_loop()
        # mod_audio_stream sends its metadata from the socket's open callback while the media bug may already be
        # writing audio: a JSON object in the first second is that metadata, arriving late. The URL has the call.
        late_metadata_until = loop.time() + LATE_METADATA_S if dialect is Dialect.AUDIO_STREAM else 0.0
        while True:
            try:
                async with asyncio.timeout(self._peer_timeout):  # not wait_for: see audiosocket_server.read_message
                    message = await ws.recv()
            except TimeoutError:
                log.warning("call %s: no data from FreeSWITCH for %g s", call_id, self._peer_timeout)
                session.feed(CallEnded("peer_silent", f"no data from FreeSWITCH for {self._peer_timeout:g} s"))
                return
            except ConnectionClosed as exc:
                end = _closed(exc)
                if end.reason != "caller_hangup":
                    log.warning("call %s: %s: %s", call_id, end.reason, end.detail)
                session.feed(end)
                return
            if isinstance(message, str) and loop.time() < late_metadata_until and _is_json_object(message):
                late_metadata_until = 0.0
                log.info("call %s: mod_audio_stream's metadata arrived after its first audio; the URL already named the call", call_id)
                continue
            if isinstance(message, str):
                detail = f"text frame of {len(message)} characters in the middle of the call"
                log.warning("call %s: unexpected_text: %s", call_id, detail)
                session.feed(CallEnded("unexpected_text", detail))
                return
            fault = self._feed_audio(session, reframer, message)
            if fault is not None:
                session.feed(fault)
                return


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(load_json_frame(text), dict)
    except JsonFrameError:
        return False


def _closed(exc: ConnectionClosed) -> CallEnded:
    """FreeSWITCH closes the websocket when the channel hangs up; 1009 is us refusing an oversized frame."""
    if exc.sent is not None and exc.sent.code == CloseCode.MESSAGE_TOO_BIG:
        return CallEnded("oversized_frame", f"frame over {MAX_MESSAGE_BYTES} bytes")
    if exc.rcvd is None:
        return CallEnded("caller_hangup", "connection lost without a close frame")
    return CallEnded("caller_hangup", f"websocket closed ({exc.rcvd.code} {exc.rcvd.reason})".rstrip())
