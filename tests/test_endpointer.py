"""The endpointer as a pure state machine: frames in, utterance events out, no audio or clock needed."""

from __future__ import annotations

from voicebridge.turn.endpointer import Endpointer, NoiseDiscarded, SpeechStarted, UtteranceEnded, VoiceDetector


def feed(ep: Endpointer, pattern: str) -> list:  # type: ignore[type-arg]
    """'s' = speech frame, '.' = silence frame (20 ms each); the frame payload encodes its index."""
    events = []
    for i, ch in enumerate(pattern):
        events += ep.process(i.to_bytes(2, "little"), ch == "s")
    return events


def test_utterance_ends_after_hangover() -> None:
    ep = Endpointer(8000, hangover_ms=100, min_speech_ms=60, tail_ms=40)
    events = feed(ep, "..." + "s" * 10 + "." * 5)
    assert isinstance(events[0], SpeechStarted) and events[0].at_ms == 60
    end = events[-1]
    assert isinstance(end, UtteranceEnded)
    assert end.start_ms == 60 and end.end_ms == 260 and not end.forced
    # pre-roll kept, trailing hangover dropped but for a 40 ms tail (frames 13 and 14)
    frames = [int.from_bytes(end.audio[i : i + 2], "little") for i in range(0, len(end.audio), 2)]
    assert frames[0] == 0 and frames[-1] == 14


def test_short_pause_does_not_end_the_turn() -> None:
    ep = Endpointer(8000, hangover_ms=200, min_speech_ms=60)
    events = feed(ep, "sssss..sssss" + "." * 10)
    ends = [e for e in events if isinstance(e, UtteranceEnded)]
    assert len(ends) == 1 and ends[0].end_ms == 240


def test_blip_is_noise_not_a_turn() -> None:
    ep = Endpointer(8000, hangover_ms=100, min_speech_ms=200)
    events = feed(ep, "sss" + "." * 10)
    assert any(isinstance(e, NoiseDiscarded) for e in events)
    assert not any(isinstance(e, UtteranceEnded) for e in events)


def test_isolated_speech_frames_do_not_start_speech() -> None:
    ep = Endpointer(8000, hangover_ms=100, min_speech_ms=60)
    assert feed(ep, "s.s.s.ss.s." * 5) == []


def test_max_length_forces_a_cut() -> None:
    ep = Endpointer(8000, hangover_ms=500, min_speech_ms=60, max_utterance_ms=400)
    events = feed(ep, "s" * 30)
    forced = [e for e in events if isinstance(e, UtteranceEnded)]
    assert forced and forced[0].forced


def test_voice_detector_reframes_odd_sizes_and_rates() -> None:
    vad = VoiceDetector(8000, 2)
    out = vad.frames(bytes(260)) + vad.frames(bytes(380))
    assert len(out) == 2 and all(len(f) == 320 and not speech for f, speech in out)
    odd = VoiceDetector(12000, 2)  # webrtcvad has no 12 kHz: resampled to 16 kHz
    assert odd.rate == 16000 and len(odd.frames(bytes(480))[0][0]) == 640


def test_snapshot_at_a_pause_matches_the_final_utterance() -> None:
    ep = Endpointer(8000, hangover_ms=200, min_speech_ms=60, tail_ms=40)
    feed(ep, "s" * 8 + "." * 5)  # a 100 ms pause: still inside the utterance
    snapshot = ep.snapshot()
    events = [e for i in range(5) for e in ep.process((20 + i).to_bytes(2, "little"), False)]
    end = next(e for e in events if isinstance(e, UtteranceEnded))
    assert snapshot == end.audio  # no new speech: the speculative transcript covers exactly the final audio



def _feed_more(ep: Endpointer, pattern: str) -> list:  # type: ignore[type-arg]
    return [ev for ch in pattern for ev in ep.process(b"\0\0", ch == "s")]


def test_pause_hangover_shortens_and_lengthens_only_the_current_pause() -> None:
    ep = Endpointer(8000, hangover_ms=200, min_speech_ms=60)
    assert not _feed_more(ep, "ssssss" + "...")[1:]  # 60 ms of silence: still in the turn
    ep.set_pause_hangover(400)  # a draft looked unfinished: wait longer
    assert ep.hangover_ms == 400
    assert not _feed_more(ep, "." * 10)  # 260 ms, longer than the default 200 ms: not ended
    assert not _feed_more(ep, "ssss")  # the caller went on; the default applies again
    assert ep.hangover_ms == 200
    ep.set_pause_hangover(None)
    assert not _feed_more(ep, "..")
    ep.set_pause_hangover(20)  # the draft completed what was asked: shorter than the silence so far ends at the next frame
    ended = _feed_more(ep, ".")
    assert len(ended) == 1 and isinstance(ended[0], UtteranceEnded) and not ended[0].forced
    assert ep.hangover_ms == 200  # and the next utterance starts with the default


def test_silero_confirms_real_speech_and_rejects_music_and_dtmf() -> None:
    """Silero VAD (alone and confirming webrtcvad) on a real recorded prompt, real music on hold and DTMF tones."""
    import numpy as np

    from benchmarks.vad_compare import dtmf, music
    from tests.speech_samples import german_prompt
    from voicebridge.audio.pcm import to_pcm

    speech = german_prompt("vm-goodbye")
    rng = np.random.default_rng(1)
    for detector in ("silero", "both"):
        flags = [s for _f, s in VoiceDetector(8000, 2, detector).frames(speech)]
        assert sum(flags) >= 10, detector  # 200 ms and more of the speaker's words
        for noise in (to_pcm(music(10)), to_pcm(dtmf(10, rng))):
            assert sum(s for _f, s in VoiceDetector(8000, 2, detector).frames(noise)) <= 2, detector
    webrtc = VoiceDetector(8000, 2)
    assert sum(s for _f, s in webrtc.frames(to_pcm(music(10)))) > 100  # why Silero is there: webrtcvad calls music speech
