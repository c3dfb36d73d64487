"""Reconcile the parsers' call note with the instruct model's proposal: what the call settled stays, the model fills
what the parsers could not, and every field says where it came from: confirmed (read back), heard (parsed), inferred (model).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any

from voicebridge.dialogue.call_note import CallNote
from voicebridge.dialogue.note_proposal import NoteProposal

CONFIRMED, HEARD, INFERRED = "confirmed", "heard", "inferred"
TEXT_FIELDS = ("name", "company", "callback_number", "address", "concern", "order_number")
_TITLE_RE = re.compile(r"\b(?:herr|herrn|frau|dr|mr|mrs|ms|miss)\b\.?\s*", re.I)
_GENERIC_INTENTS = ("other",)  # what the parsers say when they heard no intent (their "appointment" stands: dev0 showed
# the model turning a job with a question into a follow-up)
# What the model may change a generic intent to; never to an emergency: that is the parsers' and the call's to decide.
_SPECIFIC_INTENTS = ("quote", "follow_up", "question", "message", "complaint")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("ß", "ss")
    return " ".join(re.findall(r"\w+", text))


def _said(value: str, caller_text: str) -> bool:
    """Every word of the model's value is in the caller's own words (spelled letters joined): nothing invented."""
    words = _fold(_TITLE_RE.sub(" ", value)).split()
    said = _fold(caller_text)
    letters = "".join(w for w in said.split() if len(w) == 1)  # "K, O, W, A, L, S, K, I"
    return bool(words) and all(re.search(rf"\b{re.escape(w)}\b", said) or (len(w) > 2 and w in letters) for w in words)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def order_number_of(note: CallNote) -> str:
    value = getattr(note, "order_number", None)
    if value is None:
        value = note.extra.get("order_number", "")
    return str(value or "")


def provenance_of(note: CallNote) -> dict[str, str]:
    """The parsers' note alone: a read-back-confirmed number is confirmed, everything else they filled was heard."""
    out: dict[str, str] = {}
    for key in TEXT_FIELDS:
        value = order_number_of(note) if key == "order_number" else getattr(note, key, "")
        if value:
            out[key] = CONFIRMED if key == "callback_number" and note.callback_confirmed else HEARD
    if note.urgency != "unknown":
        out["urgency"] = HEARD
    if note.intent != "other":
        out["intent"] = HEARD
    if note.preferred_window is not None:
        out["preferred_window"] = HEARD
    return out


def _with_order_number(note: CallNote, changes: dict[str, Any], extra: dict[str, Any], number: str) -> None:
    if "order_number" in CallNote.__dataclass_fields__:
        changes["order_number"] = number
    else:
        extra["order_number"] = number


def reconcile(note: CallNote, proposal: NoteProposal | None, caller_text: str, source: str) -> CallNote:
    """The note to send. `proposal` None (the model failed or was too slow): the parsers' note, marked by `source`.
    `caller_text`: everything the caller said, to check that what the model proposes was said at all."""
    provenance = provenance_of(note)
    extra = dict(note.extra)
    changes: dict[str, Any] = {}
    if proposal is not None:
        filled = _fill(note, proposal, caller_text, provenance, changes, extra)
        if filled:
            changes["missing"] = tuple(m for m in note.missing if m not in filled)
    extra["provenance"] = provenance
    extra["note_source"] = source
    return dataclasses.replace(note, extra=extra, **changes)


def _fill(note: CallNote, p: NoteProposal, caller_text: str, provenance: dict[str, str], changes: dict[str, Any],
          extra: dict[str, Any]) -> set[str]:
    """Apply the model's fields the parsers left open (or got demonstrably wrong); returns the fields filled."""
    filled: set[str] = set()

    def take(key: str, value: str) -> None:
        changes[key] = value
        provenance[key] = INFERRED
        filled.add(key)

    # Name: the model's, when the parsers have none, or when it completes theirs ("Frau Hartmann" -> "Elfriede Hartmann")
    # or takes the company out of it ("Roth vom Fliesenhandel Roth").
    if p.name and _said(p.name, caller_text):
        ours, theirs = set(_fold(_TITLE_RE.sub(" ", note.name)).split()), set(_fold(p.name).split())
        company_in_name = bool(p.company) and _fold(p.company) in _fold(note.name)
        if not ours or company_in_name or (ours < theirs):
            take("name", p.name)
    if not note.company and p.company and _said(p.company, caller_text) and _fold(p.company) != _fold(changes.get("name", note.name)):
        take("company", p.company)
    if not note.callback_number and len(_digits(p.callback_number)) >= 6:
        # Digits only, as the note keeps them; never instead of a number the parsers heard (let alone a read-back one).
        take("callback_number", ("+" if p.callback_number.strip().startswith("+") else "") + _digits(p.callback_number))
    if not note.address and p.address and _said(p.address, caller_text):
        take("address", p.address)
    if not note.concern and p.concern:
        take("concern", p.concern)
    number = _digits(p.order_number)
    if not order_number_of(note) and len(number) >= 3 and number in _digits(caller_text):
        _with_order_number(note, changes, extra, number)
        provenance["order_number"] = INFERRED
        filled.add("order_number")
    if note.intent in _GENERIC_INTENTS and p.intent in _SPECIFIC_INTENTS:
        take("intent", p.intent)
    elif note.intent == "other" and p.intent == "appointment":
        take("intent", p.intent)
    if note.urgency == "unknown" and p.urgency in ("soon", "no_rush"):
        take("urgency", p.urgency)
    if p.summary:
        changes["summary"] = p.summary
        provenance["summary"] = INFERRED
    return filled
