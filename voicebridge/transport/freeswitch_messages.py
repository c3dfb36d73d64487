"""FreeSWITCH websocket wire formats (mod_audio_stream, mod_audio_fork): the call URL, the metadata frame, our replies.

Pure: parsing, encoding, re-framing and chunking are tested without sockets; `freeswitch_server.py` does the I/O.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from voicebridge.audio.pcm import frame_bytes
from voicebridge.transport.json_frames import JsonFrameError, load_json_frame

SAMPLE_RATES = (8000, 16000)
# Both modules cap their metadata at 8192 bytes (MAX_METADATA_LEN).
MAX_METADATA_CHARS = 8192
MAX_NUMBER_CHARS = 64
_CALL_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# The websocket subprotocol mod_audio_fork asks for (jambonz; MOD_AUDIO_FORK_SUBPROTOCOL_NAME), and the older drachtio name.
FORK_SUBPROTOCOLS = ("audio.drachtio.org", "audiostream.drachtio.org")


class Dialect(enum.Enum):
    AUDIO_STREAM = "mod_audio_stream"
    AUDIO_FORK = "mod_audio_fork"


DIALECT_FOR_PATH = {"stream": Dialect.AUDIO_STREAM, "fork": Dialect.AUDIO_FORK}


class MessageError(Exception):
    """FreeSWITCH (or whatever connected) broke the contract; `reason` is the short tag stored as the call's end reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class CallRequest:
    """What a connection tells us about its call, from the URL and then the metadata frame."""

    dialect: Dialect
    call_id: str | None = None
    caller_number: str | None = None
    called_number: str | None = None
    sample_rate: int | None = None

    @property
    def rate(self) -> int:
        return self.sample_rate or 8000


_QUERY_KEYS = {"caller": "caller_number", "did": "called_number", "rate": "sample_rate"}


def parse_request_path(path: str) -> CallRequest:
    """`/stream/<uuid>?caller=..&did=..&rate=..` or `/fork[/<uuid>]`; raises MessageError("bad_url") on anything else.

    Query values are percent-decoded, but `+` stays a plus sign (E.164 numbers start with one).
    """
    parts = urlsplit(path)
    segments = [s for s in parts.path.split("/") if s]
    if not segments or segments[0] not in DIALECT_FOR_PATH or len(segments) > 2:
        raise MessageError("bad_url", f"path {parts.path!r} is neither /stream/<uuid> nor /fork/<uuid>")
    values: dict[str, object] = {"dialect": DIALECT_FOR_PATH[segments[0]]}
    if len(segments) == 2:
        values["call_id"] = _call_id(unquote(segments[1]), "URL")
    for pair in filter(None, parts.query.split("&")):
        key, _, raw = pair.partition("=")
        key, value = unquote(key), unquote(raw)
        if key not in _QUERY_KEYS:
            raise MessageError("bad_url", f"unknown query key {key!r}; known: {', '.join(_QUERY_KEYS)}")
        field = _QUERY_KEYS[key]
        values[field] = _rate(value, "URL") if field == "sample_rate" else _number(value, key)
    return CallRequest(**values)  # type: ignore[arg-type]


# Metadata keys we read, first match wins; every other key (jambonz sends many) is ignored.
_METADATA_KEYS = {
    "call_id": ("uuid", "callSid", "call_id"),
    "caller_number": ("from", "caller"),
    "called_number": ("to", "did"),
    "sample_rate": ("sampleRate", "rate"),
}


def apply_metadata(request: CallRequest, text: str) -> CallRequest:
    """Fill in what the URL left out from the first text frame (a JSON object); the URL wins where both give a value."""
    if len(text) > MAX_METADATA_CHARS:
        raise MessageError("bad_metadata", f"metadata frame of {len(text)} characters (limit {MAX_METADATA_CHARS})")
    # Details name the fault, never the content: metadata carries phone numbers, and details reach the log and the store.
    try:
        data = load_json_frame(text)
    except JsonFrameError as exc:
        raise MessageError("bad_metadata", f"metadata frame of {len(text)} characters: {exc}") from None
    if not isinstance(data, dict):
        raise MessageError("bad_metadata", f"metadata frame is JSON but not an object ({type(data).__name__})")
    changes: dict[str, object] = {}
    for field, keys in _METADATA_KEYS.items():
        if getattr(request, field) is not None:
            continue
        raw = next((data[k] for k in keys if data.get(k) not in (None, "")), None)
        if raw is None:
            continue
        if field == "sample_rate":
            changes[field] = _rate(raw, "metadata")
        elif not isinstance(raw, str | int) or isinstance(raw, bool):
            raise MessageError("bad_metadata", f"metadata {keys[0]!r} must be a string, got {type(raw).__name__}")
        elif field == "call_id":
            changes[field] = _call_id(str(raw), "metadata")
        else:
            changes[field] = _number(str(raw), keys[0])
    return dataclasses.replace(request, **changes)  # type: ignore[arg-type]


def _call_id(value: str, source: str) -> str:
    if not _CALL_ID.fullmatch(value):
        raise MessageError("bad_metadata" if source == "metadata" else "bad_url", f"call id {value[:80]!r} from the {source} is not a UUID-like token")
    return value


def _number(value: str, key: str) -> str | None:
    value = value.strip()
    if len(value) > MAX_NUMBER_CHARS or not value.isprintable():
        raise MessageError("bad_metadata", f"{key} of {len(value)} characters is not a phone number")
    return value or None


