"""Drives the real conversation policy with a generated caller: a fixed script, or a simulated caller that answers what was asked.

The simulated caller hears only the agent's words: it finds what was asked by plain keywords, answers from its own facts,
and checks a read-back by comparing the digits it heard with its own number, the way a person on the phone does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.conversations.generator import BUSINESS, Facts
from tests.conversations.parts import DIGITS
from voicebridge.config import BusinessProfile, load_config
from voicebridge.dialogue.call_note import CallNote
from voicebridge.dialogue.note_extractor import UtteranceHints
from voicebridge.dialogue.policy import ConversationPolicy

Hints = Callable[[str, str, tuple[str, ...]], UtteranceHints]
MAX_TURNS = 25  # caller turns after which a call that has not ended counts as one that never ends
REPEAT_CAP = 2  # the same question asked more than this many times is a loop
FIELD_QUESTIONS = ("name", "number", "address", "urgency", "window", "concern", "order")

# What a question asks for, found by the words a caller would notice (both languages). Order matters: first match wins.
_ASKS = (
    ("readback", re.compile(r"wiederhole ihre nummer|read your number back|ist das richtig\?|is that (?:correct|right)\?", re.I)),
    ("keypad", re.compile(r"tippen sie|über die tastatur ein|type it|type the number|key it in", re.I)),
    ("transfer_offer", re.compile(r"(?:verbinden|put you through|connect you)\b[^.]*\?", re.I)),
    ("callback_offer", re.compile(r"\b(?:für einen rückruf|rückruf notieren|for a call-back|call you back about)\b[^.]*\?", re.I)),
    ("contact", re.compile(r"(?:name\b.*nummer|name\b.*number)", re.I)),
    ("order", re.compile(r"auftragsnummer|rechnungsnummer|order number|invoice number|reference number", re.I)),
    ("number", re.compile(r"\bnummer\b|\bnumber\b|zurückrufen\?", re.I)),
    ("name", re.compile(r"\bname\b", re.I)),
    ("address", re.compile(r"adresse|address|wo (?:genau|soll)", re.I)),
    ("urgency", re.compile(r"dringend|urgent", re.I)),
    ("window", re.compile(r"wann passt|when would suit|termin\b[^.]*\?|appointment[^.]*\?", re.I)),
    ("message", re.compile(r"was soll ich ausrichten|what is the message", re.I)),
    ("concern", re.compile(r"worum geht|was kann ich|what can (?:we|i) do|how can i help|wie kann ich ihnen helfen|anliegen", re.I)),
    ("anything_else", re.compile(r"sonst noch|anything else", re.I)),
    ("repeat", re.compile(r"nicht verstanden|did not catch|wiederholen|say it again|noch einmal|once more", re.I)),
)
_QUESTION_RE = re.compile(r"[^.!?]*\?")
_SPOKEN_DIGITS = {word: str(i) for lang in DIGITS for i, word in enumerate(DIGITS[lang])} | {"zwo": "2", "oh": "0"}


def asked(reply: str) -> str:
    """What the agent's reply asks for: the last question in it (or its last sentence when it asks without a question mark)."""
    questions = _QUESTION_RE.findall(reply) or [reply.rsplit(".", 2)[-2] if reply.count(".") >= 2 else reply]
    last = questions[-1]
    for kind, pattern in _ASKS:
        if kind == "readback" and pattern.search(reply):
            return kind
        if pattern.search(last):
            return kind
    return "other"


def heard_digits(reply: str) -> str:
    """The digits of a read-back as a caller hears them: "null, eins, sieben – zwo, …" → "0172…"."""
    out = []
    for word in re.findall(r"plus|\d|[^\W\d_]+", reply.lower()):
        if word == "plus":
            out.append("+")
        elif word.isdigit():
            out.append(word)
        elif word in _SPOKEN_DIGITS:
            out.append(_SPOKEN_DIGITS[word])
    return "".join(out)


def same_number(a: str, b: str) -> bool:
    def national(n: str) -> str:
        return "0" + n[3:] if n.startswith("+49") else n
    return national(a) == national(b)


@dataclass
class Dialogue:
    facts: Facts
    mode: str
    replies: list[str]
    lines: list[str]
    note: CallNote
    asked: list[str]
    redundant: list[str]  # questions for something the caller had already said
    ended: bool
    turns_to_complete: int | None  # caller turns until the note had nothing missing
    model_calls: int = 0
    repeats: dict[str, int] = field(default_factory=dict)

    @property
    def looped(self) -> bool:
        return any(n > REPEAT_CAP for n in self.repeats.values())

    @property
    def transcript(self) -> list[tuple[str, str]]:
        """(speaker, text) in order, the way the call store keeps it."""
        out = [("agent", self.replies[0])]
        for line, reply in zip(self.lines, self.replies[1:], strict=True):
            out += [("caller", line), ("agent", reply)]
        return out


