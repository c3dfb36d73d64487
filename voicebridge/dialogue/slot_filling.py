"""Slot filling: what one caller utterance gives the call note (name, company, number, address, concern, urgency, window, …).

Everything a sentence holds is taken, in any order; a filled slot is only overwritten by a correction or an answer to its question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from voicebridge.dialogue.note_extractor import UtteranceHints
from voicebridge.dialogue.parsers import (
    Address,
    PhoneNumber,
    TimeWindow,
    asks_to_pass_on,
    find_phone_numbers,
    is_complaint,
    is_follow_up,
    is_goodbye,
    is_quote_request,
    names_quote,
    number_start,
    parse_address,
    parse_company,
    parse_correction,
    parse_name,
    parse_phone_number,
    parse_reference,
    parse_urgency,
    parse_when,
    wants_person,
)
from voicebridge.dialogue.parsers.text import lang_code

_FILLER_RE = re.compile(
    r"^(?:(?:ja|jaa|hallo|hi|hello|hey|guten (?:tag|morgen|abend)|schönen guten (?:tag|morgen|abend)|good (?:morning|afternoon|evening)|"
    r"also|äh|ähm|ehm|hm|um|uh|ok|okay|yes|yeah|so|well|grüß gott|servus|moin|bitte|danke|thanks|thank you|genau|gut|gern|gerne|"
    r"richtig|stimmt|prima|super|und dann noch|und zwar|also)\b[\s,.!:-]*)+",
    re.I,
)
_NAME_CLAUSE_RE = re.compile(
    r"\b(mein name|ich heiße|ich heisse|hier ist|hier spricht|hier bei|am apparat|my name|this is|it's|speaking|i'm|i am)\b", re.I
)
_NUMBER_CLAUSE_RE = re.compile(r"\b(nummer|telefon|handy|erreichbar|erreichen|number|phone|mobile|reach me|call me)\b", re.I)
_NUMBER_LEAD_RE = re.compile(r"^(?:und )?(?:meine (?:telefon|handy)?nummer|my (?:phone |mobile )?number|sie erreichen mich|you can reach me)\b",
                             re.I)
WORD_RE = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
# "dass Frau Berger angerufen hat": a titled surname names the caller, unless it is whom they want ("mit Herrn Huber", "for Mr Huber")
# or someone else they speak of (a tenant, a neighbour).
_TITLED_RE = re.compile(r"(?:(\w+)\s+)?\b((?:Frau|Herr|Mrs?|Ms)\.?\s+[A-ZÄÖÜ][\wäöüß-]+)")
_ADDRESSEE_WORDS = frozenset(
    "mit für fuer an bei von vom zu with for to from ask tell mieterin mieter mieters tenant nachbarin nachbar neighbour bitte "
    "please ausrichten".split()
)
NOT_A_NAME = frozenset(
    "ja nein ok okay genau hallo danke bitte also äh ähm mein name ist ich heiße hier yes no my is it's the name i'm am this "
    "guten tag herr frau mr mrs ms die der das nummer telefonnummer moment wie was ach adresse straße entschuldigung sorry wait "
    "hang on gern gerne richtig stimmt i dr doktor prof".split()
)
_NAME_FIRST_RE = re.compile(r"\b([A-ZÄÖÜ][\wäöüß'-]+(?: [A-ZÄÖÜ][\wäöüß'-]+)?),? (?:ist )?(?i:mein name)\b")
_RANK = {"unknown": 0, "no_rush": 1, "soon": 2, "emergency": 3}
_STREET_START_RE = re.compile(r"(?:am|im|an der|auf der|auf dem|zum|zur|in der|unter den)\s", re.I)
_STREET_END_RE = re.compile(r"(stra(ss|ß)e|str\.|weg|platz|gasse|allee|ring|damm|ufer)$", re.I)


@dataclass
class Slots:
    name: str = ""
    company: str = ""
    number: PhoneNumber | None = None
    number_text: str = ""  # normalised digits when the number came from caller ID rather than a PhoneNumber
    number_start: str = ""  # an area code said alone ("0171."), waiting for the rest of the number in the next turn
    confirmed: bool = False
    address: str = ""
    concern: list[str] = field(default_factory=list)
    urgency: str = "unknown"
    urgency_reason: str = ""
    window: TimeWindow | None = None
    message: bool = False
    complaint: bool = False
    quote: bool = False
    follow_up: bool = False
    order_number: str = ""
    questions: list[str] = field(default_factory=list)
    transferred_to: str = ""


@dataclass(frozen=True)
class Filled:
    """What an utterance changed that the question flow must know about."""

    new_number: bool = False
    emergency: bool = False
    number_started: bool = False  # the caller paused after the start of a number: let them go on, do not ask again


_TRAILING_FROM_RE = re.compile(r"\s+(?:from|von|vom|von der)$", re.I)
_COMPANY_WORD = r"(?:Dr\.|[A-ZÄÖÜ][\w'&-]*)"
_NAME_BEFORE_COMPANY_RE = re.compile(
    r"(?:\b(?i:hier ist|hier spricht|this is|my name is|mein name ist|ich bin)\s+|^\W*)((?:Dr\.\s+)?[A-ZÄÖÜ][\w'-]+(?:\s+[A-ZÄÖÜ][\w'-]+)?)"
    r"\s+(?i:von der|vom|from the|from)\s+[A-ZÄÖÜ]")
_COMPANY_LEAD_WORDS = frozenset("von vom der die das bei hier ist firma from the at for für mit hi hello hallo".split())
_FROM_COMPANY_RE = re.compile(rf"^,?\s+(?:von der|vom|von|from the|from)\s+({_COMPANY_WORD}(?:\s+(?:{_COMPANY_WORD}|und|and|&))*)")


def _whole_company(text: str, company: str) -> str:
    """ "Keller Immobilien GmbH": the parser stops at a surname that is also a word; the capitalised word before it belongs."""
    at = text.find(company) if company else -1
    if at <= 0:
        return company
    m = re.search(r"([A-ZÄÖÜ][\w'-]+)\s+$", text[:at])
    return f"{m.group(1)} {company}" if m and m.group(1).lower() not in _COMPANY_LEAD_WORDS else company


def _company_after_name(text: str, name: str) -> str:
    """ "Dieter Bäcker vom Café Central", "Emily Clarke from Baker Properties": a company with no legal form, right after the
    caller's own name."""
    if not name:
        return ""
    at = text.find(name)
    if at < 0:
        return ""
    m = _FROM_COMPANY_RE.match(text[at + len(name):])
    return re.sub(r"\s+(?:und|and|&)$", "", m.group(1)) if m else ""


