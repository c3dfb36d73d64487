"""Generated callers for the held-out conversation benchmark: each seed combines parts into one caller's facts and words.

Seeds below TEST_SEED_BASE are the dev part (tune on these); seeds from TEST_SEED_BASE on are the test part, run only to report.
The dev part also draws on dev-only parts and caller habits (see `_dev_habits`); the test part never does, so it stays as it was.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from tests.conversations import parts as P
from voicebridge.dialogue.parsers import DEFAULT_TIMEZONE

_T = TypeVar("_T")
TEST_SEED_BASE = 100_000
SPLIT_SIZE = 200  # the test part
DEV_SIZE = 400  # the dev part: widened once the first 200 had saturated
BUSINESS = "Sanitär Huber"
NOWS = (
    datetime(2026, 11, 25, 10, 0, tzinfo=DEFAULT_TIMEZONE),  # Wednesday, open
    datetime(2026, 11, 30, 9, 15, tzinfo=DEFAULT_TIMEZONE),  # Monday, open
    datetime(2026, 11, 27, 8, 30, tzinfo=DEFAULT_TIMEZONE),  # Friday, open
)
NIGHT = datetime(2026, 11, 25, 22, 30, tzinfo=DEFAULT_TIMEZONE)
SCENARIOS = (  # (scenario, weight)
    ("job", 30), ("emergency", 10), ("quote", 9), ("follow_up", 9), ("message", 9), ("question_only", 7), ("question_job", 7),
    ("landlord", 6), ("right_company", 6), ("one_breath", 7),
)
ON_SITE = frozenset({"job", "emergency", "quote", "question_job", "landlord", "right_company", "one_breath"})
NUMBER_FORMS = ("grouped", "whisper_dots", "whisper_commas", "words", "pairs", "doubles", "plus", "pauses", "corrected")


@dataclass(frozen=True)
class Facts:
    """What one caller knows and how they say it; the expected note follows from it."""

    seed: int
    language: str
    scenario: str
    now: datetime
    first: str
    last: str
    gender: str
    name_style: str  # full | title_last | last_first | dr_full | spelled
    company: str
    company_from: str
    number: str  # as the note must hold it: "0171…" or "+49171…"
    number_form: str
    address: str  # how the caller says it
    address_key: tuple[str, str]  # (street and number, town or postcode) the note's address must contain
    concern: P.Concern
    urgency: str  # expected level, "" when not scored
    urgency_phrase: str
    window_phrase: str
    window_date: date | None
    order_number: str = ""
    recipient: str = ""
    tenant: str = ""
    question: P.Question | None = None
    filler: str = ""
    greeting: str = ""
    readback_style: str = "yes"  # yes | move_on | unclear
    correction: str = ""  # "" | address
    wrong_address: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{'dev' if self.seed < TEST_SEED_BASE else 'test'}{self.seed}_{self.language}_{self.scenario}"

    @property
    def on_site(self) -> bool:
        return self.scenario in ON_SITE

    # -- how the caller says each fact ----------------------------------------------------------------------------------------
    def title(self) -> str:
        if self.language == "de":
            return "Frau" if self.gender == "f" else "Herr"
        return "Mrs" if self.gender == "f" else "Mr"

    def name_words(self) -> str:
        """The name as part of a sentence ("Martina Keller", "Frau Keller", "Dr. Martina Keller")."""
        if self.name_style == "title_last":
            return f"{self.title()} {self.last}"
        if self.name_style == "dr_full":
            return f"Dr. {self.first} {self.last}"
        return f"{self.first} {self.last}"

    def with_company(self, name: str) -> str:
        return f"{name} {self.company_from} {self.company}" if self.company else name

    def name_answer(self) -> str:
        """The answer to "what is your name?"."""
        de = self.language == "de"
        if self.name_style == "last_first":
            return f"{self.last}, {self.first}."
        if self.name_style == "spelled":
            spelled = ", ".join(ch.upper() for ch in self.last if ch.isalpha())
            return f"{self.with_company(self.first + ' ' + self.last)}, {'ich buchstabiere' if de else 'that is'} {spelled}."
        if self.name_style == "title_last":
            return f"{self.with_company(self.title() + ' ' + self.last)}." if de else f"It's {self.with_company(self.title() + ' ' + self.last)}."
        return (f"Mein Name ist {self.with_company(self.name_words())}." if de else f"My name is {self.with_company(self.name_words())}.")

    def number_words(self, careful: bool = False) -> str:
        return spoken_number(self.number, self.language, "grouped" if careful else self.number_form, self.seed)

    def number_answer(self, careful: bool = False) -> str:
        de = self.language == "de"
        return (f"Meine Nummer ist {self.number_words(careful)}." if de else f"My number is {self.number_words(careful)}.")

    def contact_answer(self) -> str:
        de = self.language == "de"
        if self.extra.get("contact") == "number_first":  # the number first, then the name
            if self.name_style in ("last_first", "spelled"):
                return f"{self.number_answer()} {self.name_answer()}"
            return f"{self.number_answer()} {'Und mein Name ist' if de else 'And my name is'} {self.with_company(self.name_words())}."
        if self.extra.get("contact") == "with_address" and self.on_site:
            return f"{self.with_company(self.name_words())}, {self.number_words()}, {self.address}."
        if self.name_style in ("last_first", "spelled"):
            return f"{self.name_answer()} {self.number_answer()}"
        if random.Random(self.seed + 7).random() < 0.5:
            return f"{self.with_company(self.name_words())}, {self.number_words()}."
        return f"{self.name_answer()} {'Und meine Nummer ist' if de else 'And my number is'} {self.number_words()}."

    def address_answer(self) -> str:
        return self.restated() + (f"Die Adresse ist {self.address}." if self.language == "de" else f"The address is {self.address}.")

    def urgency_answer(self) -> str:
        first = self.extra.get("urgency_first", "")
        if first:  # says one thing, then corrects it: "Es hat Zeit, also, nein, eigentlich es wäre schon dringend."
            fix = "also, nein, eigentlich" if self.language == "de" else "well, no, actually"
            return f"{first[0].upper()}{first[1:]}, {fix} {self.urgency_phrase}."
        return self.restated() + self.urgency_phrase[0].upper() + self.urgency_phrase[1:] + "."

    def readback_answer(self) -> str:
        """A yes to the read-back; some (dev) callers say the number once more with it."""
        de = self.language == "de"
        if self.readback_style == "repeat_number":
            return f"Ja, {self.number_words(careful=True)}, genau." if de else f"Yes, {self.number_words(careful=True)}, that's it."
        return "Ja, richtig." if de else "Yes, that's right."

    def restated(self) -> str:
        """A caller who says again what they already said ("Wie gesagt, der Wasserhahn tropft."), before the answer."""
        if not self.extra.get("repeats") or self.scenario == "question_only":
            return ""
        return ("Wie gesagt, " if self.language == "de" else "Like I said, ") + self.concern.text + ". "

    def window_answer(self) -> str:
        return (f"Am besten {self.window_phrase}." if self.language == "de" else f"Ideally {self.window_phrase}.")

    def order_answer(self) -> str:
        de = self.language == "de"
        return (f"Die Auftragsnummer ist {self.order_number}." if de else f"The order number is {self.order_number}.")

    def concern_sentence(self) -> str:
        text = self.concern.text
        return text[0].upper() + text[1:] + "."

    def opening(self) -> str:
        """The first thing the caller says, with its greeting and filler."""
        text = self._opening()
        head = self.greeting + self.filler
        body = text[len(head):]
        first = body.split(" ", 1)[0].strip(",.?").lower()
        if head and first in P.LOWER_AFTER_GREETING and not body.startswith("I "):
            body = body[0].lower() + body[1:]
        if not head:
            body = body[0].upper() + body[1:]
        return (head[0].upper() + head[1:] if head else "") + body

    def _opening(self) -> str:
        text = self._opening_core()
        more = self._opening_extras()
        return f"{text.rstrip('.')}, {more}." if more else text

    def _opening_extras(self) -> str:
        """What a (dev) job caller adds to the opening before being asked: the address, how urgent, when it suits."""
        de, out = self.language == "de", []
        for kind in self.extra.get("tells", ()):
            if kind == "address":
                out.append(f"die Adresse ist {self.address}" if de else f"the address is {self.address}")
            elif kind == "urgency" and self.urgency_phrase:
                out.append(("und " if de else "and ") + self.urgency_phrase)
            elif kind == "window" and self.window_phrase:
                out.append(f"am besten {self.window_phrase}" if de else f"ideally {self.window_phrase}")
        return ", ".join(out)

    def _opening_core(self) -> str:
        de, s = self.language == "de", self.scenario
        g = self.greeting + self.filler
        if s == "one_breath" and self.extra.get("breath") == "concern_first":
            when = (f", am besten {self.window_phrase}" if de else f", ideally {self.window_phrase}") if self.window_phrase else ""
            if de:
                return (f"{g}{self.concern.text}, {self.urgency_phrase}{when}. {self.with_company(self.name_words())} hier, meine Nummer ist "
                        f"{self.number_words()}, und die Adresse ist {self.address}.")
            return (f"{g}{self.concern.text}, {self.urgency_phrase}{when}. It's {self.with_company(self.name_words())} here, my number is "
                    f"{self.number_words()}, and we're at {self.address}.")
        if s == "one_breath":
            if de:
                return (f"{g}hier ist {self.with_company(self.name_words())}, {self.concern.text}, die Adresse ist {self.address}, Sie erreichen mich "
                        f"unter {self.number_words()}, und {self.urgency_phrase}" + (f", am besten {self.window_phrase}." if self.window_phrase else "."))
            return (f"{g}this is {self.with_company(self.name_words())}, {self.concern.text}, the address is {self.address}, you can reach me on "
                    f"{self.number_words()}, and {self.urgency_phrase}" + (f", ideally {self.window_phrase}." if self.window_phrase else "."))
        if s in ("question_only", "question_job"):
            assert self.question is not None
            return g + self.question.text
        if s == "right_company":
            return f"{g}bin ich da richtig bei {BUSINESS}?" if de else f"{g}is this {BUSINESS}, the plumbers?"
        if s == "message":
            if de:
                return f"{g}hier ist {self.name_words()}. Können Sie bitte {self.recipient} ausrichten, dass {self.concern.text}?"
            return f"{g}this is {self.name_words()}. Could you tell {self.recipient} that {self.concern.text}?"
        if s == "follow_up":
            if de:
                return f"{g}{self.name_words()} hier. Ich rufe wegen meines Auftrags an, {self.concern.text}."
            return f"{g}{self.name_words()} here. I'm calling about my order, {self.concern.text}."
        if s == "landlord":
            if de:
                return (f"{g}hier spricht {self.name_words()}, ich bin der Vermieter. Ich rufe für meine Mieterin "
                        f"Frau {self.tenant} an: {self.concern.text}.")
            return f"{g}this is {self.name_words()}, I'm the landlord. I'm calling for my tenant Mrs {self.tenant}: {self.concern.text}."
        style = self.opening_style
        if style == "name_first":
            who = self.with_company(self.name_words())
            return f"{g}hier ist {who}. {self.concern_sentence()}" if de else f"{g}this is {who}. {self.concern_sentence()}"
        if style == "name_in_sentence":
            return f"{g}{self.last} mein Name, {self.concern.text}."
        return g + self.concern_sentence()

    @property
    def opening_style(self) -> str:
        style = self.extra.get("opening", "concern")
        if self.scenario not in ("job", "emergency", "quote"):
            return "concern"
        if style == "name_in_sentence" and (self.language != "de" or self.name_style == "title_last"):
            return "concern"
        return style

    @property
    def says_first_name(self) -> bool:
        """Whether the caller ever says their first name ("Keller mein Name" and "Frau Keller" do not)."""
        return self.name_style != "title_last" and self.opening_style != "name_in_sentence"

    @property
    def says_company(self) -> bool:
        """Whether the caller ever says their company: "Vogel mein Name, …" gives the name alone, and the agent, which
        has the name then, never asks for it again (the opening's only chance to name the company)."""
        return bool(self.company) and self.opening_style != "name_in_sentence"

    def said_in_opening(self) -> set[str]:
        """The facts the opening already gives."""
        s = self.scenario
        told = {"concern"} if s not in ("question_only", "question_job", "right_company") else set()
        if s == "one_breath":
            told |= {"name", "number", "address", "urgency"} | ({"window"} if self.window_phrase else set())
        if s in ("message", "follow_up", "landlord") or self.opening_style in ("name_first", "name_in_sentence"):
            told.add("name")
        if self.says_company and ("name" in told):
            told.add("company")
        told |= {k for k in self.extra.get("tells", ()) if k == "address" or k == "urgency" and self.urgency_phrase
                 or k == "window" and self.window_phrase}
        return told

    def script(self) -> tuple[tuple[str, frozenset[str]], ...]:
        """A fixed script: the opening, then every fact not yet given, in the usual order, each as a whole sentence; each line
        with the facts it gives."""
        de = self.language == "de"
        told = self.said_in_opening()
        lines: list[tuple[str, frozenset[str]]] = [(self.opening(), frozenset(told))]

        def say(text: str, *kinds: str) -> None:
            lines.append((text, frozenset(kinds)))

        if self.scenario == "question_job":
            say(("Gut. Und dann noch: " if de else "Thanks. Also, ") + self.concern.text + ".", "concern")
        if self.scenario == "right_company":
            say(("Gut. " if de else "Good. ") + self.concern_sentence(), "concern")
        if self.scenario == "question_only":
            say("Ja, gern." if de else "Yes, please.")
        if self.scenario == "emergency":
            say("Nein, nehmen Sie es bitte einfach auf." if de else "No, please just take it down.")
        if "name" not in told and "number" not in told:
            with_address = ("address",) if self.extra.get("contact") == "with_address" and self.on_site else ()
            say(self.contact_answer(), "name", "number", *(("company",) if self.company else ()), *with_address)
            told |= set(with_address)
        elif "number" not in told:
            say(self.number_answer(), "number")
        say(self.readback_answer())
        if self.scenario == "follow_up":
            say(self.order_answer(), "order")
        if self.on_site and "address" not in told:
            if self.correction == "address":
                say(f"Die Adresse ist {self.wrong_address}." if de else f"The address is {self.wrong_address}.", "address")
                say(f"Nein, Moment, ich meinte {self.address}." if de else f"No, sorry, I meant {self.address}.", "address")
            else:
                say(self.address_answer(), "address")
        if self.urgency_phrase and "urgency" not in told:
            say(self.urgency_answer(), "urgency")
        if self.window_phrase and "window" not in told:
            say(self.window_answer(), "window")
        say("Nein, danke, tschüss." if de else "No, thanks, bye.")
        return tuple(lines)

    def expected(self) -> dict[str, Any]:
        """The note a careful human receptionist would write."""
        s = self.scenario
        intents = {"emergency": "emergency", "quote": "quote", "follow_up": "follow_up", "message": "message", "question_only": "question"}
        want: dict[str, Any] = {
            "name": (self.first if self.says_first_name else "", self.last),
            "callback_number": self.number,
            "callback_confirmed": True,
            "intent": intents.get(s, "appointment"),
            "concern": self.question.words if s == "question_only" and self.question else self.concern.words,
        }
        if self.says_company:
            want["company"] = self.company
        if self.on_site:
            want["address"] = self.address_key
        if self.urgency:
            want["urgency"] = self.urgency
        if self.window_date is not None:
            want["window"] = self.window_date
        if self.order_number:
            want["order_number"] = self.order_number
        if s == "message":
            want["concern"] = (self.extra["recipient_last"], *self.concern.words)
        if self.question is not None and self.question.reply:
            want["reply"] = self.question.reply
        if s == "right_company":
            want["reply"] = "richtig" if self.language == "de" else "right"
        return want


def spoken_number(number: str, language: str, form: str, seed: int) -> str:
    """A callback number as the caller says it and Whisper writes it."""
    rng = random.Random(seed * 31 + len(form))
    plus = number.startswith("+")
    national = "0" + number[3:] if plus else number
    head = 3 if national.startswith("0") and national[:3] in ("089", "030") else (5 if national[:3] == "081" else 4)
    prefix, rest = national[:head], national[head:]
    w = P.DIGITS[language]
    if form == "plus":
        if rng.random() < 0.5:
            return f"+49 {prefix[1:]} {rest}"
        plus_word = "plus vier neun" if language == "de" else "plus four nine"
        return f"{plus_word}, {P.digit_words(prefix[1:], language)}, " + ", ".join(P.digit_words(g, language) for g in P.groups_of(rest, (3, 4)))
    if form == "slash":
        return f"{prefix} / {' '.join(P.groups_of(rest, (3, 2, 2)))}"
    if form == "brackets":
        return f"({prefix}) {rest}"
    if form == "whisper_dots":
        return f"{prefix}. " + ", ".join(rest)
    if form == "whisper_commas":
        return ", ".join(national)
    if form == "words":
        return ", ".join(P.digit_words(g, language) for g in [prefix, *P.groups_of(rest, (3, 2, 2))])
    if form == "pairs":
        pairs = P.groups_of(rest, (2,) * 8)
        return P.digit_words(prefix, language) + ", " + ", ".join(
            P.pair_words(p, language) if len(p) == 2 else w[int(p)] for p in pairs)
    if form == "doubles":
        return ", ".join(P.digit_words(g, language, doubles=True) for g in [prefix, *P.groups_of(rest, (3, 4))])
    if form == "hesitant":  # fillers between the groups: "null eins sieben eins, ähm, zwei drei vier, äh, …"
        um = (", ähm, ", ", äh, ") if language == "de" else (", um, ", ", uh, ")
        groups = [P.digit_words(g, language) for g in [prefix, *P.groups_of(rest, (3, 4))]]
        return groups[0] + "".join(um[i % 2] + g for i, g in enumerate(groups[1:]))
    if form == "pauses":
        return f"{prefix}... {rest[:3]}... {rest[3:]}"
    if form == "corrected":
        wrong = rest[:-2] + rest[-1] + rest[-2] if rest[-1] != rest[-2] else rest[:-1] + str((int(rest[-1]) + 1) % 10)
        fix = "nein, Moment, Entschuldigung" if language == "de" else "no, sorry, wait"
        return f"{prefix} {wrong}, {fix}, {prefix} {rest}"
    return f"{prefix} {rest}"


def _window(phrase: tuple[str, int, str], now: datetime) -> date:
    text, n, kind = phrase
    today = now.date()
    if kind == "days":
        return today + timedelta(days=n)
    if kind == "next_week":
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=n)
    ahead = (n - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead)


