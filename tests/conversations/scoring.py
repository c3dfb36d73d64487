"""Scores generated callers' notes the way a careful receptionist would read them, and sums up a run into the benchmark report.

Field accuracy, callers with every field right, redundant questions, turns to a complete note, calls that did not end, loops.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import date
from typing import Any

from tests.conversations.simulator import Dialogue, same_number
from voicebridge.dialogue.call_note import CallNote

_TITLES_RE = re.compile(r"\b(?:frau|herr|herrn|dr|mr|mrs|ms|miss)\b\.?", re.I)


def _norm(text: str) -> str:
    text = text.lower().replace("ß", "ss").replace("straße", "str").replace("strasse", "str").replace("str.", "str")
    return re.sub(r"[\s,.;:-]+", " ", text).strip()


def _name_ok(note_name: str, first: str, last: str) -> bool:
    got = _norm(_TITLES_RE.sub(" ", note_name))
    return got == _norm(f"{first} {last}")


def score(note: CallNote, replies: list[str], want: dict[str, Any]) -> dict[str, bool]:
    """One bool per expected field."""
    out: dict[str, bool] = {}
    for key, value in want.items():
        if key == "name":
            out[key] = _name_ok(note.name, *value)
        elif key == "callback_number":
            out[key] = bool(note.callback_number) and same_number(note.callback_number, value)
        elif key == "company":
            out[key] = _norm(value) in _norm(note.company) and _norm(value) not in _norm(note.name)
        elif key == "address":
            street, town = value
            out[key] = _norm(street) in _norm(note.address) and _norm(town) in _norm(note.address)
        elif key == "concern":
            out[key] = all(_norm(w) in _norm(note.concern) for w in value)
        elif key == "window":
            start = note.preferred_window.start[:10] if note.preferred_window else ""
            out[key] = start == value.isoformat() if isinstance(value, date) else False
        elif key == "order_number":
            out[key] = re.sub(r"\D", "", str(note.extra.get("order_number", getattr(note, "order_number", "")))) == value
        elif key == "reply":
            out[key] = any(_norm(value) in _norm(r) for r in replies[1:])
        else:
            out[key] = getattr(note, key) == value
    return out


@dataclass
class Scored:
    dialogue: Dialogue
    scores: dict[str, bool]

    @property
    def all_right(self) -> bool:
        return all(self.scores.values())


def score_all(dialogues: list[Dialogue]) -> list[Scored]:
    return [Scored(d, score(d.note, d.replies, d.facts.expected())) for d in dialogues]


def summary(scored: list[Scored]) -> dict[str, Any]:
    """The headline figures of a run."""
    right = sum(sum(s.scores.values()) for s in scored)
    total = sum(len(s.scores) for s in scored)
    turns = [s.dialogue.turns_to_complete for s in scored if s.dialogue.turns_to_complete is not None]
    return {
        "callers": len(scored),
        "fields_right": right,
        "fields": total,
        "field_accuracy": right / total if total else 0.0,
        "callers_all_right": sum(s.all_right for s in scored),
        "redundant_questions": sum(len(s.dialogue.redundant) for s in scored),
        "not_ended": sum(not s.dialogue.ended for s in scored),
        "looped": sum(s.dialogue.looped for s in scored),
        "turns_to_complete_median": statistics.median(turns) if turns else None,
        "complete_notes": len(turns),
    }


def table(scored: list[Scored]) -> str:
    """Markdown: per field, then the headline rows, per language."""
    fields: dict[str, list[int]] = {}
    for s in scored:
        for key, ok in s.scores.items():
            fields.setdefault(key, [0, 0])
            fields[key][0] += ok
            fields[key][1] += 1
    lines = ["| field | right | of | accuracy |", "|---|---|---|---|"]
    for key in sorted(fields):
        r, t = fields[key]
        lines.append(f"| {key} | {r} | {t} | {r / t:.0%} |")
    for lang in ("de", "en", None):
        part = [s for s in scored if lang is None or s.dialogue.facts.language == lang]
        if not part:
            continue
        m = summary(part)
        label = {"de": "German", "en": "English", None: "all"}[lang]
        lines.append(f"| **{label}: all fields** | {m['fields_right']} | {m['fields']} | {m['field_accuracy']:.1%} |")
        lines.append(f"| **{label}: callers with every field right** | {m['callers_all_right']} | {m['callers']} | "
                     f"{m['callers_all_right'] / m['callers']:.1%} |")
    m = summary(scored)
    lines += [
        "",
        f"redundant questions: {m['redundant_questions']}; calls that did not end: {m['not_ended']}; "
        f"calls with a question asked more than twice: {m['looped']}; turns to a complete note (median): "
        f"{m['turns_to_complete_median']} ({m['complete_notes']} of {m['callers']} notes complete)",
    ]
    return "\n".join(lines)


def misses(scored: list[Scored]) -> list[str]:
    """One line per caller with a wrong field, a redundant question or a call that did not end (for -v on the dev part)."""
    out = []
    for s in scored:
        d = s.dialogue
        wrong = [k for k, ok in s.scores.items() if not ok]
        if not wrong and not d.redundant and d.ended and not d.looped:
            continue
        got = {k: _got(d.note, k) for k in wrong}
        out.append(f"{d.facts.id}: wrong {got} want { {k: d.facts.expected()[k] for k in wrong} } redundant {d.redundant} "
                   f"ended {d.ended}")
    return out


def _got(note: CallNote, key: str) -> Any:
    if key == "window":
        return note.preferred_window.start[:10] if note.preferred_window else None
    if key == "order_number":
        return note.extra.get("order_number", getattr(note, "order_number", None))
    if key == "reply":
        return "-"
    return getattr(note, key, None)