def _rate(value: object, source: str) -> int:
    try:
        rate = int(str(value).removesuffix("k")) * (1000 if str(value).endswith("k") else 1)
    except ValueError:
        rate = 0
    if isinstance(value, bool) or rate not in SAMPLE_RATES:
        raise MessageError("bad_metadata" if source == "metadata" else "bad_url", f"sample rate {value!r} from the {source}; allowed: 8000, 16000")
    return rate


def stream_audio(pcm: bytes, sample_rate: int) -> str:
    """mod_audio_stream: written to `<tmp>/<uuid>_<n>.tmp.r8` (or .r16) and announced as event `mod_audio_stream::play`."""
    data = {"audioDataType": "raw", "sampleRate": sample_rate, "audioData": base64.b64encode(pcm).decode("ascii")}
    return json.dumps({"type": "streamAudio", "data": data}, separators=(",", ":"))


def play_audio(pcm: bytes, sample_rate: int) -> str:
    """mod_audio_fork: written to a temp .r8/.r16 file and announced as event `mod_audio_fork::play_audio`."""
    data = {"audioContentType": "raw", "sampleRate": sample_rate, "audioContent": base64.b64encode(pcm).decode("ascii")}
    return json.dumps({"type": "playAudio", "data": data}, separators=(",", ":"))


def kill_audio() -> str:
    """mod_audio_fork: breaks the channel's current playback (CF_BREAK) and fires `mod_audio_fork::kill_audio`."""
    return json.dumps({"type": "killAudio"}, separators=(",", ":"))


def disconnect(reason: str) -> str:
    """mod_audio_fork: fires `mod_audio_fork::disconnect` with `data` as its body; the dialplan decides what follows."""
    return json.dumps({"type": "disconnect", "data": {"reason": reason}}, separators=(",", ":"))


def audio_message(dialect: Dialect, pcm: bytes, sample_rate: int) -> str:
    return stream_audio(pcm, sample_rate) if dialect is Dialect.AUDIO_STREAM else play_audio(pcm, sample_rate)


class Reframer:
    """Binary frames arrive as the module buffered them (20 ms, or STREAM_BUFFER_SIZE, or whatever lws had queued): cut them to 20 ms."""

    def __init__(self, sample_rate: int) -> None:
        self._size = frame_bytes(sample_rate)
        self._pending = bytearray()

    def push(self, data: bytes) -> list[bytes]:
        if len(data) % 2:
            raise MessageError("bad_audio_frame", f"binary frame of {len(data)} bytes is not 16-bit PCM")
        self._pending += data
        frames = [bytes(self._pending[i : i + self._size]) for i in range(0, len(self._pending) - self._size + 1, self._size)]
        del self._pending[: len(frames) * self._size]
        return frames


class PlayoutChunker:
    """Gathers the pacer's 20 ms frames into one message per chunk, because each message becomes a file FreeSWITCH plays.

    All-zero frames mean the pacer is idle (or paused). A run of `GAP_FRAMES` of them ends the chunk and the burst and
    is not sent: the real-time gap it stands for survives as the time until the next chunk arrives. A shorter run (a
    pause inside synthesized speech) stays in the chunk. A burst's first chunk is longer than the rest, so FreeSWITCH
    always holds (first - chunk) ms of lead and a message that arrives a little late never leaves a gap.
    """

    # 40 ms: long enough for the odd all-zero frame inside synthesized speech; short, because a burst's last chunk waits
    # for it, eating into the lead (at least first - chunk - 40 = 60 ms are left).
    GAP_FRAMES = 2

    def __init__(self, sample_rate: int, chunk_ms: int, first_chunk_ms: int) -> None:
        self.sample_rate = sample_rate
        self._chunk = frame_bytes(sample_rate, chunk_ms)
        self._first = max(self._chunk, frame_bytes(sample_rate, first_chunk_ms))
        self._pending = bytearray()
        self._zeros = 0  # all-zero frames held back: inside the chunk if speech follows, dropped if the gap grows
        self._in_burst = False
        self._zero: bytes = b""

    @property
    def pending_bytes(self) -> int:
        return len(self._pending)

    def push(self, frame: bytes) -> bytes | None:
        """One pacer frame in; a finished chunk out, or None."""
        if len(self._zero) != len(frame):
            self._zero = bytes(len(frame))
        if frame == self._zero:
            self._zeros += 1
            return self.take() if self._zeros == self.GAP_FRAMES else None
        if self._zeros < self.GAP_FRAMES and (self._pending or self._in_burst):
            self._pending += self._zero * self._zeros
        self._zeros = 0
        self._pending += frame
        if len(self._pending) >= (self._chunk if self._in_burst else self._first):
            self._in_burst = True
            chunk = bytes(self._pending)
            self._pending.clear()
            return chunk
        return None

    def take(self) -> bytes | None:
        """End the burst: whatever is gathered (without held-back silence), or None."""
        self._in_burst = False
        if not self._pending:
            return None
        chunk = bytes(self._pending)
        self._pending.clear()
        return chunk

    def drop(self) -> int:
        """Barge-in: forget what is gathered; returns the bytes dropped."""
        dropped = len(self._pending)
        self._pending.clear()
        self._in_burst = False
        return dropped


class PlayoutClock:
    """When FreeSWITCH will have played everything sent: it plays chunk files back to back, each from its arrival."""

    def __init__(self) -> None:
        self.ends_at = 0.0

    def sent(self, now: float, seconds: float) -> None:
        self.ends_at = max(self.ends_at, now) + seconds

    def cut(self, now: float) -> None:
        self.ends_at = now

    def remaining(self, now: float) -> float:
        return max(0.0, self.ends_at - now)
