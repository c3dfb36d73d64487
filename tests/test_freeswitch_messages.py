"""FreeSWITCH wire formats without sockets: the call URL, the metadata frame, our JSON replies, re-framing and chunking."""

from __future__ import annotations

import base64
import json

import pytest

from voicebridge.transport.freeswitch_messages import (
    CallRequest,
    Dialect,
    MessageError,
    PlayoutChunker,
    PlayoutClock,
    Reframer,
    apply_metadata,
    disconnect,
    kill_audio,
    parse_request_path,
    play_audio,
    stream_audio,
)

UUID = "5b6f3c1e-8a2d-4f0e-9c1b-2d3e4f5a6b7c"


def test_stream_url_carries_the_whole_call() -> None:
    req = parse_request_path(f"/stream/{UUID}?caller=%2B4930123456&did=+4989555&rate=16000")
    assert req == CallRequest(Dialect.AUDIO_STREAM, UUID, "+4930123456", "+4989555", 16000)


def test_fork_url_may_leave_everything_to_the_metadata() -> None:
    req = parse_request_path("/fork")
    assert req == CallRequest(Dialect.AUDIO_FORK) and req.rate == 8000
    assert parse_request_path(f"/fork/{UUID}/").call_id == UUID


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/", "neither /stream/<uuid> nor /fork/<uuid>"),
        ("/audio/x", "neither"),
        (f"/stream/{UUID}/extra", "neither"),
        ("/stream/not a uuid", "not a UUID-like token"),
        (f"/stream/{UUID}?rate=44100", "allowed: 8000, 16000"),
        (f"/stream/{UUID}?rate=fast", "sample rate 'fast'"),
        (f"/stream/{UUID}?calller=1", "unknown query key 'calller'"),
    ],
)
def test_bad_urls_are_named(path: str, message: str) -> None:
    with pytest.raises(MessageError) as err:
        parse_request_path(path)
    assert message in err.value.detail


def test_fork_metadata_fills_the_request() -> None:
    meta = json.dumps({"uuid": UUID, "from": "+4930123", "to": "4989555", "sampleRate": 16000, "callId": "sip-call-id", "direction": "inbound"})
    req = apply_metadata(CallRequest(Dialect.AUDIO_FORK), meta)
    assert req == CallRequest(Dialect.AUDIO_FORK, UUID, "+4930123", "4989555", 16000)


def test_jambonz_style_metadata_and_url_precedence() -> None:
    req = apply_metadata(CallRequest(Dialect.AUDIO_FORK, call_id=UUID, caller_number="111"), '{"callSid":"other","from":"222","to":"333","sampleRate":"8k"}')
    assert req == CallRequest(Dialect.AUDIO_FORK, UUID, "111", "333", 8000)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello", "not JSON"),
        ("[1, 2]", "not an object (list)"),
        ('{"uuid": "a b"}', "not a UUID-like token"),
        ('{"sampleRate": 11025}', "allowed: 8000, 16000"),
        ('{"from": ["1"]}', "must be a string, got list"),
        ('{"from": "' + "9" * 100 + '"}', "from of 100 characters is not a phone number"),
        ("{" + " " * 9000 + "}", "limit 8192"),
    ],
)
def test_bad_metadata_is_named(text: str, message: str) -> None:
    with pytest.raises(MessageError) as err:
        apply_metadata(CallRequest(Dialect.AUDIO_FORK), text)
    assert err.value.reason == "bad_metadata" and message in err.value.detail
    assert "999" not in err.value.detail  # details reach the log and the store: never the content

def test_server_messages_are_what_the_modules_parse() -> None:
    pcm = bytes(range(256)) * 2
    msg = json.loads(stream_audio(pcm, 8000))
    assert msg["type"] == "streamAudio" and msg["data"]["audioDataType"] == "raw" and msg["data"]["sampleRate"] == 8000
    assert base64.b64decode(msg["data"]["audioData"]) == pcm
    msg = json.loads(play_audio(pcm, 16000))
    assert msg["type"] == "playAudio" and msg["data"]["audioContentType"] == "raw" and msg["data"]["sampleRate"] == 16000
    assert base64.b64decode(msg["data"]["audioContent"]) == pcm
    assert json.loads(kill_audio()) == {"type": "killAudio"}
    assert json.loads(disconnect("agent_goodbye")) == {"type": "disconnect", "data": {"reason": "agent_goodbye"}}
    assert " " not in stream_audio(pcm, 8000)  # compact: nothing to parse twice


