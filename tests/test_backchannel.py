"""A "mhm" over the agent is no turn; a sentence is, even when the agent started speaking again over its last word.

In the 2-hour soak, 6 of 3609 caller sentences were lost this way: said over a read-back whose audio stalled, each one
interrupted the agent, the agent's next chunk started while the caller finished, the caller's last word paused it and
the pause resumed, and that resume marked the whole sentence as a backchannel. Frame by frame through the real turn
taker (real webrtcvad, endpointer and barge-in detector), with the agent's outgoing audio queued by hand."""

from __future__ import annotations

import asyncio

from tests.privacy_helpers import voiced
from tests.test_post_call_note_busy import SlowWriter, services
from voicebridge.audio.pacer import OutgoingAudio
from voicebridge.audio.pcm import silence
from voicebridge.call_session.context import CallContext
from voicebridge.call_session.events import CallInfo
from voicebridge.call_session.turn_taking import ResponderInput, TurnTaker
from voicebridge.models.scheduler import ModelScheduler

RATE = 8000
FRAME = RATE * 2 // 50  # 20 ms of 16-bit PCM


async def _turn_taker() -> tuple[TurnTaker, OutgoingAudio, asyncio.Queue[ResponderInput], ModelScheduler]:
    async def send(frame: bytes) -> None:
        pass

    scheduler = ModelScheduler()
    svc = services(SlowWriter(0.0), 10, scheduler)
    out = OutgoingAudio(send, RATE)
    ctx = CallContext(CallInfo("bc-test", "audiosocket", RATE), svc, out)
    queue: asyncio.Queue[ResponderInput] = asyncio.Queue()
    return TurnTaker(ctx, queue), out, queue, scheduler


def feed(taker: TurnTaker, pcm: bytes) -> None:
    for i in range(0, len(pcm) - FRAME + 1, FRAME):
        taker.audio(pcm[i : i + FRAME])


async def test_a_short_mhm_over_the_agent_is_no_turn() -> None:
    taker, out, queue, scheduler = await _turn_taker()
    try:
        out.enqueue(voiced(5.0))  # the agent is speaking
        feed(taker, voiced(0.3))  # "mhm": pauses the agent ...
        feed(taker, silence(RATE, 2000))  # ... which resumes, and the utterance ends
        assert queue.empty()
        assert not out.paused and out.speaking
    finally:
        scheduler.shutdown()


async def test_a_sentence_whose_last_word_the_agent_talked_over_is_still_a_turn() -> None:
    taker, out, queue, scheduler = await _turn_taker()
    try:
        out.enqueue(voiced(5.0))  # the agent is reading back
        feed(taker, voiced(1.2))  # the caller talks over it: the agent is interrupted (its audio flushed)
        assert not out.speaking and taker.barge_ins == 1
        out.enqueue(voiced(3.0))  # the reply's next chunk arrives while the caller is still speaking
        feed(taker, voiced(0.3))  # the caller's last word pauses it, then the caller stops: it resumes
        feed(taker, silence(RATE, 2000))
        assert not queue.empty(), "the caller's sentence was dropped as a backchannel"
        heard = queue.get_nowait()
        assert heard is not None and not isinstance(heard, str) and len(heard.audio.audio) > RATE * 2  # over a second of speech
    finally:
        scheduler.shutdown()