class SimulatedCaller:
    """Answers the question the agent asked, from its facts; remembers what it has said so a repeated question shows."""

    def __init__(self, facts: Facts) -> None:
        self.f = facts
        self.told: set[str] = set()
        self.readbacks = 0
        self.unclear_done = False
        self.last = ""
        self.offer_taken = False
        self.sidetracked = False

    def first(self) -> str:
        self.told |= self.f.said_in_opening()
        self.last = self.f.opening()
        return self.last

    def _next_fact(self, skip: str = "") -> tuple[str, set[str]] | None:
        """What this caller still has to say, in the order a caller thinks of it (but not `skip`)."""
        f = self.f
        facts = (
            ("concern" not in self.told and f.scenario != "question_only", lambda: (f.concern_sentence(), {"concern"})),
            ("name" not in self.told, lambda: (f.name_answer(), {"name", "company"})),
            ("number" not in self.told, lambda: (f.number_answer(), {"number"})),
            (f.scenario == "follow_up" and "order" not in self.told, lambda: (f.order_answer(), {"order"})),
            (f.on_site and "address" not in self.told, lambda: (f.address_answer(), {"address"})),
            (bool(f.urgency_phrase) and "urgency" not in self.told, lambda: (f.urgency_answer(), {"urgency"})),
            (bool(f.window_phrase) and "window" not in self.told, lambda: (f.window_answer(), {"window"})),
        )
        for due, say in facts:
            if due:
                text, kinds = say()
                if skip not in kinds:
                    return text, kinds
        return None

    def answer(self, reply: str, kind: str) -> str | tuple[str, str]:
        """The caller's next turn: words, or ("dtmf", keys)."""
        f, de = self.f, self.f.language == "de"
        text: str
        said: set[str] = set()
        if kind in ("name", "number", "address", "urgency", "window") and f.extra.get("sidetrack") and not self.sidetracked:
            self.sidetracked = True  # a dev caller who once answers another question than the one asked
            if (other := self._next_fact(skip=kind)) is not None and other[1] & {"concern"} == set():
                text, said = other
                self.told |= said
                self.last = text
                return text
        if kind == "readback":
            self.readbacks += 1
            if not same_number(heard_digits(reply), f.number):
                text, said = (f"Nein, die Nummer ist {f.number_words(careful=True)}." if de
                              else f"No, the number is {f.number_words(careful=True)}."), {"number"}
            elif f.readback_style == "unclear" and not self.unclear_done:
                self.unclear_done = True
                text = "Äh, Moment." if de else "Uh, hang on."
            elif f.readback_style == "move_on" and (nxt := self._next_fact()) is not None:
                text, said = nxt  # goes on without saying yes: the read-back was right
            else:
                text = f.readback_answer()
        elif kind == "keypad":
            national = "0" + f.number[3:] if f.number.startswith("+49") else f.number
            self.told.add("number")
            return ("dtmf", national + "#")
        elif kind == "transfer_offer":
            text = "Nein, nehmen Sie es bitte einfach auf." if de else "No, please just take it down."
        elif kind == "callback_offer":
            self.offer_taken = True
            if f.scenario == "question_only":
                text, said = ("Ja, gern. " if de else "Yes, please. ") + f.contact_answer(), {"name", "number", "company"}
            elif "concern" not in self.told:
                text, said = ("Ja, gern. Und zwar: " if de else "Yes, please. It's this: ") + f.concern.text + ".", {"concern"}
            else:
                text = "Ja, gern." if de else "Yes, please."
        elif kind == "contact":
            text, said = f.contact_answer(), {"name", "number", "company"}
            if f.extra.get("contact") == "with_address" and f.on_site:
                said.add("address")
        elif kind == "name":
            text, said = f.name_answer(), {"name", "company"}
        elif kind == "number":
            text, said = f.number_answer(careful="number" in self.told), {"number"}
        elif kind == "order":
            text, said = (f.order_answer(), {"order"}) if f.order_number else ("Die habe ich nicht." if de else "I don't have one."), set()
        elif kind == "address":
            text, said = ((f.address_answer(), {"address"}) if f.on_site else
                          ("Es muss niemand vorbeikommen." if de else "Nobody needs to come out.", set()))
        elif kind == "urgency":
            text, said = ((f.urgency_answer(), {"urgency"}) if f.urgency_phrase else ("Ganz normal." if de else "Normal.", set()))
        elif kind == "window":
            text, said = ((f.window_answer(), {"window"}) if f.window_phrase else
                          ("Das ist egal." if de else "Any time is fine.", set()))
        elif kind in ("concern", "message"):
            if f.scenario == "question_only":
                text = ("Nur die Frage. Rufen Sie mich gern zurück: " if de else "Just the question. Please call me back: ") + f.contact_answer()
                said = {"name", "number", "company"}
            elif "concern" in self.told and (nxt := self._next_fact()) is not None:
                text, said = nxt
            else:
                text, said = f.concern_sentence(), {"concern"}
        elif kind == "repeat":
            text = self.last
        elif (nxt := self._next_fact()) is not None and kind == "other":
            text, said = nxt
        else:
            text = "Nein, das war alles, danke, tschüss." if de else "No, that's all, thanks, bye."
        self.told |= said
        self.last = text
        return text


