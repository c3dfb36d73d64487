"""Asterisk AudioSocket wire format: `kind:1 | length:2 (big-endian) | payload`.

Pure encode/decode with an incremental decoder, so framing is tested without sockets.
"""

from __future__ import annotations

import enum
import struct
import uuid as uuid_module
from dataclasses import dataclass

HEADER = struct.Struct(">BH")


class Kind(enum.IntEnum):
    HANGUP = 0x00
    UUID = 0x01
    DTMF = 0x03
    SLIN_8K = 0x10
    SLIN_12K = 0x11
    SLIN_16K = 0x12
    SLIN_24K = 0x13
    SLIN_32K = 0x14
    SLIN_44K = 0x15
    SLIN_48K = 0x16
    SLIN_96K = 0x17
    SLIN_192K = 0x18
    ERROR = 0xFF


SAMPLE_RATES: dict[Kind, int] = {
    Kind.SLIN_8K: 8000,
    Kind.SLIN_12K: 12000,
    Kind.SLIN_16K: 16000,
    Kind.SLIN_24K: 24000,
    Kind.SLIN_32K: 32000,
    Kind.SLIN_44K: 44100,
    Kind.SLIN_48K: 48000,
    Kind.SLIN_96K: 96000,
    Kind.SLIN_192K: 192000,
}
AUDIO_KIND_FOR_RATE: dict[int, Kind] = {rate: kind for kind, rate in SAMPLE_RATES.items()}

# Asterisk sends 20 ms frames; 100 ms of audio is a generous ceiling that still
# rejects garbage lengths before we buffer them.
MAX_AUDIO_MS = 100


class ProtocolError(Exception):
    """The peer broke the AudioSocket protocol; `reason` is a short machine-readable tag."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Message:
    kind: Kind
    payload: bytes = b""

    @property
    def is_audio(self) -> bool:
        return self.kind in SAMPLE_RATES

    @property
    def sample_rate(self) -> int:
        return SAMPLE_RATES[self.kind]

    def encode(self) -> bytes:
        return encode(self.kind, self.payload)


def encode(kind: Kind | int, payload: bytes = b"") -> bytes:
    if len(payload) > 0xFFFF:
        raise ValueError(f"payload of {len(payload)} bytes does not fit a 16-bit length")
    return HEADER.pack(int(kind), len(payload)) + payload


def uuid_message(call_id: uuid_module.UUID | str) -> bytes:
    value = call_id if isinstance(call_id, uuid_module.UUID) else uuid_module.UUID(str(call_id))
    return encode(Kind.UUID, value.bytes)


def audio_message(pcm: bytes, sample_rate: int = 8000) -> bytes:
    return encode(AUDIO_KIND_FOR_RATE[sample_rate], pcm)


def dtmf_message(digit: str) -> bytes:
    return encode(Kind.DTMF, digit.encode("ascii"))


def hangup_message() -> bytes:
    return encode(Kind.HANGUP)


def error_message(code: int) -> bytes:
    return encode(Kind.ERROR, bytes([code]))


def max_payload(kind: Kind) -> int:
    if kind in SAMPLE_RATES:
        return SAMPLE_RATES[kind] * MAX_AUDIO_MS // 1000 * 2
    return {Kind.HANGUP: 0, Kind.UUID: 16, Kind.DTMF: 1, Kind.ERROR: 1}[kind]


def check_header(kind_byte: int, length: int) -> Kind:
    """Validate a header before reading its payload, so a bad length is never buffered."""
    try:
        kind = Kind(kind_byte)
    except ValueError:
        raise ProtocolError("unknown_kind", f"message kind 0x{kind_byte:02x} is not AudioSocket") from None
    limit = max_payload(kind)
    if kind == Kind.UUID and length != 16:
        raise ProtocolError("bad_uuid", f"UUID message has {length} bytes, expected 16")
    if kind == Kind.DTMF and length != 1:
        raise ProtocolError("bad_dtmf", f"DTMF message has {length} bytes, expected 1")
    if length > limit:
        raise ProtocolError(
            "oversized_frame", f"{kind.name} message of {length} bytes exceeds the {limit}-byte limit"
        )
    if kind in SAMPLE_RATES and length % 2:
        raise ProtocolError("odd_audio_length", f"{kind.name} payload of {length} bytes is not whole 16-bit samples")
    return kind


class Decoder:
    """Incremental decoder: feed bytes as they arrive, take whole messages out."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Message]:
        self._buffer += data
        messages: list[Message] = []
        while len(self._buffer) >= HEADER.size:
            kind_byte, length = HEADER.unpack_from(self._buffer)
            kind = check_header(kind_byte, length)
            end = HEADER.size + length
            if len(self._buffer) < end:
                break
            messages.append(Message(kind, bytes(self._buffer[HEADER.size:end])))
            del self._buffer[:end]
        return messages

    @property
    def pending(self) -> int:
        """Bytes of an incomplete message; non-zero at EOF means the peer truncated a frame."""
        return len(self._buffer)


def parse_uuid(message: Message) -> uuid_module.UUID:
    return uuid_module.UUID(bytes=message.payload)
