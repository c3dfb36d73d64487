"""How urgent a call is: emergency (burst pipe, gas smell, no heating), soon, no rush, or unknown; negations do not count.

Only the caller's words decide, never the date.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from voicebridge.dialogue.parsers.text import Phrase, find_phrase, lang_code, phrase_table, span_text, tokenize

UrgencyLevel = Literal["emergency", "soon", "no_rush", "unknown"]

_EMERGENCY = {
    "de": phrase_table("*rohrbruch", "rohr … geplatzt", "leitung … geplatzt", "wasser läuft", "läuft … wasser", "wasser … tritt aus", "wasser … spritzt")
    + phrase_table("*überschwemmung", "überschwemmt", "*überflutung", "überflutet", "unter wasser")
    + phrase_table("*gasgeruch", "riecht … nach gas", "stark nach gas", "gas … riecht", "*gasleck", "gasaustritt", "kohlenmonoxid")
    + phrase_table(
        "heizung … ausgefallen",
        "heizung … kaputt",
        "heizung … geht nicht",
        "heizung … funktioniert nicht",
        "keine heizung",
        "*heizungsausfall",
    )
    + phrase_table("*stromausfall", "kein strom", "strom … ausgefallen", "strom … weg", "*kurzschluss")
    + phrase_table("*brand", "es brennt", "feuer", "es qualmt", "es raucht", "*rauchentwicklung", "*notfall")
    # Water coming in from above or not stopping is an emergency without the word for one (a leak in the flat upstairs).
    # "*decke": the ceiling may be named ("durch die Küchendecke", "von der Badezimmerdecke").
    + phrase_table("wasser … durch die *decke", "wasser … von der *decke", "wasser … aus der *decke", "*wasserschaden", "*decke … tropft")
    + phrase_table("tropft … *decke", "tropft … von der *decke", "tropft … aus der *decke", "tropft … durch die *decke")
    + phrase_table("toilette … läuft … über", "klo … läuft … über", "wc … läuft … über", "übergelaufen")
    + phrase_table("badewanne … läuft … über", "*spülung … hört … nicht … auf", "hört nicht mehr auf zu laufen", "läuft und läuft")
    + phrase_table("toilette … hört … nicht … auf", "wasser … hört … nicht … auf", "lässt sich nicht abstellen", "nicht mehr abstellen")
    # Standing or spraying water: "im Keller steht das Wasser", "aus der Wand spritzt Wasser".
    + phrase_table("steht … wasser", "wasser … steht", "spritzt … wasser", "sprudelt … wasser", "wasser … sprudelt", "voller wasser", "voll wasser"),
    "en": phrase_table("burst pipe", "pipe … burst", "burst water main", "flood", "flooding", "flooded", "water … everywhere", "water … pouring")
    + phrase_table("water … gushing", "gas smell", "smell … gas", "gas leak", "leaking gas", "carbon monoxide")
    + phrase_table("no heating", "no heat", "heating … broken", "heating … not working", "heating … stopped working", "boiler … broken down")
    + phrase_table("power cut", "power outage", "no power", "no electricity", "short circuit", "sparks", "sparking")
    + phrase_table("fire", "smoke", "emergency")
    # "the … ceiling": it may be named ("through the kitchen ceiling").
    + phrase_table("water … through the … ceiling", "coming through the … ceiling", "pouring through the … ceiling", "water damage")
    + phrase_table("ceiling … dripping", "dripping … ceiling", "ceiling … leaking", "leaking … ceiling")
    + phrase_table("overflowing", "overflowed", "overflows", "won't stop running", "toilet … won't stop", "water … won't stop", "can't turn … off")
    # Not a bare "keeps running": a cistern that "keeps running after it's flushed" is a repair, not an emergency.
    + phrase_table("cannot turn … off", "water … keeps running", "keeps running and running")
    + phrase_table("full of water", "water … standing", "standing water", "water … spraying", "spraying … water", "water … pouring out"),
}
# A deadline is "soon": "bis Freitag sollte es erledigt sein", "by Friday", "before the weekend"; so is a fault that gets worse.
_DAYS = {"de": ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "wochenende", "morgen", "übermorgen"),
         "en": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "the weekend", "tomorrow")}
_DEADLINE = {
    "de": phrase_table(*(f"bis {day} … {done}" for day in _DAYS["de"] for done in ("erledigt", "fertig", "gemacht", "repariert", "geht")))
    + phrase_table(*(f"bis zum {day}" for day in ("wochenende", "freitag", "montag")), *(f"spätestens {day}" for day in _DAYS["de"]))
    + phrase_table("vor dem wochenende", "noch vor dem wochenende", "vor dem wochenende noch", "bis ende der woche", "bis spätestens")
    + phrase_table("wird … schlimmer", "immer schlimmer", "schlimmer geworden", "je früher desto besser", "je eher desto besser"),
    "en": phrase_table(*(f"by {day}" for day in _DAYS["en"]), "before the weekend", "by the end of the week", "end of the week")
    + phrase_table("getting worse", "gets worse", "got worse", "worse and worse", "the sooner the better", "before it gets worse"),
}
_SOON = {
    "de": phrase_table("dringend", "eilig", "eilt", "so schnell wie möglich", "so bald wie möglich", "schnellstmöglich", "möglichst schnell")
    + phrase_table("möglichst bald", "baldmöglichst", "heute noch", "noch heute", "sofort", "umgehend", "zeitnah", "asap", "bald")
    + phrase_table("diese woche noch", "noch diese woche", "noch in dieser woche", "in dieser woche noch", "in den nächsten tagen")
    + phrase_table("die nächsten tage", "in den kommenden tagen", "so schnell es geht", "so bald es geht", "möglichst zeitnah")
    # "pressiert" is southern German for "eilt"; negated ("es pressiert nicht") it is no_rush, below.
    + phrase_table("heute oder morgen", "pressiert", "pressant"),
    "en": phrase_table("urgent", "urgently", "asap", "as soon as possible", "as soon as you can", "right away", "straight away", "immediately")
    + phrase_table("as quickly as possible", "today if possible", "soon", "sooner rather than later", "this week", "in the next few days")
    + phrase_table("next couple of days", "in the next couple of days", "within the week", "as quick as you can", "today or tomorrow"),
}
_NO_RUSH = {
    "de": phrase_table("keine eile", "nicht … eilig", "eilt nicht", "nicht … dringend", "hat zeit", "hat noch zeit", "kann warten", "keine hektik")
    + phrase_table("kein stress", "in ruhe", "wann es ihnen passt", "wenn sie zeit haben", "irgendwann")
    + phrase_table("wenn sie … zeit haben", "wenn es ihnen passt", "kann … warten", "eilt … nicht", "wenn es passt", "ganz entspannt")
    + phrase_table("wochen warten", "woche warten", "monat warten", "tage warten")
    + phrase_table("nichts dringend", "nichts eilig", "pressiert nicht", "pressiert … nicht", "nächsten wochen", "nächsten paar wochen"),
    "en": phrase_table("no rush", "no hurry", "not … urgent", "whenever", "in no hurry", "not in a hurry", "can wait", "no pressure")
    + phrase_table("when you have time", "at your convenience", "when it suits you", "when you get a chance", "when you get the chance")
    + phrase_table("when you get round to it", "when you get around to it", "no … rush", "no … hurry", "can … wait", "in your own time")
    + phrase_table("next few weeks", "next couple of weeks", "nothing urgent"),
}

# "Bis bald", "see you soon": a goodbye, not a deadline.
_FAREWELLS = re.compile(r"\b(?:bis\s+bald|see\s+you\s+soon|speak\s+soon|talk\s+soon|hear\s+from\s+you\s+soon|bald\s+wieder)\b", re.IGNORECASE)


_POWER_RE = re.compile(r"\b(?:strom|power|electricity)\b", re.IGNORECASE)
_ONE_POINT_RE = re.compile(r"\b(?:steckdose\w*|schalter|lampe|socket|outlet|plug|switch|lamp)\b", re.IGNORECASE)
_WHOLE_RE = re.compile(r"\b(?:ganze[nrm]?|überall|alle[ns]?|haus|whole|entire|everywhere|all the)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Urgency:
    """How urgent the caller made it sound, and the words that decided it ("" for unknown)."""

    level: UrgencyLevel
    reason: str = ""

# One table object per language and keyword list, so find_phrase's first-word index is built once, not on every call.
_SOON_OR_DEADLINE = {lang: _SOON[lang] + _DEADLINE[lang] for lang in _SOON}


@functools.lru_cache(maxsize=32)
def _emergency_table(lang: str, keywords: tuple[str, ...]) -> tuple[Phrase, ...]:
    custom = phrase_table(*(keyword if " " in keyword.strip() else "*" + keyword.strip() for keyword in keywords if keyword.strip()))
    return _EMERGENCY[lang] + custom


def parse_urgency(text: str, language: str, emergency_keywords: Sequence[str] = ()) -> Urgency:
    """Emergency beats soon beats no_rush; negated keywords ("kein Notfall", "no emergency") do not count.

    Only the caller's words matter: "Heizung ausgefallen" is an emergency in July too; the date is never consulted.
    """
    lang = lang_code(language)
    tokens = tokenize(_FAREWELLS.sub(lambda m: " " * len(m.group()), text))  # same length: reasons are cut from `text`
    levels: tuple[tuple[UrgencyLevel, Sequence[Phrase], bool], ...] = (
        ("emergency", _emergency_table(lang, tuple(emergency_keywords)), True),
        ("soon", _SOON_OR_DEADLINE[lang], True),
        ("no_rush", _NO_RUSH[lang], False),
    )
    for level, phrases, negatable in levels:
        match = find_phrase(tokens, phrases, inflect=True, negatable=negatable)
        if match is not None:
            reason = span_text(text, tokens, match)
            if level == "emergency" and _POWER_RE.search(reason) and _ONE_POINT_RE.search(text) and not _WHOLE_RE.search(text):
                continue  # one socket or light without power is a repair, not a power cut
            return Urgency(level, reason)
    return Urgency("unknown")