def generate(seed: int) -> Facts:
    rng = random.Random(seed)
    held_out = seed >= TEST_SEED_BASE

    def pool(shared: Sequence[_T], key: str) -> Sequence[_T]:
        """Each part draws on the shared parts and on parts written for it alone."""
        return (*shared, *(P.TEST_ONLY if held_out else P.DEV_ONLY).get(key, ()))  # type: ignore[misc]

    language = "de" if rng.random() < 0.6 else "en"
    de = language == "de"
    scenario = rng.choices([s for s, _ in SCENARIOS], [w for _, w in SCENARIOS])[0]
    now = NIGHT if scenario == "emergency" and rng.random() < 0.4 else rng.choice(NOWS)
    first, last, gender = rng.choice(pool(P.NAMES_DE if de else P.NAMES_EN, "NAMES_DE" if de else "NAMES_EN"))
    name_style = rng.choices(("full", "title_last", "last_first", "dr_full", "spelled"), (50, 15, 15, 8, 12))[0]
    if name_style == "last_first" and scenario in ("message", "follow_up", "landlord", "one_breath"):
        name_style = "full"
    if name_style == "spelled" and scenario in ("message", "follow_up", "landlord", "one_breath"):
        name_style = "full"
    company, company_from = rng.choice(pool(P.COMPANIES_DE if de else P.COMPANIES_EN, "COMPANIES_DE" if de else "COMPANIES_EN"))
    if rng.random() > 0.2 or scenario not in ("job", "one_breath", "quote") or name_style == "last_first":
        company = ""
    prefix = rng.choice(P.MOBILE_PREFIXES if rng.random() < 0.75 else P.LANDLINE_PREFIXES)
    national = prefix + "".join(rng.choice("0123456789") for _ in range(rng.choice((7, 7, 8)) if len(prefix) <= 4 else 6))
    national = national[: len(prefix)] + str(rng.randint(1, 9)) + national[len(prefix) + 1:]  # no zero after the prefix
    number_form = rng.choice(pool(NUMBER_FORMS, "NUMBER_FORMS"))
    number = "+49" + national[1:] if number_form == "plus" else national
    street = rng.choice(pool(P.STREETS_DE, "STREETS_DE") if de or rng.random() < 0.5 else pool(P.STREETS_EN, "STREETS_EN"))
    house = rng.choice(pool(P.HOUSE_NUMBERS, "HOUSE_NUMBERS"))
    plz, town_de, town_en = rng.choice(pool(P.TOWNS, "TOWNS"))
    town = town_de if de else town_en
    street_no = f"{house} {street.name}" if street.english else f"{street.name} {house}"
    form = rng.choice(("plz_last", "plz_first", "in_town", "floor", "care_of"))
    if form == "plz_first" and not street.english:
        address = f"{plz} {town}, {street_no}"
    elif form == "in_town":
        address = f"{street_no} in {town}"
    elif form == "floor":
        address = f"{street_no}, {rng.choice(P.FLOORS[language])}, {plz} {town}"
    elif form == "care_of":
        other = rng.choice(P.NAMES_DE if de else P.NAMES_EN)
        address = f"{P.CARE_OF[language].format(name=other[0] + ' ' + other[1])}, {street_no}, {plz} {town}"
    else:
        address = f"{street_no}, {plz} {town}"
    address_key = (street_no, plz if form != "in_town" else town)
    concern = rng.choice(pool(P.CONCERNS[language], f"CONCERNS_{language}"))
    urgency_level = rng.choice(("soon", "no_rush"))
    urgency_phrase = rng.choice(pool(P.URGENCY_PHRASES[language][urgency_level], f"URGENCY_{language}_{urgency_level}"))
    window_choice = rng.choice([w for w in pool(P.WINDOW_PHRASES[language], f"WINDOWS_{language}") if not (w[2] == "weekday" and w[1] == now.weekday())])
    facts: dict[str, Any] = dict(
        seed=seed, language=language, scenario=scenario, now=now, first=first, last=last, gender=gender, name_style=name_style,
        company=company, company_from=company_from, number=number, number_form=number_form, address=address, address_key=address_key, concern=concern,
        urgency=urgency_level, urgency_phrase=urgency_phrase, window_phrase=window_choice[0], window_date=_window(window_choice, now),
        filler=rng.choice(pool(P.FILLERS[language], f"FILLERS_{language}")), greeting=rng.choice(P.GREETINGS[language]),
        readback_style=rng.choices(("yes", "move_on", "unclear"), (75, 15, 10))[0],
        extra={"opening": rng.choice(("concern", "name_first", "name_in_sentence"))},
    )
    if urgency_phrase in P.ASAP_PHRASES or urgency_phrase in P.TEST_ASAP_PHRASES or urgency_phrase in P.DEV_ASAP_PHRASES:
        facts.update(window_phrase="", window_date=None)
    if scenario == "emergency":
        facts.update(concern=rng.choice(pool(P.EMERGENCIES[language], f"EMERGENCIES_{language}")), urgency="emergency", urgency_phrase="",
                     window_phrase="", window_date=None)
    elif scenario == "quote":
        facts.update(concern=rng.choice(pool(P.QUOTES[language], f"QUOTES_{language}")), urgency="", urgency_phrase="")
    elif scenario == "follow_up":
        order = str(rng.randint(10000, 99999)) if rng.random() < 0.6 else f"2026{rng.randint(100, 999)}"
        facts.update(concern=rng.choice(pool(P.FOLLOW_UPS[language], f"FOLLOW_UPS_{language}")), order_number=order, urgency="",
                     urgency_phrase="", window_phrase="",
                     window_date=None)
    elif scenario == "message":
        recipient, recipient_last, message = rng.choice(pool(P.MESSAGES[language], f"MESSAGES_{language}"))
        facts.update(concern=message, recipient=recipient, urgency="", urgency_phrase="", window_phrase="", window_date=None,
                     extra={"recipient_last": recipient_last})
    elif scenario in ("question_only", "question_job"):
        facts["question"] = rng.choice(pool(P.QUESTIONS[language], f"QUESTIONS_{language}"))
        if scenario == "question_only":
            facts.update(urgency="", urgency_phrase="", window_phrase="", window_date=None)
    elif scenario == "landlord":
        facts["tenant"] = rng.choice(("Sommer", "Koch", "Becker", "Yilmaz", "Nowak"))
    if scenario in ("job", "question_job", "right_company") and rng.random() < 0.15:
        wrong = house + "0" if not street.english else "1" + house
        facts.update(correction="address",
                     wrong_address=address.replace(street_no, f"{wrong} {street.name}" if street.english else f"{street.name} {wrong}"))
    if not held_out:
        _dev_habits(random.Random(seed * 7919 + 1), facts)
    return Facts(**facts)


