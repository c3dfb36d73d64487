"""Runs a scripted caller through the real conversation policy, the way the call session does, and scores its note."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conversations.callers import Caller
from voicebridge.config import BusinessProfile, load_config
from voicebridge.dialogue.call_note import CallNote
from voicebridge.dialogue.note_extractor import UtteranceHints
from voicebridge.dialogue.policy import ConversationPolicy

BUSINESS = "Sanitär Huber"
Hints = Callable[[str, str, tuple[str, ...]], UtteranceHints]


def shipped_profile() -> BusinessProfile:
    return load_config(None).business.profile  # the example plumber in default_config.toml


@dataclass
class Outcome:
    caller: Caller
    note: CallNote
    replies: list[str]
    scores: dict[str, bool]
    model_calls: int


def run_caller(caller: Caller, hints: Hints | None, profile: BusinessProfile | None = None) -> Outcome:
    """Greeting, then each line as the session feeds it: LLM hints first when the policy asks to wait for them, late otherwise."""
    policy = ConversationPolicy(BUSINESS, caller.language, profile=profile or shipped_profile(), clock=lambda: caller.now)
    replies = [policy.greeting().text]
    model_calls = 0
    for line in caller.lines:
        if policy.finished:
            break
        if isinstance(line, tuple):
            for key in line[1]:
                reply = policy.dtmf(key)
                if reply is not None:
                    replies.append(reply.text)
            continue
        request = policy.model_request(line)
        early = None
        if request is not None and request.blocking and hints is not None:
            early = hints(request.text, caller.language, request.candidates)
            model_calls += 1
        replies.append(policy.respond(line, early).text)
        if request is not None and not request.blocking and hints is not None:
            policy.apply_hints(hints(request.text, caller.language, request.candidates))
            model_calls += 1
    note = policy.note(caller.id)
    return Outcome(caller, note, replies, score(note, replies, caller.expect), model_calls)


def _norm(value: object) -> str:
    return re.sub(r"\s+", " ", str(value)).strip().lower()


def score(note: CallNote, replies: list[str], expect: dict[str, Any]) -> dict[str, bool]:
    """One bool per expected field."""
    result: dict[str, bool] = {}
    for key, want in expect.items():
        if key == "concern":
            result[key] = all(word.lower() in note.concern.lower() for word in want)
        elif key == "address":
            result[key] = _norm(want) in _norm(note.address)
        elif key == "window":
            label = note.preferred_window.label if note.preferred_window else ""
            result[key] = _norm(want) in _norm(label)
        elif key == "missing":
            result[key] = set(want) <= set(note.missing) and (bool(want) or not note.missing)
        elif key == "reply":
            result[key] = any(_norm(want) in _norm(r) for r in replies)
        elif key == "company":
            result[key] = _norm(want) in _norm(note.company)
        else:
            result[key] = _norm(getattr(note, key)) == _norm(want)
    return result


def accuracy(outcomes: list[Outcome]) -> tuple[dict[str, tuple[int, int]], int, int]:
    """Per field (right, total), then all fields right, all fields."""
    fields: dict[str, tuple[int, int]] = {}
    for outcome in outcomes:
        for key, ok in outcome.scores.items():
            right, total = fields.get(key, (0, 0))
            fields[key] = (right + ok, total + 1)
    right = sum(r for r, _ in fields.values())
    total = sum(t for _, t in fields.values())
    return fields, right, total


def table(outcomes: list[Outcome]) -> str:
    fields, right, total = accuracy(outcomes)
    lines = ["| field | right | of | accuracy |", "|---|---|---|---|"]
    for key in sorted(fields):
        r, t = fields[key]
        lines.append(f"| {key} | {r} | {t} | {r / t:.0%} |")
    callers_ok = sum(all(o.scores.values()) for o in outcomes)
    lines.append(f"| **all fields** | {right} | {total} | {right / total:.0%} |")
    lines.append(f"| **callers with every field right** | {callers_ok} | {len(outcomes)} | {callers_ok / len(outcomes):.0%} |")
    return "\n".join(lines)