def order_number(text: str, language: str = "de") -> str:
    """An order or invoice number the caller reads out after naming it ("Auftragsnummer 48213", "invoice number 2026 0345")."""
    reference = parse_reference(text, language)
    return re.sub(r"[\s./-]", "", reference.number).upper() if reference is not None else ""


_EXTRA_RE = re.compile(r"^(?:bei|c/o|care of|z\. ?hd\.?)\s+\S.*|.*\b(?:stock|etage|geschoss|hinterhaus|vorderhaus|floor|flat|apartment)\b.*$",
                       re.I)


_FLOOR_RE = re.compile(r"(?:stock|etage|geschoss|hinterhaus|vorderhaus|seitenflügel|floor|flat|apartment)$", re.I)
_ADDRESS_LEAD_RE = re.compile(r"^.*?\b(?:die adresse ist|die adresse lautet|the address is|address is|wir wohnen|we live)\s*(?:in der\s+)?", re.I)


def address_in(text: str, language: str) -> Address | None:
    """The address an utterance gives, with street and town put together when they come apart ("85748 Garching, Lindenstraße
    23", "Leopoldstraße 9, dritter Stock, 80331 München")."""
    whole = parse_address(text, language)
    if whole is not None and whole.street and (whole.postcode or whole.city):
        return whole
    street = whole if whole is not None and whole.street else None
    town = whole if whole is not None and not whole.street else None
    for part in re.split(r",\s*|\.\s+", text):
        found = parse_address(part, language)
        if found is None:
            continue
        if found.street and street is None:
            street = found
        if (found.postcode or found.city) and (town is None or not (town.postcode or town.city)):
            town = found if not found.street or street is found else Address(None, None, found.postcode, found.city)
    if street is None or town is None or street is town:
        return whole or street or town
    return Address(street.street, street.house_number, street.postcode or town.postcode, street.city or town.city)


