"""The business profile at call time: open or closed now, and answers to callers' questions taken only from the config.

Pure functions of the profile and the clock; a question the profile cannot answer gets None, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time

from voicebridge.config import BusinessProfile, FaqEntry

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = {
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


def _fold(text: str) -> str:
    return text.lower().replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")


def _words(text: str) -> list[str]:
    return [_fold(w) for w in _WORD_RE.findall(text)]


def _has(words: list[str], folded: str, cues: tuple[str, ...]) -> bool:
    """A cue of one word matches a word starting with it ("preis" in "Preise"); a cue of several words matches as a phrase."""
    for cue in cues:
        if " " in cue:
            if re.search(rf"\b{re.escape(cue)}\b", folded):
                return True
        elif any(w.startswith(cue) for w in words):
            return True
    return False


_HOURS_CUES = ("oeffnungszeit", "geoeffnet", "offen", "aufhaben", "auf haben", "erreichbar", "sprechzeit", "opening", "open", "business hours")
_ADDRESS_CUES = ("ihre adresse", "eure adresse", "wo sind sie", "wo finde ich", "wo ist ihr", "ihr buero", "ihre werkstatt", "your address",
                 "where are you", "where is your", "where can i find", "located")
_AREA_CUES = ("einzugsgebiet", "gebiet", "kommen sie auch", "kommt ihr auch", "fahren sie auch", "auch nach", "auch in", "bis nach",
              "service area", "do you cover", "cover", "come out to", "come to", "area")
_SERVICE_CUES = ("machen sie", "macht ihr", "bieten sie", "leistungen", "reparieren sie", "installieren sie", "auch", "do you do",
                 "do you also", "do you offer", "services", "do you repair", "do you install", "do you fix")
_ASKING_CUES = ("frage", "fragen", "wissen", "erkundigen", "ask", "asking", "wonder", "wondering", "know")
_QUESTION_WORDS = ("wann", "wo", "was", "wie", "welche", "welcher", "haben", "machen", "kommen", "bieten", "kann", "koennen", "sind",
                   "gibt", "when", "where", "what", "how", "which", "do", "does", "are", "is", "can", "could")


@dataclass(frozen=True)
class Answer:
    topic: str  # hours, address, area, services, faq
    text: str


def _ranges(spec: str) -> list[tuple[time, time]]:
    out: list[tuple[time, time]] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        start, end = (p.strip() for p in part.split("-"))
        sh, sm = (int(x) for x in start.split(":"))
        eh, em = (int(x) for x in end.split(":"))
        out.append((time(sh, sm), time(23, 59, 59) if eh == 24 else time(eh, em)))
    return out


def _clock(t: time, language: str) -> str:
    if language == "de":
        return f"{t.hour}" if not t.minute else f"{t.hour}:{t.minute:02d}"
    suffix = "am" if t.hour < 12 else "pm"
    hour = t.hour % 12 or 12
    return f"{hour}{suffix}" if not t.minute else f"{hour}:{t.minute:02d}{suffix}"


def looks_like_question(text: str) -> bool:
    words = _words(text)
    asked = any(len(_words(m.group(0))) >= 2 for m in re.finditer(r"[^.!?]*\?", text))  # "Hallo?" alone asks nothing
    return asked or bool(words and words[0] in _QUESTION_WORDS) or bool(len(words) > 1 and words[0] in ("ja", "also", "hallo", "yes", "hi")
                                                                                 and words[1] in _QUESTION_WORDS)


class ProfileAnswers:
    def __init__(self, profile: BusinessProfile, language: str) -> None:
        self.profile = profile
        self.language = language
        self._hours = {day: _ranges(spec) for day, spec in asdict(profile.hours).items()}
        self._holidays = {date.fromisoformat(d) for d in profile.holidays}

    # -- opening hours -------------------------------------------------------------------------------------------------------------
    def is_open(self, now: datetime) -> bool:
        if now.date() in self._holidays:
            return False
        return any(start <= now.time() < end for start, end in self._hours[_DAYS[now.weekday()]])

    def hours_text(self, now: datetime | None = None) -> str | None:
        lang = self.language
        if not any(self._hours.values()):
            return None
        groups: list[tuple[int, int, list[tuple[time, time]]]] = []
        for i, day in enumerate(_DAYS):
            ranges = self._hours[day]
            if ranges and groups and groups[-1][1] == i - 1 and groups[-1][2] == ranges:
                groups[-1] = (groups[-1][0], i, ranges)
            elif ranges:
                groups.append((i, i, ranges))
        names = _DAY_NAMES[lang]
        parts = []
        for first, last, ranges in groups:
            days = names[first] if first == last else f"{names[first]} bis {names[last]}" if lang == "de" else f"{names[first]} to {names[last]}"
            if lang == "de":
                spans = " und ".join(f"von {_clock(a, lang)} bis {_clock(b, lang)} Uhr" for a, b in ranges)
            else:
                spans = " and ".join(f"from {_clock(a, lang)} to {_clock(b, lang)}" for a, b in ranges)
            parts.append(f"{days} {spans}")
        joined = "; ".join(parts)
        text = f"Wir sind {joined} für Sie da." if lang == "de" else f"We are open {joined}."
        if now is not None and now.date() in self._holidays:
            text += " Heute ist bei uns allerdings Feiertag." if lang == "de" else " Today, though, we are closed for a holiday."
        return text

    # -- questions -----------------------------------------------------------------------------------------------------------------
    def answer(self, text: str, now: datetime | None = None) -> Answer | None:
        """The profile's answer to a question in `text`, or None if the profile does not hold one (or it is no question)."""
        words, folded = _words(text), " ".join(_words(text))
        question = looks_like_question(text)
        # "Was kostet ...?", "Ich wollte nach den Preisen fragen": a question; "wegen des Angebots" in a message is not.
        faq = self._faq(words) if question or _has(words, folded, _ASKING_CUES) else None
        if faq is not None:
            return Answer("faq", faq)
        if _has(words, folded, _ADDRESS_CUES) and self.profile.address:
            return Answer("address", (f"Sie finden uns in der {self.profile.address}." if self.language == "de"
                                      else f"Our address is {self.profile.address}."))
        if _has(words, folded, _HOURS_CUES) and (question or _has(words, folded, ("oeffnungszeit", "opening hours"))):
            hours = self.hours_text(now)
            if hours:
                return Answer("hours", hours)
        area = self._area(text, words, folded) if question or _has(words, folded, ("einzugsgebiet", "service area")) else None
        if area is not None:
            return Answer("area", area)
        if question and _has(words, folded, _SERVICE_CUES):
            return self._services(words)
        return None

    def _faq(self, words: list[str]) -> str | None:
        best: tuple[int, FaqEntry] | None = None
        for entry in self.profile.faq:
            for keyword in entry.keywords:
                k = _fold(keyword)
                if any(w.startswith(k) if len(k) >= 4 else w == k for w in words) and (best is None or len(k) > best[0]):
                    best = (len(k), entry)
        if best is None:
            return None
        entry = best[1]
        return entry.answer_en if self.language == "en" and entry.answer_en else entry.answer

    def serves(self, text: str) -> bool | None:
        """True when a town or postcode in `text` is in the service area, False when one is named and is not, None if none."""
        from voicebridge.dialogue.parsers import parse_postcode  # the parser is large; only load it with the policy

        folded = _fold(text)
        if any(re.search(rf"\b{re.escape(_fold(t))}\b", folded) for t in self.profile.service_area_towns):
            return True
        postcode = parse_postcode(text, self.language)
        if postcode and self.profile.service_area_postcodes:
            return any(postcode.startswith(p) for p in self.profile.service_area_postcodes)
        return None

    def _area(self, text: str, words: list[str], folded: str) -> str | None:
        p = self.profile
        if not (p.service_area_towns or p.service_area_postcodes) or not _has(words, folded, _AREA_CUES):
            return None
        de = self.language == "de"
        towns = ", ".join(p.service_area_towns)
        served = self.serves(text)
        if served:
            return "Ja, da sind wir im Einsatz." if de else "Yes, we cover that area."
        where = f" Wir fahren nach {towns} und Umgebung." if de else f" We cover {towns} and the surrounding area."
        if served is False:
            return ("Das liegt leider außerhalb unseres Einsatzgebiets." if de else "I am afraid that is outside our service area.") + where
        return (("Das kann ich Ihnen nicht sicher sagen." if de else "I cannot tell you that for sure.") + where +
                (" Ich notiere Ihre Frage, und wir klären das beim Rückruf." if de else " I will note your question for the call-back."))

    def _services(self, words: list[str]) -> Answer | None:
        p = self.profile
        services = p.services_en if self.language == "en" and p.services_en else p.services
        if not services:
            return None
        de = self.language == "de"
        for service in services:
            stems = [w[:7] for w in _words(service) if len(w) >= 5]
            if any(any(w.startswith(s) or s.startswith(w[:7]) and len(w) >= 5 for w in words) for s in stems):
                return Answer("services", f"Ja, {service} gehört zu unseren Leistungen." if de else f"Yes, we do {service}.")
        listed = ", ".join(services)
        # Not one of ours by name: say so rather than guess, and list what the profile does hold.
        return Answer("services", f"Das kann ich Ihnen nicht sicher sagen. Unsere Leistungen sind: {listed}." if de
                      else f"I cannot tell you that for sure. Our services are: {listed}.")