def _dev_habits(rng: random.Random, facts: dict[str, Any]) -> None:
    """Habits only dev callers have (their own random stream, so the rest of the caller is drawn as before): the number before
    the name, the address with the contact, a different order in one breath, an urgency said and then corrected, a caller who
    says again what they said before, and (in the simulator) one who answers another question than the one asked."""
    extra = dict(facts["extra"])
    extra["contact"] = rng.choices(("", "number_first", "with_address"), (60, 20, 20))[0]
    extra["breath"] = rng.choice(("", "concern_first"))
    extra["repeats"] = rng.random() < 0.2
    extra["sidetrack"] = rng.random() < 0.25
    if facts["scenario"] == "job" and rng.random() < 0.4:
        extra["tells"] = tuple(k for k in ("address", "urgency", "window") if rng.random() < 0.5)
    elif facts["urgency"] == "soon" and facts["urgency_phrase"] and rng.random() < 0.2:
        extra["urgency_first"] = rng.choice(P.URGENCY_PHRASES[facts["language"]]["no_rush"])
    if rng.random() < 0.1:
        facts["readback_style"] = "repeat_number"
    facts["extra"] = extra


def split(name: str, size: int | None = None) -> list[Facts]:
    """The dev part (tune on it, DEV_SIZE callers) or the test part (report only, SPLIT_SIZE callers)."""
    base = {"dev": 0, "test": TEST_SEED_BASE}[name]
    return [generate(base + i) for i in range(size or (DEV_SIZE if name == "dev" else SPLIT_SIZE))]