def _policy(facts: Facts, profile: BusinessProfile | None) -> ConversationPolicy:
    return ConversationPolicy(BUSINESS, facts.language, profile=profile or load_config(None).business.profile, clock=lambda: facts.now)


def _turn(policy: ConversationPolicy, line: str | tuple[str, str], hints: Hints | None, language: str) -> tuple[str, int]:
    """One caller turn the way the call session runs it: blocking LLM hints first, late ones after the reply."""
    if isinstance(line, tuple):
        texts = [r.text for key in line[1] if (r := policy.dtmf(key)) is not None]
        return (texts[-1] if texts else ""), 0
    calls = 0
    request = policy.model_request(line)
    early = None
    if request is not None and request.blocking and hints is not None:
        early = hints(request.text, language, request.candidates)
        calls += 1
    reply = policy.respond(line, early).text
    if request is not None and not request.blocking and hints is not None:
        policy.apply_hints(hints(request.text, language, request.candidates))
        calls += 1
    return reply, calls


def _count(asked_kinds: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in asked_kinds:
        if kind in (*FIELD_QUESTIONS, "readback", "contact", "anything_else", "callback_offer", "transfer_offer", "keypad", "message"):
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def _redundant(kind: str, told: set[str]) -> bool:
    if kind == "contact":
        return bool({"name", "number"} & told)
    return kind in FIELD_QUESTIONS and kind in told


def run_script(facts: Facts, hints: Hints | None = None, profile: BusinessProfile | None = None) -> Dialogue:
    """The fixed script, line after line, whatever the agent asks."""
    policy = _policy(facts, profile)
    replies, lines, asked_kinds, redundant = [policy.greeting().text], [], [], []
    told: set[str] = set()
    complete, calls = None, 0
    for i, (line, kinds) in enumerate(facts.script()):
        if policy.finished:
            break
        told |= kinds
        reply, n = _turn(policy, line, hints, facts.language)
        calls += n
        lines.append(line)
        replies.append(reply)
        kind = asked(reply)
        asked_kinds.append(kind)
        if _redundant(kind, told) and not policy.finished:
            redundant.append(kind)
        if complete is None and not policy.note().missing:
            complete = i + 1
    ended = policy.finished
    return Dialogue(facts, "script", replies, lines, policy.note(facts.id), asked_kinds, redundant, ended, complete, calls,
                    _count(asked_kinds))


def run_simulated(facts: Facts, hints: Hints | None = None, profile: BusinessProfile | None = None) -> Dialogue:
    """A conversation: the simulated caller answers each question the agent asks, until the agent says goodbye."""
    policy = _policy(facts, profile)
    caller = SimulatedCaller(facts)
    replies, lines, asked_kinds, redundant = [policy.greeting().text], [], [], []
    complete, calls = None, 0
    line: str | tuple[str, str] = caller.first()
    for turn in range(MAX_TURNS):
        reply, n = _turn(policy, line, hints, facts.language)
        calls += n
        lines.append(line if isinstance(line, str) else f"[keys {line[1]}]")
        replies.append(reply)
        if complete is None and not policy.note().missing:
            complete = turn + 1
        if policy.finished:
            break
        kind = asked(reply)
        asked_kinds.append(kind)
        if _redundant(kind, caller.told):
            redundant.append(kind)
        line = caller.answer(reply, kind)
    return Dialogue(facts, "sim", replies, lines, policy.note(facts.id), asked_kinds, redundant, policy.finished, complete, calls,
                    _count(asked_kinds))
