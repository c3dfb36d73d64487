"""A model that fails during a call (a worker that died twice, a hung one) must not drop the caller: through the real
daemon and real AudioSocket bytes, with a speech recognizer that fails once, the agent asks the caller to say it again
and the call goes on; with a hints model that hangs, the agent answers without it."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.callsim import greet_and_wait, store_of, wait_call_closed
from tests.conftest import make_config
from tests.privacy_helpers import FakeNotes, FakeStt, FakeTts, voiced
from voicebridge.call_session.responder import HINT_CAP_MS
from voicebridge.daemon import Daemon
from voicebridge.dialogue.note_extractor import CallNote, UtteranceHints
from voicebridge.dialogue.policy import PHRASES
from voicebridge.errors import ModelError
from voicebridge.models.registry import Models
from voicebridge.speech.stt import Transcript
from voicebridge.transport.audiosocket_client import AsteriskPeer

FAIL = "<the model worker dies>"
NAME_THE_PARSERS_MISS = "Uh, well, Zebulon Quayle, yes."


@dataclass
class FailingStt(FakeStt):
    """A scripted recognizer whose FAIL entries raise what the worker raises when it gives up on a call."""

    def transcribe(self, audio: bytes, rate: int, language: str) -> Transcript:
        result = super().transcribe(audio, rate, language)
        if result.text == FAIL:
            raise ModelError("the model worker process died twice on stt.transcribe (exit code -9, SIGKILL)")
        return result


async def _call(tmp_path: Path, stt: FakeStt, notes: FakeNotes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One call through the daemon: the caller speaks once per line of `stt`'s script and waits for each answer; the
    closed call row and its turns."""
    utterances = len(stt.script)
    # No speculative drafts: each utterance is transcribed once, so the script lines up with what the caller says.
    config = make_config(tmp_path, vad={"speculative_pause_ms": 0})
    daemon = Daemon(config, Models(stt, FakeTts(), notes))  # type: ignore[arg-type]
    await daemon.start()
    try:
        assert daemon.audiosocket is not None
        peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
        await greet_and_wait(peer)
        for _ in range(utterances):
            sent = await peer.say(voiced(0.8))
            assert await peer.wait_for_speech(sent.last_sample_at, 10) is not None, "the agent did not answer"
            await peer.wait_for_quiet(0.6, 10)
        await peer.hang_up()
        row = await wait_call_closed(daemon, peer.call_id)
        return row, store_of(daemon).turns(peer.call_id)
    finally:
        await daemon.stop()


async def test_a_failed_transcription_asks_the_caller_again_and_the_call_goes_on(tmp_path: Path) -> None:
    row, turns = await _call(tmp_path, FailingStt([FAIL, "My heating is broken."]), FakeNotes(CallNote()))
    assert row["end_reason"] == "caller_hangup"  # not internal_error: the caller was never dropped
    said = [(t["role"], t["text"]) for t in turns]
    assert said[1] == ("agent", PHRASES["en"]["not_understood"])
    assert said[2] == ("caller", "My heating is broken.")
    assert said[3][0] == "agent" and said[3][1] != PHRASES["en"]["not_understood"]


@dataclass
class HungHints(FakeNotes):
    """A hints model that has started but takes far too long (the LLM process starved of CPU behind busy calls)."""

    seconds: float = 4.0
    asked: int = 0

    def hints(self, text: str, language: str, candidates: tuple[str, ...]) -> UtteranceHints:
        self.asked += 1
        time.sleep(self.seconds)
        return UtteranceHints(name=candidates[0] if candidates else "")


async def test_a_started_hint_that_runs_long_is_not_waited_for(tmp_path: Path) -> None:
    """A name the parsers could not read waits for the model's reading, but not past HINT_MAX_RUN_MS once it started (HINT_CAP_MS in all):
    the agent answers from the parsers' reading and the call goes on."""
    notes = HungHints(CallNote())
    _, turns = await _call(tmp_path, FakeStt(["My heating is broken.", NAME_THE_PARSERS_MISS]), notes)
    assert notes.asked == 1, "the name was not sent to the model: the test does not reach the blocking hint"
    answer = turns[4]
    assert turns[3]["text"] == NAME_THE_PARSERS_MISS and answer["role"] == "agent"
    dialogue_ms = json.loads(answer["timings"])["dialogue_ms"]
    assert HINT_CAP_MS - 100 < dialogue_ms < notes.seconds * 1000 - 1000, dialogue_ms  # waited for the cap, not for the model
