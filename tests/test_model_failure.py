"""A model that fails during a call (a worker that died twice, a hung one) must not drop the caller: through the real
daemon and real AudioSocket bytes, with a speech recognizer that fails once, the agent asks the caller to say it again
and the call goes on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.callsim import greet_and_wait, store_of, wait_call_closed
from tests.conftest import make_config
from tests.privacy_helpers import FakeNotes, FakeStt, FakeTts, voiced
from voicebridge.daemon import Daemon
from voicebridge.dialogue.note_extractor import CallNote
from voicebridge.dialogue.policy import PHRASES
from voicebridge.errors import ModelError
from voicebridge.models.registry import Models
from voicebridge.speech.stt import Transcript
from voicebridge.transport.audiosocket_client import AsteriskPeer

FAIL = "<the model worker dies>"


@dataclass
class FailingStt(FakeStt):
    """A scripted recognizer whose FAIL entries raise what the worker raises when it gives up on a call."""

    def transcribe(self, audio: bytes, rate: int, language: str) -> Transcript:
        result = super().transcribe(audio, rate, language)
        if result.text == FAIL:
            raise ModelError("the model worker process died twice on stt.transcribe (exit code -9, SIGKILL)")
        return result


async def test_a_failed_transcription_asks_the_caller_again_and_the_call_goes_on(tmp_path: Path) -> None:
    stt = FailingStt([FAIL, "My heating is broken."])
    # No speculative drafts: each utterance is transcribed once, so the script lines up with what the caller says.
    config = make_config(tmp_path, vad={"speculative_pause_ms": 0})
    daemon = Daemon(config, Models(stt, FakeTts(), FakeNotes(CallNote())))  # type: ignore[arg-type]
    await daemon.start()
    try:
        assert daemon.audiosocket is not None
        peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
        await greet_and_wait(peer)
        for _ in range(2):
            sent = await peer.say(voiced(0.8))
            assert await peer.wait_for_speech(sent.last_sample_at, 10) is not None, "the agent did not answer"
            await peer.wait_for_quiet(0.6, 10)
        await peer.hang_up()
        row = await wait_call_closed(daemon, peer.call_id)
        turns = store_of(daemon).turns(peer.call_id)
    finally:
        await daemon.stop()
    assert row["end_reason"] == "caller_hangup"  # not internal_error: the caller was never dropped
    said = [(t["role"], t["text"]) for t in turns]
    assert said[1] == ("agent", PHRASES["en"]["not_understood"])
    assert said[2] == ("caller", "My heating is broken.")
    assert said[3][0] == "agent" and said[3][1] != PHRASES["en"]["not_understood"]
