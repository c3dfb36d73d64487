"""After hang-up: the instruct model reads the whole call in the note lane and its proposal is reconciled with the
parsers' note. Whatever happens to the model (missing, failing, slow, the daemon stopping), a note comes out, marked.
"""

from __future__ import annotations

import asyncio
import logging

from voicebridge.call_services import CallServices
from voicebridge.dialogue.call_note import CallNote
from voicebridge.dialogue.note_proposal import transcript_text
from voicebridge.dialogue.note_reconcile import reconcile
from voicebridge.models.instruct import Proposed
from voicebridge.models.scheduler import POST_CALL, QueueTimeout

log = logging.getLogger(__name__)
PARSERS = "parsers"
# However slow the recent notes were, a note may wait this long for the lane, so one fast run can bring the estimate down.
MIN_QUEUE_WAIT_MS = 1000.0


def caller_words(turns: list[tuple[str, str]]) -> str:
    return " ".join(text for speaker, text in turns if speaker == "caller")


async def post_call_note(svc: CallServices, note: CallNote, turns: list[tuple[str, str]], language: str,
                         drafted: Proposed | None = None) -> CallNote:
    """The note to store and send: the parsers' note reconciled with the model's proposal, or marked why not.
    `drafted`: the model's proposal made during the call (call_session/note_draft.py), still valid for this note."""
    writer = svc.models.writer
    said = caller_words(turns)
    if writer is None or not said.strip():
        return reconcile(note, None, said, PARSERS)
    if drafted is not None and drafted.proposal is not None:
        return reconcile(note, drafted.proposal, said, f"{PARSERS}+{writer.name} (drafted during the call)")
    timeout_s = svc.config.models.note_llm.timeout_s
    # A note that starts too late to finish within the timeout would be generated for nobody, and with a new call every
    # few seconds (8 calls, back to back) every note then did exactly that: 599 of 610 waited 60 s and were dropped. So a
    # note still queued when a typical generation no longer fits is not run; the owner gets the parsers' note at once.
    expected_ms = svc.note_runs.expected_ms(default_ms=timeout_s * 500)
    max_wait_ms = max(MIN_QUEUE_WAIT_MS, timeout_s * 1000 - expected_ms)
    try:
        job = await asyncio.wait_for(svc.scheduler.run(writer.propose, transcript_text(turns), language, priority=POST_CALL,
                                                       lane=svc.models.note_lane, max_wait_ms=max_wait_ms), timeout_s)
    except QueueTimeout:
        log.warning("call %s: the note model %s is busy (no start within %.0f s, a note takes about %.0f s); sending the "
                    "parsers' note", note.call_id, writer.name, max_wait_ms / 1000, expected_ms / 1000)
        return reconcile(note, None, said, f"{PARSERS}; {writer.name} busy")
    except TimeoutError:
        # The generation itself cannot be interrupted and finishes in its lane; this note does not wait for it.
        log.warning("call %s: the note model %s took over %.0f s; sending the parsers' note", note.call_id, writer.name, timeout_s)
        return reconcile(note, None, said, f"{PARSERS}; {writer.name} too slow (over {timeout_s:.0f} s)")
    except asyncio.CancelledError:
        # The daemon is stopping: the parsers' note goes out rather than none.
        return reconcile(note, None, said, f"{PARSERS}; {writer.name} cancelled (daemon stopping)")
    except Exception as exc:  # a model failure costs the model's fields, never the note
        log.warning("call %s: the note model %s failed (%s); sending the parsers' note", note.call_id, writer.name, exc)
        return reconcile(note, None, said, f"{PARSERS}; {writer.name} failed")
    svc.note_runs.add(job.run_ms)
    proposed: Proposed = job.value
    if proposed.proposal is None:
        return reconcile(note, None, said, f"{PARSERS}; {writer.name} gave no usable answer")
    log.info("call %s: note proposed by %s in %.0f ms (queued %.0f ms)", note.call_id, writer.name, job.run_ms, job.queued_ms)
    return reconcile(note, proposed.proposal, said, f"{PARSERS}+{writer.name}")
