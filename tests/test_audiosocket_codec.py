"""The AudioSocket codec against the wire facts: every kind, framing across reads, and every malformed header."""

from __future__ import annotations

import struct
import uuid

import pytest

from voicebridge.transport.audiosocket_codec import (
    SAMPLE_RATES,
    Decoder,
    Kind,
    Message,
    ProtocolError,
    audio_message,
    check_header,
    dtmf_message,
    encode,
    error_message,
    hangup_message,
    max_payload,
    parse_uuid,
    uuid_message,
)


def test_header_is_kind_then_big_endian_length() -> None:
    assert encode(Kind.SLIN_8K, b"\x01\x02") == b"\x10\x00\x02\x01\x02"
    assert encode(Kind.SLIN_8K, bytes(320))[:3] == b"\x10\x01\x40"


def test_hangup_uuid_dtmf_error_bytes() -> None:
    call = uuid.UUID("40325ec2-5efd-4bd3-805f-53576e581d13")
    assert hangup_message() == b"\x00\x00\x00"
    assert uuid_message(call) == b"\x01\x00\x10" + call.bytes
    assert dtmf_message("5") == b"\x03\x00\x015"
    assert error_message(3) == b"\xff\x00\x01\x03"


@pytest.mark.parametrize("kind", list(SAMPLE_RATES))
def test_every_audio_kind_round_trips(kind: Kind) -> None:
    rate = SAMPLE_RATES[kind]
    pcm = bytes(range(256)) * (rate // 8000 * 320 // 256 + 1)
    pcm = pcm[: rate * 20 // 1000 * 2]
    [msg] = Decoder().feed(audio_message(pcm, rate))
    assert msg.kind == kind and msg.payload == pcm and msg.sample_rate == rate and msg.is_audio


def test_all_kinds_known() -> None:
    assert {int(k) for k in Kind} == {0x00, 0x01, 0x03, *range(0x10, 0x19), 0xFF}


def test_decoder_reassembles_messages_split_across_reads() -> None:
    call = uuid.uuid4()
    stream = uuid_message(call) + audio_message(bytes(320)) + dtmf_message("#") + audio_message(b"\x01\x00" * 130) + hangup_message()
    decoder = Decoder()
    messages: list[Message] = []
    for i in range(0, len(stream), 7):  # awkward chunking crosses every boundary
        messages += decoder.feed(stream[i : i + 7])
    assert [m.kind for m in messages] == [Kind.UUID, Kind.SLIN_8K, Kind.DTMF, Kind.SLIN_8K, Kind.HANGUP]
    assert parse_uuid(messages[0]) == call
    assert messages[2].payload == b"#"
    assert len(messages[3].payload) == 260  # a short last frame, as Asterisk sends at the end of a playback
    assert decoder.pending == 0


def test_partial_frame_stays_pending() -> None:
    decoder = Decoder()
    assert decoder.feed(audio_message(bytes(320))[:100]) == []
    assert decoder.pending == 100


@pytest.mark.parametrize(
    ("kind", "length", "reason"),
    [
        (0x02, 0, "unknown_kind"),
        (0x20, 320, "unknown_kind"),
        (0x01, 15, "bad_uuid"),
        (0x01, 17, "bad_uuid"),
        (0x03, 2, "bad_dtmf"),
        (0x10, 1602, "oversized_frame"),
        (0x10, 0xFFFF, "oversized_frame"),
        (0x00, 4, "oversized_frame"),
        (0x10, 321, "odd_audio_length"),
    ],
)
def test_bad_headers_are_rejected_before_the_payload(kind: int, length: int, reason: str) -> None:
    with pytest.raises(ProtocolError) as err:
        check_header(kind, length)
    assert err.value.reason == reason
    with pytest.raises(ProtocolError):
        Decoder().feed(struct.pack(">BH", kind, length))  # header alone is enough to refuse


def test_limits_allow_asterisk_sized_frames() -> None:
    assert max_payload(Kind.SLIN_8K) >= 320 and max_payload(Kind.SLIN_16K) >= 640
    assert max_payload(Kind.SLIN_192K) >= 7680
    assert check_header(0x12, 640) == Kind.SLIN_16K


def test_encode_refuses_payload_over_16_bits() -> None:
    with pytest.raises(ValueError):
        encode(Kind.SLIN_8K, bytes(70000))
