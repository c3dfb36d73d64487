"""The conversation policy: a slot-filling state machine that takes every caller's concern down completely, even with no chat model.

Deterministic parsers fill the slots from each utterance; the small LLM only helps where they come up empty (a bare name, an
emergency without a keyword). It tracks what is missing, asks for it, reads the number back, and ends with a CallNote.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from voicebridge.config import BusinessProfile
from voicebridge.dialogue.call_note import AppointmentWindow, CallNote
from voicebridge.dialogue.note_extractor import UtteranceHints
from voicebridge.dialogue.parsers import (
    DEFAULT_TIMEZONE,
    PhoneNumber,
    TimeWindow,
    is_goodbye,
    is_no,
    is_yes,
    parse_address,
    parse_company,
    parse_correction,
    parse_name,
    parse_phone_number,
    parse_urgency,
    parse_when,
    wants_person,
)
from voicebridge.dialogue.profile import ProfileAnswers, looks_like_question
from voicebridge.dialogue.receptionist import PHRASES as GREETING_PHRASES
from voicebridge.dialogue.receptionist import REFUSE_RECORDING, Reply, compose_greeting

MAX_UNCLEAR = 3  # unclear or silent turns in a row before the call is wrapped up with what we have

PHRASES = {
    "de": {
        "ask_concern": "Worum geht es bei Ihnen?",
        "ask_contact": "Vielen Dank, das habe ich notiert. Wie ist Ihr Name, und unter welcher Nummer können wir Sie zurückrufen?",
        "ask_name": "Wie ist bitte Ihr Name?",
        "ask_number": "Unter welcher Nummer können wir Sie zurückrufen? Sie können die Nummer auch über die Tastatur eingeben, mit Raute am Ende.",
        "ask_number_again": "Bitte nennen Sie mir die Nummer noch einmal, Ziffer für Ziffer.",
        "ask_caller_id": "Können wir Sie unter der Nummer zurückrufen, von der Sie gerade anrufen?",
        "readback": "Ich wiederhole Ihre Nummer: {digits}. Ist das richtig?",
        "ask_address": "An welcher Adresse sollen wir vorbeikommen? Bitte mit Straße, Hausnummer und Ort.",
        "ask_urgency": "Wie dringend ist es: ein Notfall, möglichst bald, oder hat es Zeit?",
        "ask_window": "Wann passt es Ihnen am besten für einen Termin?",
        "ask_message": "Gern, was soll ich ausrichten?",
        "anything_else": "Kann ich sonst noch etwas für Sie notieren?",
        "ask_more": "Was kann ich sonst für Sie tun?",
        "goodbye": "Danke, wir melden uns so bald wie möglich bei Ihnen. Auf Wiederhören!",
        "goodbye_emergency": "Danke, Ihre Meldung ist als Notfall weitergegeben, wir melden uns umgehend. Auf Wiederhören!",
        "goodbye_unclear": "Ich kann Sie leider nicht verstehen. Wir rufen Sie zurück, sobald es geht. Auf Wiederhören!",
        "not_understood": "Entschuldigung, das habe ich nicht verstanden. Können Sie das bitte wiederholen?",
        "emergency": "Das klingt nach einem Notfall. Ich gebe das sofort an unseren Notdienst weiter.",
        "emergency_oncall": "Unseren Notdienst erreichen Sie auch direkt unter {digits}.",
        "offer_transfer": "Soll ich Sie gleich mit einem Mitarbeiter verbinden?",
        "transferring": "Einen Moment bitte, ich verbinde Sie.",
        "nobody_there": "Im Moment ist leider niemand erreichbar. Ich nehme Ihr Anliegen auf, und wir rufen Sie zurück.",
        "no_answer": "Das kann ich Ihnen leider nicht sicher sagen. Ich notiere Ihre Frage, und wir melden uns dazu.",
        "noted": "Alles klar.",
    },
    "en": {
        "ask_concern": "What can we do for you?",
        "ask_contact": "Thank you, I have noted that. What is your name, and which number can we call you back on?",
        "ask_name": "May I have your name, please?",
        "ask_number": "Which number can we call you back on? You can also type it on your keypad, followed by the hash key.",
        "ask_number_again": "Please tell me the number once more, digit by digit.",
        "ask_caller_id": "Can we call you back on the number you are calling from?",
        "readback": "Let me read your number back: {digits}. Is that correct?",
        "ask_address": "What is the address where we should come? Street, house number and town, please.",
        "ask_urgency": "How urgent is it: an emergency, soon, or is there no rush?",
        "ask_window": "When would suit you best for an appointment?",
        "ask_message": "Of course, what is the message?",
        "anything_else": "Is there anything else I can note for you?",
        "ask_more": "What else can I do for you?",
        "goodbye": "Thank you, we will get back to you as soon as possible. Goodbye!",
        "goodbye_emergency": "Thank you, your report has been passed on as an emergency, we will be in touch right away. Goodbye!",
        "goodbye_unclear": "I am sorry, I cannot understand you. We will call you back as soon as we can. Goodbye!",
        "not_understood": "Sorry, I did not catch that. Could you say it again, please?",
        "emergency": "That sounds like an emergency. I am passing it on to our emergency service right away.",
        "emergency_oncall": "You can also reach our emergency service directly on {digits}.",
        "offer_transfer": "Shall I put you through to a member of staff now?",
        "transferring": "One moment please, I am putting you through.",
        "nobody_there": "I am afraid nobody is available right now. I will take your message and we will call you back.",
        "no_answer": "I cannot tell you that for sure. I will note your question and we will get back to you.",
        "noted": "All right.",
    },
}

_MESSAGE_RE = re.compile(
    r"\b(nachricht|ausrichten|bescheid geben|sagen sie (?:ihm|ihr|bitte)|message|let \w+ know|tell (?:him|her|them))\b", re.I
)
_COMPLAINT_RE = re.compile(r"\b(beschwerde|reklamation|beschweren|unzufrieden|complain|complaint)\b", re.I)
_FILLER_RE = re.compile(
    r"^(?:(?:ja|jaa|hallo|hi|hello|hey|guten (?:tag|morgen|abend)|good (?:morning|afternoon|evening)|also|äh|ähm|ehm|hm|um|uh|ok|okay|"
    r"yes|yeah|so|well|grüß gott|servus|moin|bitte|danke|thanks|thank you|genau)\b[\s,.!-]*)+",
    re.I,
)
_NAME_CLAUSE_RE = re.compile(
    r"\b(mein name|ich heiße|ich heisse|hier ist|hier spricht|hier bei|am apparat|my name|this is|it's|speaking|i'm|i am)\b", re.I
)
_NUMBER_CLAUSE_RE = re.compile(r"\b(nummer|telefon|handy|erreichbar|erreichen|number|phone|mobile|reach me|call me)\b", re.I)
_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
# "dass Frau Berger angerufen hat": a titled surname names the caller, unless it is whom they want ("mit Herrn Huber", "for Mr Huber").
_TITLED_RE = re.compile(r"(?:(\w+)\s+)?\b((?:Frau|Herr|Mrs?|Ms)\.?\s+[A-ZÄÖÜ][\wäöüß-]+)")
_ADDRESSEE_WORDS = frozenset("mit für fuer an bei von vom zu with for to from ask tell".split())
_NOT_A_NAME = frozenset(
    "ja nein ok okay genau hallo danke bitte also äh ähm mein name ist ich heiße hier yes no my is it's the name i'm am this "
    "guten tag herr frau mr mrs ms die der das nummer telefonnummer moment wie was ach adresse straße".split()
)


@dataclass
class ModelRequest:
    """The policy wants the LLM's view of an utterance: `blocking` when the reply depends on it (a name it could not parse)."""

    text: str
    candidates: tuple[str, ...]
    blocking: bool


