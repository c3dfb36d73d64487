"""The post-call note drafted during the call, where the note model's lane is free.

Once the agent asks "Gibt es sonst noch etwas?" the caller has usually given everything, so the instruct model reads
the call so far while the caller answers and says goodbye. At hang-up the draft is used when the caller's later words
changed nothing in the parsers' note; otherwise (or when there is no draft) the note is written after the call as before.
The owner's mail then goes out seconds after the hang-up instead of a generation later, and at busy times the model
has one note less to write after the call.
"""

from __future__ import annotations

import asyncio
import logging

from voicebridge.call_services import CallServices
from voicebridge.dialogue.call_note import CallNote
from voicebridge.dialogue.note_proposal import transcript_text
from voicebridge.models.instruct import Proposed
from voicebridge.models.scheduler import POST_CALL, QueueTimeout

log = logging.getLogger(__name__)

# "Where the cores are free": a draft that cannot start this soon (the lane is on another call's note) is not made at
# all, so it never delays another call's note; in its own process (SCHED_IDLE) it takes no core a caller needs.
IDLE_START_MS = 200.0


class NoteDrafter:
    """One call's draft: started at most once, used at hang-up only if the note is what it was when the draft began."""

    def __init__(self, svc: CallServices, call_id: str, language: str) -> None:
        self._svc = svc
        self._call_id = call_id
        self._language = language
        self._task: asyncio.Task[Proposed | None] | None = None
        self._basis = ""  # the parsers' note (JSON) when the draft began

    @property
    def started(self) -> bool:
        return self._task is not None

    def start(self, note: CallNote, turns: list[tuple[str, str]]) -> None:
        writer = self._svc.models.writer
        if self._task is not None or writer is None or not any(speaker == "caller" for speaker, _ in turns):
            return
        self._basis = note.to_json()
        self._task = asyncio.create_task(self._draft(transcript_text(turns)))

    async def _draft(self, transcript: str) -> Proposed | None:
        writer = self._svc.models.writer
        assert writer is not None
        try:
            job = await self._svc.scheduler.run(writer.propose, transcript, self._language, priority=POST_CALL,
                                                lane=self._svc.models.note_lane, max_wait_ms=IDLE_START_MS)
        except QueueTimeout:
            log.info("call %s: no note draft during the call (the note model is busy)", self._call_id)
            return None
        except Exception as exc:  # the note after the call is still made the usual way
            log.info("call %s: the note draft failed (%s)", self._call_id, exc)
            return None
        self._svc.note_runs.add(job.run_ms)  # what a generation takes: the busy rule of post_call_note uses it
        log.info("call %s: note drafted during the call by %s in %.0f ms", self._call_id, writer.name, job.run_ms)
        proposed: Proposed = job.value
        return proposed

    async def usable(self, note: CallNote, wait_s: float) -> Proposed | None:
        """The draft, when the parsers' note is still what the model read beside; a draft still running is waited for
        up to `wait_s` (it is already on the core; a new generation would queue behind it)."""
        task = self._task
        if task is None:
            return None
        if note.to_json() != self._basis:
            self.cancel()  # the caller said more: the note is written after the call from the whole transcript
            return None
        try:
            draft = await asyncio.wait_for(asyncio.shield(task), wait_s)
        except TimeoutError:
            return None
        except asyncio.CancelledError:
            if task.cancelled():
                return None  # the draft was dropped (the daemon stopping abandons the lane): the usual path decides
            raise
        if draft is None or draft.proposal is None:
            return None
        return draft

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()  # a generation already running finishes in its lane, unheard
