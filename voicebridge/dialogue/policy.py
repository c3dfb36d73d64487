"""The conversation policy: one call's dialogue, a slot-filling state machine that takes every caller's concern down completely.

Deterministic parsers fill the slots (slot_filling.py), the question flow picks the one next question (question_flow.py), the
note is built from the slots (note_builder.py); the small LLM only helps where the parsers come up empty.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from voicebridge.config import BusinessProfile
from voicebridge.dialogue.call_note import CallNote
from voicebridge.dialogue.escalation import emergency_words, transfer_target
from voicebridge.dialogue.note_builder import build_note
from voicebridge.dialogue.note_extractor import UtteranceHints
from voicebridge.dialogue.parsers import (
    DEFAULT_TIMEZONE,
    is_goodbye,
    is_no,
    is_yes,
    parse_name,
    parse_phone_number,
    parse_urgency,
    wants_person,
)
from voicebridge.dialogue.phrases import PHRASES, fixed_phrases
from voicebridge.dialogue.profile import ProfileAnswers, looks_like_question
from voicebridge.dialogue.question_flow import MAX_READBACKS, SLOT_OF, Flow, next_question
from voicebridge.dialogue.readback import settle_readback
from voicebridge.dialogue.receptionist import PHRASES as GREETING_PHRASES
from voicebridge.dialogue.receptionist import REFUSE_RECORDING, Reply, compose_greeting
from voicebridge.dialogue.slot_filling import NOT_A_NAME, WORD_RE, SlotFiller, Slots, phone_in

__all__ = ["PHRASES", "ConversationPolicy", "ModelRequest", "fixed_phrases"]

MAX_UNCLEAR = 3  # unclear or silent turns in a row before the call is wrapped up with what we have
MAX_TURNS = 30  # caller turns in one call: then the call is wrapped up, whatever is still open
_RIGHT_COMPANY_RE = re.compile(
    r"\b(bin ich (?:da|hier)? ?richtig|spreche ich mit|ist (?:das|dort|da) (?:die firma|der|die|das)?|am i through to|"
    r"is (?:this|that) (?:the )?|have i reached|am i speaking to|am i calling the right)\b",
    re.I,
)


# "Yes, 0170 2432833, that's it": after a read-back it confirms the number, it does not end the call.
_THATS_IT_RE = re.compile(r"\b(?:that'?s it|that is it|that'?s the one|genau die)\b", re.I)
_PARDON_RE = re.compile(r"\b(?:wie bitte|bitte|pardon|entschuldigung|sorry|what|excuse me)\s*\?", re.I)

MAX_TYPED_DIGITS = 24


@dataclass
class ModelRequest:
    """The policy wants the LLM's view of an utterance: `blocking` when the reply depends on it (a name it could not parse)."""

    text: str
    candidates: tuple[str, ...]
    blocking: bool


