"""Builds the CallNote from a call's slots: the one place that turns the dialogue's working state into the note's contract.

Pure; the policy calls it at any time (a caller may hang up mid-way), so `missing` names what the caller did not give.
"""

from __future__ import annotations

from voicebridge.dialogue.call_note import AppointmentWindow, CallNote
from voicebridge.dialogue.question_flow import intent, missing
from voicebridge.dialogue.slot_filling import Slots


def build_note(s: Slots, *, call_id: str, tenant: str, language: str, started_at: str, caller_number: str | None) -> CallNote:
    window = None
    if s.window is not None:
        w = s.window
        window = AppointmentWindow(w.label, w.start.isoformat(), w.end.isoformat(), w.asap)
    number = s.number.number if s.number is not None else s.number_text
    concern = "; ".join(s.concern)
    if not concern and s.questions:
        concern = " / ".join(s.questions)
    summary_parts = [p for p in (s.name, s.company, concern) if p]
    extra: dict[str, object] = {}
    if s.questions:
        extra["questions"] = list(s.questions)
    return CallNote(
        call_id=call_id,
        tenant=tenant,
        language=language,
        started_at=started_at,
        caller_number=caller_number,
        name=s.name,
        company=s.company,
        callback_number=number,
        callback_confirmed=bool(number) and s.confirmed,
        address=s.address,
        concern=concern,
        urgency=s.urgency,
        urgency_reason=s.urgency_reason,
        preferred_window=window,
        intent=intent(s),
        order_number=s.order_number,
        summary=" – ".join(summary_parts),
        missing=tuple(missing(s)),
        transferred_to=s.transferred_to,
        transcript_ref=f"voicebridge calls show {call_id}" if call_id else "",
        extra=extra,
    )