@dataclass
class _Slots:
    name: str = ""
    company: str = ""
    number: PhoneNumber | None = None
    number_text: str = ""  # normalised digits when the number came from caller ID rather than a PhoneNumber
    confirmed: bool = False
    address: str = ""
    concern: list[str] = field(default_factory=list)
    urgency: str = "unknown"
    urgency_reason: str = ""
    window: TimeWindow | None = None
    message: bool = False
    complaint: bool = False
    questions: list[str] = field(default_factory=list)
    transferred_to: str = ""


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
        self.slots = _Slots()
        self._asking = "concern"
        self._unclear = 0
        self._asked: dict[str, int] = {}
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
        twin._asked = dict(self._asked)
        return twin

    # -- the call's turns ----------------------------------------------------------------------------------------------------------
    def phrase(self, key: str) -> str:
        return self._p[key]

    def greeting(self) -> Reply:
        return Reply(self._greeting)

    @property
    def typing_number(self) -> bool:
        """The caller has started typing a number: keys are digits now, not commands."""
        return bool(self._digits)

    def dtmf(self, digit: str) -> Reply | None:
        """A key: '0' first asks for a person; digits then '#' enter the call-back number. None while keys are still coming."""
        self.revision += 1
        if digit == "0" and not self._digits and self._asking not in ("number", "contact", "confirm_number"):
            return self._person_wanted()
        if digit == "#":
            digits, self._digits = self._digits, ""
            phone = parse_phone_number(digits, self.language) if len(digits) >= 5 else None
            if phone is None:
                return Reply(self._p["ask_number_again"])
            self.slots.number, self.slots.confirmed = phone, False
            return self._readback()
        if digit.isdigit():
            self._digits += digit
        return None

    def model_request(self, text: str) -> ModelRequest | None:
        """Whether this utterance needs the LLM: a name was asked for and not parsed (blocking), or a concern came with no
        urgency keyword (not blocking: the emergency check runs while the reply is spoken)."""
        if not text.strip():
            return None
        candidates = tuple(dict.fromkeys(m.group(0) for m in re.finditer(r"[A-ZÄÖÜ][\w-]+(?: [A-ZÄÖÜ][\w-]+){0,2}", text)
                                         if m.group(0).split()[0].lower() not in _NOT_A_NAME))
        if self._asking in ("name", "contact") and not self.slots.name and parse_name(text, self.language) is None and candidates:
            return ModelRequest(text, candidates, blocking=True)
        urgency = parse_urgency(text, self.language, self.profile.emergency_keywords).level
        if not self.slots.concern and self.slots.urgency == "unknown" and urgency == "unknown" and len(_WORD_RE.findall(text)) >= 4:
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
        if not _WORD_RE.search(text) and not re.search(r"\d", text):
            return self._unclear_turn()
        if self.recording and REFUSE_RECORDING.search(text):
            self.recording = False
            return Reply(GREETING_PHRASES[self.language]["recording_stopped"], refuse_recording=True)
        self._unclear = 0
        lang = self.language
        asking = self._asking
        prefix: list[str] = []

        if asking == "transfer_offer":
            self._asking = ""
            if is_yes(text, lang) and not is_no(text, lang):
                return self._transfer(self._transfer_target())
        if wants_person(text, lang):
            reply = self._person_wanted()
            if reply.transfer_to:
                return reply
            prefix.append(reply.text)
        if asking == "caller_id":
            if is_yes(text, lang) and not is_no(text, lang):
                self.slots.number_text, self.slots.confirmed = self._caller_number, True
            self._asking = ""
        if asking == "confirm_number":
            phone = parse_phone_number(text, lang)
            if phone is not None and (self.slots.number is None or phone.number != self.slots.number.number):
                self.slots.number, self.slots.confirmed = phone, False
                return self._readback(prefix)
            if is_yes(text, lang) and not is_no(text, lang):
                self.slots.confirmed = True
                self._asking = ""
            elif is_no(text, lang) or parse_correction(text, lang):
                self.slots.number = None
                self._asking = "number"
                return Reply(" ".join([*prefix, self._p["ask_number_again"]]))
        if is_goodbye(text, lang) and not self._has_new_content(text):
            return self._finish(prefix)
        if asking == "anything_else" and is_no(text, lang) and not self._has_new_content(text):
            return self._finish(prefix)

        answer = self._answers.answer(text, self._clock())
        if answer is not None:
            self.slots.questions.append(text)
            prefix.append(answer.text)
        elif looks_like_question(text) and not self._has_new_content(text):
            self.slots.questions.append(text)
            prefix.append(self._p["no_answer"])

        before_number = self.slots.number
        self._fill(text, asking, hints, is_question=answer is not None or looks_like_question(text))
        if self._emergency_flagged and not self._emergency_reported_in_reply:
            prefix.append(self._emergency_words())
        if self.slots.number is not None and self.slots.number is not before_number and not self.slots.confirmed:
            return self._readback(prefix)
        if is_goodbye(text, lang):
            return self._finish(prefix)
        return self._next(prefix)

    # -- filling slots ---------------------------------------------------------------------------------------------------------
    def _has_new_content(self, text: str) -> bool:
        lang = self.language
        return any(
            (parse_phone_number(text, lang) is not None, parse_address(text, lang) is not None, parse_name(text, lang) is not None,
             parse_urgency(text, lang, self.profile.emergency_keywords).level == "emergency")
        )

    def _fill(self, text: str, asking: str, hints: UtteranceHints | None, is_question: bool) -> None:
        lang, s = self.language, self.slots
        correction = parse_correction(text, lang)
        name = parse_name(text, lang)
        if name is None and asking in ("name", "contact"):
            name = self._bare_name(text)
        if name is None and hints is not None and hints.name:
            name = hints.name
        if name is None and not s.name:
            titled = next((m for m in _TITLED_RE.finditer(text) if (m.group(1) or "").lower() not in _ADDRESSEE_WORDS), None)
            name = titled.group(2) if titled else None
        if name and (not s.name or correction or asking == "name"):
            s.name = name
        company = parse_company(text, lang)
        if company and (not s.company or correction):
            s.company = company
        phone = parse_phone_number(text, lang)
        if phone is not None and (s.number is None or correction or asking in ("number", "contact")):
            if s.number is None or phone.number != s.number.number:
                s.number, s.confirmed = phone, False
        address = parse_address(text, lang)
        if address is not None and (address.street or address.city) and (not s.address or correction or asking == "address"):
            german = bool(address.street and re.search(r"(stra(ss|ß)e|str\.|weg|platz|gasse|allee|ring|damm|ufer)$", address.street, re.I))
            s.address = address.one_line("de" if german else lang)
        elif asking == "address" and not s.address and not is_question and len(_WORD_RE.findall(text)) >= 2:
            s.address = _FILLER_RE.sub("", text).strip(" .")
        urgency = parse_urgency(text, lang, self.profile.emergency_keywords)
        rank = {"unknown": 0, "no_rush": 1, "soon": 2, "emergency": 3}
        if urgency.level != "unknown" and (rank[urgency.level] > rank[s.urgency] or correction or asking == "urgency"):
            if urgency.level == "emergency" and s.urgency != "emergency":
                self._emergency_flagged = True
            s.urgency, s.urgency_reason = urgency.level, urgency.reason
        if hints is not None and hints.emergency and s.urgency == "unknown":
            s.urgency, s.urgency_reason = "emergency", "model"
            self._emergency_flagged = True
        window = parse_when(text, lang, self._clock())
        if window is not None and (s.window is None or correction or asking == "window" or (s.window.asap and not window.asap)):
            s.window = window
            if window.asap and s.urgency in ("unknown", "no_rush"):
                s.urgency, s.urgency_reason = "soon", window.label
        if _MESSAGE_RE.search(text) and not s.concern:
            s.message = True
        if _COMPLAINT_RE.search(text):
            s.complaint = True
        if asking in ("concern", "message", "anything_else", "") and not is_question or (not s.concern and not is_question):
            concern = self._concern_words(text, asking)
            if concern and concern not in s.concern:
                s.concern.append(concern)
        elif asking == "urgency" and not s.concern and urgency.level == "unknown":
            pass

    def _bare_name(self, text: str) -> str | None:
        """The answer to "Wie ist Ihr Name?" can be just the name: "Müller." / "Schmidt, Anna"."""
        if parse_phone_number(text, self.language) is not None and "," not in text:
            return None
        for clause in reversed(re.split(r"[,.?!;]", text)):
            part = _FILLER_RE.sub("", clause).strip(" .")
            words = _WORD_RE.findall(part)
            if 1 <= len(words) <= 3 and all(w[0].isupper() and w.lower() not in _NOT_A_NAME for w in words) and len(words) == len(part.split()):
                return " ".join(words)
        return None

    def _concern_words(self, text: str, asking: str) -> str:
        """The caller's own words about the problem: the clauses left once greetings, the name, the number and the address are out."""
        lang = self.language
        clauses = [c.strip() for c in re.split(r"(?<=[.!?;])\s+|,\s+", text) if c.strip()]
        keep: list[str] = []
        for clause in clauses:
            bare = _FILLER_RE.sub("", clause).strip(" .,!?")
            if len(_WORD_RE.findall(bare)) < 2 and asking not in ("concern", "message"):
                continue
            if not bare or (_NAME_CLAUSE_RE.search(bare) and parse_name(bare, lang) is not None and len(bare.split()) <= 8):
                continue
            if self.slots.name and self.slots.name in bare and len(bare.split()) <= len(self.slots.name.split()) + 3:
                continue
            if parse_phone_number(bare, lang) is not None and (_NUMBER_CLAUSE_RE.search(bare) or len(_WORD_RE.findall(bare)) <= 4):
                continue
            address = parse_address(bare, lang)
            if address is not None and address.street and len(bare.split()) <= 7:
                continue
            if is_goodbye(bare, lang) or wants_person(bare, lang) and len(bare.split()) <= 8:
                continue
            if len(_WORD_RE.findall(bare)) < 2:
                continue
            keep.append(bare)
        return ", ".join(keep)

    # -- what to say next ------------------------------------------------------------------------------------------------------
    def _intent(self) -> str:
        s = self.slots
        if s.urgency == "emergency":
            return "emergency"
        if s.complaint:
            return "complaint"
        if s.message:
            return "message"
        if s.concern:
            return "appointment"
        if s.questions:
            return "question"
        return "other"

    def _on_site(self) -> bool:
        return self._intent() in ("appointment", "emergency")

    def _missing(self) -> list[str]:
        s = self.slots
        missing = []
        if not s.concern and not s.questions:
            missing.append("concern")
        if not s.name:
            missing.append("name")
        if s.number is None and not s.number_text:
            missing.append("callback_number")
        if self._on_site() and not s.address:
            missing.append("address")
        if self._intent() == "appointment" and s.urgency == "unknown":
            missing.append("urgency")
        if self._intent() == "appointment" and s.window is None:
            missing.append("preferred_window")
        return missing

    def _ask(self, key: str, slot: str, prefix: list[str]) -> Reply:
        self._asked[slot] = self._asked.get(slot, 0) + 1
        self._asking = slot
        return Reply(" ".join([*prefix, self._p[key]]))

    def _next(self, prefix: list[str]) -> Reply:
        s = self.slots
        missing = self._missing()
        # A question answered first: then ask what else we can do, once.
        if not s.concern and s.questions and self._asked.get("concern", 0) < 1:
            return self._ask("ask_more", "concern", prefix)  # a question came first: is there a job too?
        if "concern" in missing and self._asked.get("concern", 0) < 2:
            return self._ask("ask_message" if s.message else "ask_concern", "concern", prefix)
        if s.message and not s.concern and self._asked.get("message", 0) < 1:
            return self._ask("ask_message", "message", prefix)
        if self._emergency_flagged and not self._offered_transfer and self._transfer_target():
            self._offered_transfer = True
            self._asking = "transfer_offer"
            return Reply(" ".join([*prefix, self._p["offer_transfer"]]))
        if "name" in missing and "callback_number" in missing and self._asked.get("contact", 0) < 1 and not self._caller_number:
            return self._ask("ask_contact", "contact", prefix)
        if "name" in missing and self._asked.get("name", 0) < 2:
            return self._ask("ask_name", "name", prefix)
        if "callback_number" in missing:
            if self._caller_number and self._asked.get("caller_id", 0) < 1:
                return self._ask("ask_caller_id", "caller_id", prefix)
            if self._asked.get("number", 0) < 2:
                return self._ask("ask_number", "number", prefix)
        if s.number is not None and not s.confirmed and self._asked.get("confirm_number", 0) < 3:
            return self._readback(prefix)
        if "address" in missing and self._asked.get("address", 0) < 2:
            return self._ask("ask_address", "address", prefix)
        if "urgency" in missing and self._asked.get("urgency", 0) < 1:
            return self._ask("ask_urgency", "urgency", prefix)
        if "preferred_window" in missing and self._asked.get("window", 0) < 1:
            return self._ask("ask_window", "window", prefix)
        if self._asked.get("anything_else", 0) < (2 if self._asking == "anything_else" else 1):
            return self._ask("anything_else", "anything_else", prefix)
        return self._finish(prefix)

    def _readback(self, prefix: list[str] | None = None) -> Reply:
        assert self.slots.number is not None
        self._asked["confirm_number"] = self._asked.get("confirm_number", 0) + 1
        self._asking = "confirm_number"
        digits = self.slots.number.spoken_back(self.language, group_separator=" – ")
        return Reply(" ".join([*(prefix or []), self._p["readback"].format(digits=digits)]))

    def _emergency_words(self) -> str:
        self._emergency_reported_in_reply = True
        words = self._p["emergency"]
        now = self._clock()
        oncall = self.profile.oncall_number
        if oncall and not self._answers.is_open(now):
            phone = parse_phone_number(oncall, "de")
            if phone is not None:
                words += " " + self._p["emergency_oncall"].format(digits=phone.spoken_back(self.language))
        return words

    def _transfer_target(self) -> str:
        if self._answers.is_open(self._clock()):
            return self.profile.office_target
        return self.profile.oncall_target if self.slots.urgency == "emergency" else ""

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
        if self._unclear >= MAX_UNCLEAR:
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
        s = self.slots
        window = None
        if s.window is not None:
            w = s.window
            window = AppointmentWindow(w.label, w.start.isoformat(), w.end.isoformat(), w.asap)
        number = s.number.number if s.number is not None else s.number_text
        concern = "; ".join(s.concern)
        if not concern and s.questions:
            concern = " / ".join(s.questions)
        intent = self._intent()
        summary_parts = [p for p in (s.name, s.company, concern) if p]
        return CallNote(
            call_id=call_id,
            tenant=tenant,
            language=self.language,
            started_at=started_at,
            caller_number=caller_number or self._caller_number or None,
            name=s.name,
            company=s.company,
            callback_number=number,
            callback_confirmed=bool(number) and s.confirmed,
            address=s.address,
            concern=concern,
            urgency=s.urgency,
            urgency_reason=s.urgency_reason,
            preferred_window=window,
            intent=intent,
            summary=" – ".join(summary_parts),
            missing=tuple(self._missing()),
            transferred_to=s.transferred_to,
            transcript_ref=f"voicebridge calls show {call_id}" if call_id else "",
            extra={"questions": list(s.questions)} if s.questions else {},
        )


# Replies that are often a whole turn on their own; the cache matches whole replies, so phrases only ever said after
# another sentence would cost start-up time for nothing.
_SAID_ALONE = ("ask_concern", "ask_contact", "ask_name", "ask_number", "ask_address", "ask_urgency", "ask_window", "anything_else",
               "goodbye", "not_understood", "transferring", "ask_number_again")


def fixed_phrases(language: str) -> list[str]:
    """Replies said word for word as a whole turn (no caller data in them), for synthesis at start-up."""
    return [PHRASES[language][key] for key in _SAID_ALONE]
