"""The models in a worker process: a real call answered by models in another process, a killed worker that is
restarted under the call that found it dead, and a missing model that still stops start-up with one line."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from tests.callsim import caller_turns, greet_and_wait, pacing, wait_call_closed
from tests.conftest import make_config
from voicebridge.daemon import Daemon
from voicebridge.errors import ModelError
from voicebridge.models.worker import RemoteNoteModel, RemoteTranscriber
from voicebridge.transport.audiosocket_client import AsteriskPeer

# One daemon (and so one model load) serves the module's tests, on one event loop.
pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _gone(pid: int) -> bool:
    """Neither running nor a zombie: exited and reaped."""
    return not Path(f"/proc/{pid}").exists()


def _zombie_children() -> list[int]:
    """Our children that exited without being reaped."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited while we looked
        if fields[0] == "Z" and int(fields[1]) == os.getpid():
            found.append(int(stat.parent.name))
    return found


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def daemon(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Daemon]:
    config = make_config(tmp_path_factory.mktemp("worker"), models={"isolation": "process"})
    daemon = Daemon(config)  # no models given: the daemon loads them itself, in its worker process
    await daemon.start()
    yield daemon
    assert daemon.note_worker is None  # no note model configured: no process for one
    pids = [w.pid if w is not None else None for w in (daemon.model_worker, daemon.llm_worker)]
    await daemon.stop()
    for pid in pids:
        assert pid is not None and _gone(pid), "a worker process is still there (running or a zombie)"
    assert _zombie_children() == []


async def test_a_call_is_answered_by_models_in_the_worker_process(daemon: Daemon, say: Callable[..., bytes]) -> None:
    worker, services = daemon.model_worker, daemon.services
    assert worker is not None and services is not None and daemon.audiosocket is not None
    assert isinstance(services.models.stt, RemoteTranscriber)
    pid = worker.pid
    assert pid is not None and pid != os.getpid()
    # Below the audio clock: niced and batch-scheduled, so a waking daemon thread gets the core at once.
    assert os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, 0) + 10
    assert os.sched_getscheduler(pid) == os.SCHED_BATCH
    # The language model has its own process at the lowest priority: a generation never takes the speech process's cores.
    llm = daemon.llm_worker
    assert llm is not None and llm.pid not in (None, pid) and isinstance(services.models.notes, RemoteNoteModel)
    assert os.getpriority(os.PRIO_PROCESS, llm.pid) == 19 and os.sched_getscheduler(llm.pid) == os.SCHED_BATCH
    speech = say("Hello, my name is Peter Smith. The heating in my house is broken.")
    cpu_before = _cpu_s(pid)
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await greet_and_wait(peer)
    sent = await peer.say(speech)
    assert await peer.wait_for_speech(sent.last_sample_at, 20) is not None, "the agent did not answer the caller"
    assert worker.pid == pid, "the worker process was restarted during the call"
    await peer.wait_for_quiet(0.8, 20)
    _, max_gap, _ = pacing(peer.received)
    assert max_gap < 60, max_gap
    await peer.hang_up()

    row = await wait_call_closed(daemon, peer.call_id)
    assert row["end_reason"] == "caller_hangup"
    said = " ".join(caller_turns(daemon, peer.call_id)).lower()
    assert "heating" in said and "broken" in said, said
    # Whisper (and Piper for the reply) computed in the worker: its CPU time grew during the call.
    assert _cpu_s(pid) - cpu_before > 0.2


async def test_a_killed_worker_is_restarted_and_the_call_it_was_on_still_answered(daemon: Daemon, caplog: pytest.LogCaptureFixture) -> None:
    worker, services = daemon.model_worker, daemon.services
    assert worker is not None and services is not None
    old = worker.pid
    assert old is not None
    # An exception inside a model call comes back as a ModelError and leaves the worker running.
    with pytest.raises(ModelError, match="tts.synthesize failed in the model worker: KeyError"):
        await services.scheduler.run(services.models.tts.synthesize, "Bonjour.", "fr", 8000)
    assert worker.pid == old
    os.kill(old, signal.SIGKILL)
    # The call that finds the worker dead waits for a new one and gets its answer: the caller is not dropped.
    speech = await services.scheduler.run(services.models.tts.synthesize, "Good morning, how are you?", "en", 8000)
    assert len(speech.value.pcm) > 8000  # more than half a second of audio
    assert "died (exit code -9, SIGKILL); restarting it and trying tts.synthesize again" in caplog.text
    assert _gone(old), "the killed worker was not reaped"
    assert worker.pid not in (None, old)
    heard = await services.scheduler.run(services.models.stt.transcribe, speech.value.pcm, 8000, "en")
    assert "morning" in heard.value.text.lower()


async def test_the_speech_worker_killed_under_four_calls_and_every_call_goes_on(daemon: Daemon, say: Callable[..., bytes]) -> None:
    # The fault under load: four callers greeted, the speech process killed, then each speaks and is answered (the
    # first transcription to find it dead restarts it, the others wait for the new one), and each turn is stored.
    worker = daemon.model_worker
    assert worker is not None and daemon.audiosocket is not None
    speech = say("My heating is broken.")
    peers = [AsteriskPeer("127.0.0.1", daemon.audiosocket.port) for _ in range(4)]
    await asyncio.gather(*(greet_and_wait(peer) for peer in peers))
    old = worker.pid
    assert old is not None
    os.kill(old, signal.SIGKILL)

    async def speak_and_hear(peer: AsteriskPeer) -> bool:
        sent = await peer.say(speech)
        return await peer.wait_for_speech(sent.last_sample_at, 90) is not None

    answered = await asyncio.gather(*(speak_and_hear(peer) for peer in peers))
    assert all(answered), answered
    assert worker.pid not in (None, old) and _gone(old)
    for peer in peers:
        await peer.hang_up()
        row = await wait_call_closed(daemon, peer.call_id)
        assert row["end_reason"] == "caller_hangup"
        assert "heating" in " ".join(caller_turns(daemon, peer.call_id)).lower()


async def test_a_missing_model_stops_start_up_with_one_line(tmp_path: Path) -> None:
    whisper = tmp_path / "whisper"
    whisper.mkdir()  # a directory without model.bin
    daemon = Daemon(make_config(tmp_path, models={"isolation": "process", "stt": {"path": str(whisper)}}))
    with pytest.raises(ModelError) as err:
        await daemon.start()
    message = str(err.value)
    assert str(whisper / "model.bin") in message and "not found" in message and "\n" not in message
    assert daemon.model_worker is not None and daemon.model_worker.pid is None
    assert _zombie_children() == []
    await daemon.stop()


async def test_the_llm_worker_waits_as_long_as_a_note_may_take(tmp_path: Path) -> None:
    """A note given 600 s is not cut off by the worker's 120 s 'hung child' limit (seen on a loaded real-PBX run)."""
    from voicebridge.models.worker import CALL_TIMEOUT_S, ModelWorker

    config = make_config(tmp_path, models={"note_llm": {"timeout_s": 600}})
    assert ModelWorker(config, role="llm")._call_timeout_s == 630  # not started: no process is spawned
    assert ModelWorker(config, role="note")._call_timeout_s == 630
    assert ModelWorker(config, role="speech")._call_timeout_s == CALL_TIMEOUT_S