def test_reframer_cuts_any_even_size_into_20ms_frames() -> None:
    reframer = Reframer(8000)
    assert reframer.push(bytes(100)) == []
    frames = reframer.push(bytes(700))  # 800 bytes so far: two frames, 160 bytes held back
    assert [len(f) for f in frames] == [320, 320]
    assert [len(f) for f in reframer.push(bytes(160))] == [320]
    assert [len(f) for f in Reframer(16000).push(bytes(1920))] == [640, 640, 640]
    with pytest.raises(MessageError, match="bad_audio_frame"):
        reframer.push(bytes(321))


def tone(n: int, rate: int = 8000) -> list[bytes]:
    return [b"\x10\x00" * (rate // 50) for _ in range(n)]


def test_chunker_gives_a_longer_first_chunk_then_even_chunks() -> None:
    chunker = PlayoutChunker(8000, chunk_ms=200, first_chunk_ms=300)
    out = [c for f in tone(40) if (c := chunker.push(f)) is not None]
    assert [len(c) // 320 for c in out] == [15, 10, 10]  # 300 ms, then 200 ms each; 5 frames still gathered
    assert chunker.pending_bytes == 5 * 320
    assert chunker.push(bytes(320)) is None  # maybe just a pause between words
    tail = chunker.push(bytes(320))  # 40 ms of nothing: the pacer went idle, the rest goes out at once
    assert tail is not None and len(tail) == 5 * 320 and any(tail)  # held-back silence is not sent
    assert chunker.push(bytes(320)) is None
    again = [c for f in tone(15) if (c := chunker.push(f)) is not None]
    assert [len(c) // 320 for c in again] == [15]  # a new burst starts with the long chunk again


def test_chunker_keeps_short_pauses_inside_the_speech() -> None:
    chunker = PlayoutChunker(8000, chunk_ms=200, first_chunk_ms=300)
    frames = tone(8) + [bytes(320)] + tone(6)
    out = [c for f in frames if (c := chunker.push(f)) is not None]
    assert len(out) == 1 and out[0] == b"".join(frames)  # 20 ms of silence between words plays as silence, in place
    after = [bytes(320)] + tone(9)  # a pause right after a sent chunk is kept too, so the lead stays intact
    assert [c for f in after if (c := chunker.push(f)) is not None] == [b"".join(after)]


def test_chunker_drop_forgets_a_cut_reply() -> None:
    chunker = PlayoutChunker(16000, chunk_ms=200, first_chunk_ms=300)
    for f in tone(5, 16000):
        assert chunker.push(f) is None
    assert chunker.drop() == 5 * 640
    assert chunker.take() is None


def test_playout_clock_plays_chunks_back_to_back() -> None:
    clock = PlayoutClock()
    clock.sent(10.0, 0.3)
    clock.sent(10.2, 0.2)  # arrives while the first still plays: queued behind it
    assert clock.remaining(10.2) == pytest.approx(0.3)
    clock.sent(20.0, 0.2)  # after a pause it starts on arrival
    assert clock.remaining(20.1) == pytest.approx(0.1)
    clock.cut(20.1)
    assert clock.remaining(20.1) == 0


def test_chunks_sent_at_the_pacers_pace_play_without_gaps_despite_late_messages() -> None:
    """Simulated line: 4 s of speech, a 400 ms pause, 2 s of speech; every other message arrives 50 ms late."""
    chunker = PlayoutChunker(8000, chunk_ms=200, first_chunk_ms=300)
    frames = tone(200) + [bytes(320)] * 20 + tone(100) + [bytes(320)] * 5
    arrivals: list[tuple[float, float]] = []  # (arrival, seconds)
    for i, frame in enumerate(frames):
        chunk = chunker.push(frame)
        if chunk is not None:
            late = 0.05 if len(arrivals) % 2 else 0.0
            arrivals.append(((i + 1) * 0.02 + late, len(chunk) / 16000))
    assert sum(s for _, s in arrivals) == pytest.approx(6.0)
    gaps, end = [], None
    for at, seconds in arrivals:
        if end is not None and at > end + 1e-9:
            gaps.append(round(at - end, 3))
        end = at + seconds if end is None else max(end, at) + seconds
    assert len(gaps) == 1 and gaps[0] == pytest.approx(0.4, abs=0.06)  # only the real pause, about as long as it was