def _address_extras(text: str) -> list[str]:
    """Floor, back building, c/o: what the technician needs at the door, kept as the caller said it."""
    parts = [_ADDRESS_LEAD_RE.sub("", p).strip(" .") for p in re.split(r",\s*", text)]
    return [p for p in parts if _EXTRA_RE.match(p) and len(p.split()) <= 5 and not re.search(r"\d{4,}", p)]


_EN_TENS_RE = re.compile(r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(one|two|three|four|five|six|seven|eight|nine)\b", re.I)
# Sounds a caller makes while finding the next digits; German "um" and "er" are words, so only the English ones there.
_HESITATION_RE = {"de": re.compile(r"\b(?:ähm|äh|öhm|ehm|hm|mhm)\b[,.]?", re.I),
                  "en": re.compile(r"\b(?:um|uh|uhm|erm|er|hmm|hm|ähm|äh)\b[,.]?", re.I)}
_PAUSE_RE = re.compile(r"(?<=\d)\s*(?:\.\.\.|…)\s*(?=\d)")


def phone_in(text: str, language: str) -> PhoneNumber | None:
    """The number an utterance gives; when it corrects itself ("0171 234…, nein, Moment, 0171 …") the last one."""
    text = _PAUSE_RE.sub(" ", text)  # Whisper writes a pause inside a number as "…": "0177... 978... 52810"
    text = _HESITATION_RE[lang_code(language)].sub(" ", text)  # "null eins sieben eins, ähm, zwei drei vier, äh, …"
    text = _EN_TENS_RE.sub(r"\1 \2", text)  # "eighty-two" is one pair, not "eighty" then a separator
    numbers = find_phone_numbers(text, language)
    if not numbers and (before := _before_address(text, language)):
        numbers = find_phone_numbers(before, language)  # "…, sieben fünf eins sechs, Am Anger 7, 80802 München": the house number is not a digit
    if len(numbers) > 1 and parse_correction(text, language) or len(numbers) > 1 and re.search(r"\b(nein|no|sorry|entschuldigung)\b", text, re.I):
        return numbers[-1]
    return numbers[0] if numbers else parse_phone_number(text, language)


def same_number(a: str, b: str) -> bool:
    """One number in two spellings: "+49303789492" and "0303789492"."""
    def national(n: str) -> str:
        return "0" + n[3:] if n.startswith("+49") else n
    return national(a) == national(b)


def _before_address(text: str, language: str) -> str:
    """The words before the first clause that is a street or a postcode ("" when there is none, or it comes first)."""
    clauses = re.split(r",\s*", text)
    for i, clause in enumerate(clauses):
        found = parse_address(clause, language)
        if i and found is not None and (found.street or found.postcode):
            return ", ".join(clauses[:i])
    return ""


class SlotFiller:
    """Fills one call's slots from its utterances; pure, so a fork of the policy can try an utterance on a copy."""

    def __init__(self, language: str, emergency_keywords: Sequence[str], clock: Callable[[], datetime]) -> None:
        self.language = language
        self.emergency_keywords = tuple(emergency_keywords)
        self.clock = clock

    def has_new_content(self, text: str) -> bool:
        lang = self.language
        return any(
            (phone_in(text, lang) is not None, parse_address(text, lang) is not None, parse_name(text, lang) is not None,
             parse_urgency(text, lang, self.emergency_keywords).level == "emergency")
        )

    def gives_something(self, text: str, s: Slots) -> bool:
        """The utterance holds a fact for the note (used to settle a read-back the caller talked past)."""
        lang = self.language
        return (self.has_new_content(text) or parse_urgency(text, lang, self.emergency_keywords).level != "unknown"
                or parse_when(text, lang, self.clock()) is not None or bool(order_number(text, lang))
                or len(WORD_RE.findall(_FILLER_RE.sub("", text))) >= 4)

    def gives_field(self, text: str) -> bool:
        """The utterance holds a field other than a number or a name: urgency, a time, an address, an order number."""
        lang = self.language
        return (parse_urgency(text, lang, self.emergency_keywords).level != "unknown" or parse_when(text, lang, self.clock()) is not None
                or address_in(text, lang) is not None or bool(order_number(text, lang)))

    def _other_field(self, text: str) -> bool:
        """The answer is for another question ("Wie gesagt, es eilt", "Am besten morgen"), so it is no address."""
        lang = self.language
        return (parse_urgency(text, lang, self.emergency_keywords).level != "unknown" or parse_when(text, lang, self.clock()) is not None
                or phone_in(text, lang) is not None)

    def fill(self, s: Slots, text: str, asking: str, hints: UtteranceHints | None, is_question: bool) -> Filled:
        lang = self.language
        correction = parse_correction(text, lang)
        before_number = s.number
        emergency = False
        name = parse_name(text, lang)
        if name is not None and name.lower() in NOT_A_NAME:
            name = None
        if name is None and (m := _NAME_FIRST_RE.search(text)) and m.group(1).lower() not in NOT_A_NAME:
            name = m.group(1)
        if name is None and asking in ("name", "contact"):
            name = self.bare_name(text)
        if name is None and hints is not None and hints.name:
            name = hints.name
        if name is None and not s.name:
            titled = next((m for m in _TITLED_RE.finditer(text) if (m.group(1) or "").lower() not in _ADDRESSEE_WORDS), None)
            name = titled.group(2) if titled else None
        if name is None and (m := _NAME_BEFORE_COMPANY_RE.search(text)) and m.group(1).split()[0].lower() not in NOT_A_NAME:
            name = m.group(1)  # "hier ist Dieter Bäcker vom Café Central"
        if name:
            name = _TRAILING_FROM_RE.sub("", name)  # "Emily Clarke from" Baker Properties
        if name and (not s.name or correction or asking == "name" or _completes(s.name, name)):
            s.name = name
        company = _whole_company(text, parse_company(text, lang) or "") or _company_after_name(text, name or s.name)
        if company and (not s.company or correction):
            s.company = company
        phone = phone_in(text, lang)
        started = False
        if s.number_start and asking in ("number", "contact"):
            # The rest after the pause ("0171." … "2, 3, 4, 5, 6, 7, 8."): alone it would be a number without its area code.
            joined = phone_in(f"{s.number_start} {text}", lang)
            if joined is not None and (phone is None or len(joined.number) > len(phone.number)):
                phone = joined
            s.number_start = ""
        elif phone is None and asking in ("number", "contact") and (start := number_start(text, lang)):
            s.number_start, started = start, True
        if phone is not None and (s.number is None or correction or asking in ("number", "contact", "confirm_number", "keypad")):
            if s.number is None or not same_number(phone.number, s.number.number):
                s.number, s.confirmed = phone, False
        address = address_in(text, lang)
        if address is not None and (address.street or address.city) and (not s.address or correction or asking == "address"):
            if address.street or not s.address:
                german = bool(address.street and (_STREET_END_RE.search(address.street) or not address.street.isascii()
                                                  or _STREET_START_RE.match(address.street)))
                s.address = ", ".join((address.one_line("de" if german else lang), *_address_extras(text)))
        elif asking == "address" and not s.address and not is_question and len(WORD_RE.findall(text)) >= 2 and not self._other_field(text):
            s.address = _FILLER_RE.sub("", text).strip(" .")  # an address the parser cannot read, kept as said
        urgency = parse_urgency(text, lang, self.emergency_keywords)
        if urgency.level != "unknown" and (_RANK[urgency.level] > _RANK[s.urgency] or correction or asking == "urgency"):
            if urgency.level == "emergency" and s.urgency != "emergency":
                emergency = True
            s.urgency, s.urgency_reason = urgency.level, urgency.reason
        if hints is not None and hints.emergency and s.urgency == "unknown":
            s.urgency, s.urgency_reason = "emergency", "model"
            emergency = True
        window = parse_when(text, lang, self.clock())
        if window is not None and (s.window is None or correction or asking == "window" or (s.window.asap and not window.asap)):
            s.window = window
            if window.asap and s.urgency in ("unknown", "no_rush"):
                s.urgency, s.urgency_reason = "soon", window.label
        message = asks_to_pass_on(text, lang)
        if message and not s.concern:
            s.message = True
        if is_complaint(text):
            s.complaint = True
        # Named quote words always count; the parser's wider "was kostet …" only when it is not a question for the FAQ.
        if (names_quote(text) or is_quote_request(text, lang) and not is_question) and not s.message:
            s.quote = True
        if is_follow_up(text, lang) and not s.message and asking not in ("address", "window", "urgency"):
            s.follow_up = True
        order = order_number(text, lang)
        if order and (not s.order_number or correction or asking == "order"):
            s.order_number = order
            s.follow_up = s.follow_up or not s.message
        if message:
            is_question = False  # "Können Sie Herrn Huber ausrichten, dass …?" is the message itself
        # A caller whose question was answered gives their details (and, for a visit, the address and a time) for the call-back:
        # "Any time is fine" or "third floor" is not what the call is about; the question is.
        answer_turn = asking in ("contact", "name", "number", "confirm_number", "keypad", "address", "window", "urgency") and bool(s.questions)
        if asking in ("concern", "message", "anything_else", "") and not is_question or (not s.concern and not is_question and not answer_turn):
            concern = self.concern_words(text, asking, s)
            if concern and concern not in s.concern:
                s.concern.append(concern)
        return Filled(new_number=s.number is not None and s.number is not before_number and not s.confirmed, emergency=emergency,
                      number_started=started)

    def bare_name(self, text: str) -> str | None:
        """The answer to "Wie ist Ihr Name?" can be just the name: "Müller." / "Schmidt, Anna"."""
        if phone_in(text, self.language) is not None and "," not in text:
            return None
        clauses = [c for c in re.split(r"[,.?!;]", text) if c.strip()]
        # "Erdgeschoss", "Hinterhaus", "Moment": one capitalised word that is no name.
        bare = (_FILLER_RE.sub("", c).strip(" .") for c in clauses)
        parts = ["" if _EXTRA_RE.match(p) or _FLOOR_RE.search(p) or p.lower() in NOT_A_NAME else p for p in bare]
        single = [i for i, p in enumerate(parts) if _name_words(p) == 1 and len(p) > 1]
        for i in single:  # "Hartmann, Elfriede": surname first, two single names in a row
            if i + 1 in single and not any(_name_words(p) for p in parts[i + 2:]) and not any(_name_words(p) for p in parts[:i]):
                return f"{parts[i + 1]} {parts[i]}"
        for part in reversed(parts):
            words = WORD_RE.findall(part)
            if 1 <= len(words) <= 3 and all(w[0].isupper() and len(w) > 1 and w.lower() not in NOT_A_NAME for w in words) and len(words) == len(part.split()):
                return " ".join(words)
        return None

    def concern_words(self, text: str, asking: str, s: Slots) -> str:
        """The caller's own words about the problem: the clauses left once greetings, the name, the number and the address are out."""
        lang = self.language
        clauses = [c.strip() for c in re.split(r"(?<=[.!?;:])\s+|,\s+", text) if c.strip()]
        # "12a Maple Road, third floor, 80331 Munich": the floor or c/o beside an address belongs to the address.
        extras = set(_address_extras(text)) if address_in(text, lang) is not None else set()
        keep: list[str] = []
        for clause in clauses:
            bare = _FILLER_RE.sub("", clause).strip(" .,!?:")
            if len(WORD_RE.findall(bare)) < 2 and asking not in ("concern", "message"):
                continue
            if not bare or (_NAME_CLAUSE_RE.search(bare) and parse_name(bare, lang) is not None and len(bare.split()) <= 8):
                continue
            if s.name and s.name in bare and len(bare.split()) <= len(s.name.split()) + 3:
                continue
            if _NUMBER_LEAD_RE.search(bare) or re.fullmatch(r"[\d\s.,+()-]+", bare):
                continue
            if phone_in(bare, lang) is not None and (_NUMBER_CLAUSE_RE.search(bare) or len(WORD_RE.findall(bare)) <= 4):
                continue
            address = parse_address(bare, lang)
            if address is not None and address.street and len(bare.split()) <= 7 or bare in extras:
                continue
            if is_goodbye(bare, lang) or wants_person(bare, lang) and len(bare.split()) <= 8:
                continue
            if len(WORD_RE.findall(bare)) < 2:
                continue
            keep.append(bare)
        return ", ".join(keep)


def _name_words(text: str) -> int:
    words = WORD_RE.findall(text)
    return len(words) if words and all(w[0].isupper() for w in words) and len(words) == len(text.split()) else 0


def _completes(current: str, new: str) -> bool:
    """A first name given later ("Elfriede Hartmann") completes "Frau Hartmann"."""
    last = current.split()[-1] if current else ""
    return bool(last) and new.split()[-1] == last and len(new.split()) > len(current.split()) - (1 if re.match(r"(Frau|Herr|Mrs?|Ms)\b", current) else 0)