class ConversationPolicy:
    """One call's dialogue. `greeting()`, then `respond(text)` per caller turn and `dtmf(digit)` per key; `note()` at any time."""

    def __init__(
        self,
        business: str,
        language: str,
        *,
        welcome: str = "",
        recording: bool = False,
        refuse_digit: str = "9",
        profile: BusinessProfile | None = None,
        caller_number: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.language = language
        self.business = business
        self.recording = recording
        self.profile = profile or BusinessProfile()
        self._answers = ProfileAnswers(self.profile, language)
        self._p = PHRASES[language]
        self._greeting = compose_greeting(business, language, welcome, recording, refuse_digit)
        self._clock = clock or (lambda: datetime.now(DEFAULT_TIMEZONE))
        self._caller_number = caller_number or ""
        self._filler = SlotFiller(language, self.profile.emergency_keywords, self._clock)
        self.slots = Slots()
        self.flow = Flow()
        self._unclear = 0
        self._turns = 0
        self._digits = ""
        self._emergency_flagged = False
        self._emergency_reported = False
        self._offered_transfer = False
        self._emergency_reported_in_reply = False
        self.finished = False
        # Grows with every change of state, so a reply tried on a fork can tell whether it still applies.
        self.revision = 0

    def fork(self) -> ConversationPolicy:
        """An independent copy to try a reply on before the caller has surely finished; this policy stays as it was."""
        twin = copy.copy(self)
        twin.slots = copy.deepcopy(self.slots)
        twin.flow = self.flow.copy()
        return twin

    # -- the call's turns ----------------------------------------------------------------------------------------------------------
    def phrase(self, key: str) -> str:
        return self._p[key]

    def greeting(self) -> Reply:
        return Reply(self._greeting)

    @property
    def asking(self) -> str:
        """What the agent's last question asked for ("number", "confirm_number", "name", "address", "concern", …; "" if none).
        Read-only: end of turn (voicebridge/turn/turn_completion.py) waits less once that is given."""
        return self.flow.asking

    @property
    def typing_number(self) -> bool:
        """The caller has started typing a number: keys are digits now, not commands."""
        return bool(self._digits)

    def dtmf(self, digit: str) -> Reply | None:
        """A key: '0' first asks for a person; digits then '#' enter the call-back number. None while keys are still coming."""
        self.revision += 1
        if digit == "0" and not self._digits and self.flow.asking not in ("number", "contact", "confirm_number", "keypad"):
            return self._person_wanted()
        if digit == "#":
            digits, self._digits = self._digits, ""
            phone = parse_phone_number(digits, self.language) if len(digits) >= 5 else None
            if phone is None:
                return Reply(self._p["ask_number_again"])
            # Typed digits are what the caller means: no need to read them back after a read-back that did not settle.
            self.slots.number, self.slots.confirmed = phone, self.flow.asking == "keypad"
            if self.slots.confirmed:
                return self._next([])
            self.flow.readbacks_of_this_number = 0
            return self._readback()
        if digit.isdigit() and len(self._digits) < MAX_TYPED_DIGITS:  # longer than any phone number: the rest is ignored
            self._digits += digit
        return None

    def model_request(self, text: str) -> ModelRequest | None:
        """Whether this utterance needs the LLM: a name was asked for and not parsed (blocking), or a concern came with no
        urgency keyword (not blocking: the emergency check runs while the reply is spoken)."""
        if not text.strip():
            return None
        candidates = tuple(dict.fromkeys(m.group(0) for m in re.finditer(r"[A-ZÄÖÜ][\w-]+(?: [A-ZÄÖÜ][\w-]+){0,2}", text)
                                         if m.group(0).split()[0].lower() not in NOT_A_NAME))
        if self.flow.asking in ("name", "contact") and not self.slots.name and parse_name(text, self.language) is None and candidates:
            return ModelRequest(text, candidates, blocking=True)
        urgency = parse_urgency(text, self.language, self.profile.emergency_keywords).level
        if not self.slots.concern and self.slots.urgency == "unknown" and urgency == "unknown" and len(WORD_RE.findall(text)) >= 4:
            if not looks_like_question(text):
                return ModelRequest(text, (), blocking=False)
        return None

    def apply_hints(self, hints: UtteranceHints) -> None:
        """Late model output (the emergency check) for the last utterance; a name only fills an empty slot."""
        if hints.name and not self.slots.name:
            self.slots.name = hints.name
            self.revision += 1
        if hints.emergency and self.slots.urgency != "emergency" and not self.finished:
            self.slots.urgency, self.slots.urgency_reason = "emergency", "model"
            self._emergency_flagged = True
            self.revision += 1

    def take_emergency(self) -> bool:
        """True once when the call became an emergency: the session sends the note at once."""
        if self._emergency_flagged and not self._emergency_reported:
            self._emergency_reported = True
            self.revision += 1
            return True
        return False

    def respond(self, text: str, hints: UtteranceHints | None = None) -> Reply:
        self.revision += 1
        text = text.strip()
        if self.finished:
            return Reply(self._p["goodbye"], end_call=True)
        self._turns += 1
        if not WORD_RE.search(text) and not re.search(r"\d", text):
            return self._unclear_turn()
        if self.recording and REFUSE_RECORDING.search(text):
            self.recording = False
            return Reply(GREETING_PHRASES[self.language]["recording_stopped"], refuse_recording=True)
        self._unclear = 0
        lang, s = self.language, self.slots
        asking = self.flow.asking
        prefix: list[str] = []

        if asking == "transfer_offer":
            self.flow.asking = ""
            # "Ach so, ja, Krause, Heinz Krause" answers something else: only a plain yes puts the caller through.
            talks_on = self._filler.has_new_content(text) or self._filler.bare_name(text) is not None
            if is_yes(text, lang) and not is_no(text, lang) and not talks_on:
                return self._transfer(self._transfer_target())
            if self._filler.bare_name(text) is not None and not s.name:
                asking = "name"
        if wants_person(text, lang):
            reply = self._person_wanted()
            if reply.transfer_to:
                return reply
            prefix.append(reply.text)
        if asking == "caller_id":
            if is_yes(text, lang) and not is_no(text, lang):
                s.number_text, s.confirmed = self._caller_number, True
            self.flow.asking = ""
        if asking == "callback_offer":
            self.flow.asking = ""
            if is_no(text, lang) and not self._filler.gives_something(text, s):
                return self._finish(prefix)
            if not s.concern and (phone_in(text, lang) is not None or parse_name(text, lang) is not None):
                asking = "contact"  # "Ja, gern: Fuchs, Markus, 0157 …": the offer was taken with the contact details
        if asking in ("confirm_number", "keypad"):
            settled = settle_readback(text, s, self.flow, self._filler)
            if settled == "read_back":
                return self._readback(prefix)
            if settled != "go_on":
                return Reply(" ".join([*prefix, self._p["ask_keypad" if settled == "keypad" else "ask_number_again"]]))
        if is_goodbye(text, lang) and not self._filler.has_new_content(text) and not (asking in ("confirm_number", "keypad") and _THATS_IT_RE.search(text)):
            return self._finish(prefix)
        if asking == "anything_else" and is_no(text, lang) and not self._filler.has_new_content(text):
            return self._finish(prefix)

        is_question = False
        asks = looks_like_question(_PARDON_RE.sub("", text))  # "Wie bitte?" asks to hear it again, not for an answer
        if _RIGHT_COMPANY_RE.search(text) and asks and not s.concern:
            prefix.append(self._p["right_company"].format(business=self.business))
            is_question = True
        else:
            answer = self._answers.answer(text, self._clock())
            if answer is not None:
                s.questions.append(text)
                prefix.append(answer.text)
                is_question = True
            elif asks and not self._filler.has_new_content(text):
                s.questions.append(text)
                prefix.append(self._p["no_answer"])
                is_question = True
        before = _given(s)
        filled = self._filler.fill(s, text, asking, hints, is_question=is_question or asks)
        if asking in ("urgency", "window") and asking not in _given(s) and _given(s) - before:
            self.flow.sidetracked.add(asking)  # answered another question: this one may be asked once more
        self._emergency_flagged = self._emergency_flagged or filled.emergency
        if self._emergency_flagged and not self._emergency_reported_in_reply:
            prefix.append(self._emergency_words())
        if filled.number_started and not prefix:
            return Reply(self._p["go_on"])  # the number question stays open: the next turn brings the rest
        if filled.new_number:
            self.flow.readbacks_of_this_number = 0
            if self.flow.readbacks < MAX_READBACKS:
                return self._readback(prefix)
        if is_goodbye(_THATS_IT_RE.sub(" ", text) if asking in ("confirm_number", "keypad") else text, lang):
            return self._finish(prefix)
        if self._turns >= MAX_TURNS:
            return self._finish(prefix)
        return self._next(prefix)

    # -- what to say next ------------------------------------------------------------------------------------------------------
    def _next(self, prefix: list[str]) -> Reply:
        offer = self._emergency_flagged and not self._offered_transfer and bool(self._transfer_target())
        key = next_question(self.slots, self.flow, caller_id=bool(self._caller_number), transfer_offer=offer)
        if not key:
            return self._finish(prefix)
        if key == "readback":
            return self._readback(prefix)
        if key == "offer_transfer":
            self._offered_transfer = True
        self.flow.mark(SLOT_OF[key])
        return Reply(" ".join([*prefix, self._p[key]]))

    def _readback(self, prefix: list[str] | None = None) -> Reply:
        assert self.slots.number is not None
        self.flow.mark("confirm_number")
        self.flow.readbacks += 1
        self.flow.readbacks_of_this_number += 1
        digits = self.slots.number.spoken_back(self.language)
        return Reply(" ".join([*(prefix or []), self._p["readback"].format(digits=digits)]))

    def _emergency_words(self) -> str:
        self._emergency_reported_in_reply = True
        return emergency_words(self.profile, self._answers, self._clock(), self.language)

    def _transfer_target(self) -> str:
        return transfer_target(self.profile, self._answers, self._clock(), self.slots.urgency)

    def _transfer(self, target: str) -> Reply:
        self.slots.transferred_to = target
        self.finished = True
        return Reply(self._p["transferring"], transfer_to=target)

    def _person_wanted(self) -> Reply:
        target = self._transfer_target()
        if target:
            return self._transfer(target)
        self.slots.message = self.slots.message or not self.slots.concern
        return Reply(self._p["nobody_there"])

    def _unclear_turn(self) -> Reply:
        self._unclear += 1
        if self._unclear >= MAX_UNCLEAR or self._turns >= MAX_TURNS:
            self.finished = True
            return Reply(self._p["goodbye_unclear"], end_call=True)
        return Reply(self._p["not_understood"])

    def _finish(self, prefix: list[str]) -> Reply:
        self.finished = True
        key = "goodbye_emergency" if self.slots.urgency == "emergency" else "goodbye"
        return Reply(" ".join([*prefix, self._p[key]]), end_call=True)

    # -- the result ------------------------------------------------------------------------------------------------------------
    def note(self, call_id: str = "", *, tenant: str = "default", started_at: str = "", caller_number: str | None = None) -> CallNote:
        """The call note as it stands: complete after the goodbye, with `missing` naming what a caller who hung up did not give."""
        return build_note(self.slots, call_id=call_id, tenant=tenant, language=self.language, started_at=started_at,
                          caller_number=caller_number or self._caller_number or None)


def _given(s: Slots) -> set[str]:
    """The fields the slots hold, by the name of the question that asks for each."""
    held = {"name": bool(s.name), "number": s.number is not None or bool(s.number_text), "address": bool(s.address),
            "urgency": s.urgency != "unknown", "window": s.window is not None, "order": bool(s.order_number)}
    return {key for key, ok in held.items() if ok}
