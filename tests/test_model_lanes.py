"""Model lanes with the real models in their worker processes: a real LLM generation running back to back does not
delay a caller's transcription, and a wait that did happen in the speech lane shows in the stored turn timings."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio

from tests.callsim import greet_and_wait, store_of, wait_call_closed
from tests.conftest import make_config
from voicebridge.daemon import Daemon
from voicebridge.models.scheduler import LLM, POST_CALL, SPEECH
from voicebridge.transport.audiosocket_client import AsteriskPeer

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

# A long transcript: each note extraction over it is a real generation of a few seconds on 2 cores.
TRANSCRIPT = "\n".join(
    f"caller: Hello, this is Peter Smith again, about the radiator in flat {n}; it still leaks and the floor is wet."
    for n in range(24)
)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def daemon(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Daemon]:
    daemon = Daemon(make_config(tmp_path_factory.mktemp("lanes"), models={"isolation": "process"}))
    await daemon.start()
    yield daemon
    await daemon.stop()


def _caller_timings(daemon: Daemon, call_id: str) -> list[dict[str, float]]:
    return [json.loads(t["timings"]) for t in store_of(daemon).turns(call_id) if t["role"] == "caller"]


async def _one_turn(daemon: Daemon, speech: bytes, as_speech_starts: Callable[[], object] = lambda: None) -> str:
    assert daemon.audiosocket is not None
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await greet_and_wait(peer)
    as_speech_starts()
    sent = await peer.say(speech)
    assert await peer.wait_for_speech(sent.last_sample_at, 30) is not None, "the agent did not answer the caller"
    await peer.hang_up()
    await wait_call_closed(daemon, peer.call_id)
    return peer.call_id


async def test_a_real_generation_does_not_hold_up_a_callers_transcription(daemon: Daemon, say: Callable[..., bytes]) -> None:
    services = daemon.services
    assert services is not None
    runs: list[float] = []
    stop, first_done = asyncio.Event(), asyncio.Event()

    async def generate() -> None:  # the LLM lane is never idle while the call goes on
        while not stop.is_set():
            job = await services.scheduler.run(services.models.notes.extract, TRANSCRIPT, "en", priority=POST_CALL, lane=LLM)
            runs.append(job.run_ms)
            first_done.set()

    busy = asyncio.create_task(generate())
    try:
        await first_done.wait()  # one full generation first: its length is the wait a shared queue would have cost
        call_id = await _one_turn(daemon, say("Hello, my name is Peter Smith. The heating in my house is broken."))
    finally:
        stop.set()
        await busy
    generation_ms = min(runs)
    assert generation_ms > 1000, runs  # a real generation, long enough that queueing behind it would show
    timings = _caller_timings(daemon, call_id)
    assert timings, "no caller turn stored"
    for turn in timings:
        assert turn["stt_queue_ms"] < generation_ms / 4, (turn, runs)


async def test_a_wait_in_the_speech_lane_is_stored_as_it_happened(daemon: Daemon, say: Callable[..., bytes]) -> None:
    services = daemon.services
    assert services is not None
    speech = say("Good morning, this is Anna Brown, my kitchen tap is dripping.")
    hold_s = len(speech) / 16000 + 2.0  # the whole utterance (8 kHz, 16 bit) and 2 s past its end
    holders: list[asyncio.Task[object]] = []

    def hold_the_speech_lane() -> None:  # as another call's long synthesis would
        holders.append(asyncio.create_task(services.scheduler.run(time.sleep, hold_s, lane=SPEECH)))

    call_id = await _one_turn(daemon, speech, hold_the_speech_lane)
    held = await holders[0]
    assert held.run_ms >= hold_s * 1000
    timings = _caller_timings(daemon, call_id)
    assert timings, "no caller turn stored"
    # Its transcription queued behind the held lane: the stored queue time and the caller's wait both show it.
    assert timings[0]["stt_queue_ms"] > 1000, timings
    assert timings[0]["stt_wait_ms"] > 500, timings

