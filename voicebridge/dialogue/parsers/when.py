"""Dates and time windows: "nächste Woche Dienstag vormittags", "morgen zwischen 8 und 10", "asap", resolved against now.

Times are wall-clock in the caller's zone; phone and house numbers are blanked first so they are never read as hours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from voicebridge.dialogue.parsers.address import find_addresses
from voicebridge.dialogue.parsers.number_words import CARDINALS, ORDINALS
from voicebridge.dialogue.parsers.phone import phone_candidates
from voicebridge.dialogue.parsers.text import alternation, blank_spans, fold_text, folded, lang_code

DEFAULT_TIMEZONE = ZoneInfo("Europe/Berlin")

_WEEKDAYS = {
    "de": {"montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5, "sonnabend": 5, "sonntag": 6},
    "en": {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6},
}
_MONTHS = {
    "de": {
        fold_text(word): month
        for month, words in enumerate(
            (
                ("januar", "jänner", "jan"),
                ("februar", "feb"),
                ("märz", "mär"),
                ("april", "apr"),
                ("mai",),
                ("juni", "jun"),
                ("juli", "jul"),
                ("august", "aug"),
                ("september", "sept", "sep"),
                ("oktober", "okt"),
                ("november", "nov"),
                ("dezember", "dez"),
            ),
            1,
        )
        for word in words
    },
    "en": {
        word: month
        for month, words in enumerate(
            (
                ("january", "jan"),
                ("february", "feb"),
                ("march", "mar"),
                ("april", "apr"),
                ("may",),
                ("june", "jun"),
                ("july", "jul"),
                ("august", "aug"),
                ("september", "sept", "sep"),
                ("october", "oct"),
                ("november", "nov"),
                ("december", "dec"),
            ),
            1,
        )
        for word in words
    },
}
# Minutes of the day. Nachmittag/afternoon starts at noon (not after Mittag) so "heute Nachmittag" said at 12:30 still covers now;
# a day named without a part or a time means business hours, 08:00-20:00.
_DAY_PARTS = {"morning": (8 * 60, 12 * 60), "midday": (12 * 60, 14 * 60), "afternoon": (12 * 60, 17 * 60), "evening": (17 * 60, 20 * 60)}
_DAY_PARTS["night"] = (20 * 60, 24 * 60)
_WHOLE_DAY = (8 * 60, 20 * 60)
_DAY_PART_WORDS = {
    "de": folded(
        {
            "vormittag": "morning",
            "vor mittag": "morning",  # Whisper splits "vormittags" at 8 kHz
            "vor mittags": "morning",
            "vormittags": "morning",
            "morgens": "morning",
            "am morgen": "morning",
            "heute morgen": "morning",
            "früh": "morning",
        }
        | {"in der früh": "morning", "mittag": "midday", "mittags": "midday", "mittagszeit": "midday", "über mittag": "midday"}
        | {"mittagspause": "midday", "nachmittag": "afternoon", "nachmittags": "afternoon", "abend": "evening", "abends": "evening"}
        | {"feierabend": "evening", "nacht": "night", "nachts": "night"}
    ),
    "en": {"morning": "morning", "mornings": "morning", "noon": "midday", "midday": "midday", "lunchtime": "midday", "lunch time": "midday"}
    | {"afternoon": "afternoon", "afternoons": "afternoon", "evening": "evening", "evenings": "evening", "tonight": "evening"}
    | {"night": "night"},
}
# What already happened ("gestern Abend", "last night") says nothing about when to call back.
_PAST_RE = re.compile(r"\b(?:vorgestern|gestern|yesterday|last|letzte[nr]?|seit|since)\b(?:\s+(?:\w+))?")
_GREETINGS_RE = re.compile(
    r"\b(?:guten|gute|schoenen|schoenes|einen schoenen|good|nice|have a nice|have a good)\s+"
    r"(?:morgen|tag|abend|nacht|wochenende|morning|afternoon|evening|night|day|weekend)\b"
)
_ASAP_WORDS = {
    "de": tuple(
        fold_text(phrase)
        for phrase in ("ab sofort", "sofort", "so schnell wie möglich", "so bald wie möglich", "schnellstmöglich", "möglichst schnell")
        + ("möglichst bald", "so früh wie möglich", "umgehend", "asap", "baldmöglichst", "schnellstens")
    ),
    "en": (
        "as soon as possible",
        "asap",
        "a.s.a.p.",
        "right away",
        "immediately",
        "straight away",
        "as soon as you can",
        "earliest possible",
    ),
}
_CLOCK_UNITS = (
    r"tage?n?|wochen?|monate?n?|jahre?n?|minuten?|stunden?|mal|euro|prozent|stueck|leute|personen|days?|weeks?|months?|years?|minutes?|hours?|times|"
    r"percent|pounds?|dollars?|people"
)
_WEEK_OFFSETS = {"diese": 0, "this": 0, "naechste": 1, "kommende": 1, "next": 1, "coming": 1, "uebernaechste": 2}


# "ein paar Tage", "from one of them", "null Ahnung": too common to be read as hours.
_NOT_HOUR_WORDS = frozenset({"ein", "null", "one", "zero"})


def _hour_words(lang: str) -> str:
    return alternation(word for word, n in CARDINALS[lang].items() if n <= 24 and word not in _NOT_HOUR_WORDS)


def _clock_pattern(lang: str, n: str) -> str:
    hours = _hour_words(lang)
    if lang == "de":
        return (
            rf"(?:halb\s+(?P<half{n}>\d{{1,2}}|{hours})|(?P<named{n}>mittag|mitternacht)|"
            rf"(?P<h{n}>\d{{1,2}}|{hours})(?:[:.](?P<m{n}>\d{{2}}))?(?P<uhr{n}>\s*uhr(?:\s+(?P<um{n}>\d{{1,2}})\b)?)?)"
            rf"(?!\s*(?:{_CLOCK_UNITS})\b)(?![\w:])"
        )
    return (
        rf"(?:(?P<named{n}>noon|midday|midnight)|(?P<h{n}>\d{{1,2}}|{hours})(?:[:.](?P<m{n}>\d{{2}}))?"
        rf"(?:\s*(?P<ap{n}>[ap])\.?\s?m\b\.?|(?P<uhr{n}>\s*o'clock))?)(?!\s*(?:{_CLOCK_UNITS})\b)(?![\w:])"
    )


def _clock_regexes(lang: str) -> dict[str, re.Pattern[str]]:
    one, two = _clock_pattern(lang, "1"), _clock_pattern(lang, "2")
    if lang == "de":
        words = {"range": ("zwischen|von|ab", "-|–|bis|und"), "from": "ab|nach|fruehestens(?:\\s+(?:ab|um))?|nicht\\s+vor"}
        words |= {"until": "bis|vor|spaetestens(?:\\s+(?:um|bis))?|nicht\\s+nach", "at": "um|gegen|so\\s+um|so\\s+gegen|ca\\.?|circa|etwa"}
    else:
        words = {"range": ("between|from", "-|–|and|to|till|until"), "from": "after|from|not\\s+before|no\\s+earlier\\s+than"}
        words |= {"until": "before|until|till|by|no\\s+later\\s+than|not\\s+after", "at": "at|around|about|round"}
    range_pre, range_sep = words["range"]
    return {
        "range": re.compile(rf"(?<![\w.:])(?:(?P<pre>{range_pre})\s+)?{one}\s*(?P<sep>{range_sep})\s*{two}"),
        "from": re.compile(rf"\b(?P<pre>{words['from']})\s+{one}"),
        "until": re.compile(rf"\b(?P<pre>{words['until']})\s+{one}"),
        "at": re.compile(rf"(?<![\w.:])(?:(?P<pre>{words['at']})\s+)?{one}"),
    }


def _date_regexes(lang: str) -> list[re.Pattern[str]]:
    months = alternation(_MONTHS[lang])
    ordinals = alternation(ORDINALS[lang])
    if lang == "de":
        return [
            re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.(?:\s?(?P<y>\d{4}|\d{2})\b)?"),
            re.compile(rf"(?<![\d.])(?:(?P<d>\d{{1,2}})\.?|\b(?P<o>{ordinals})[nrsm]?)\s+(?P<mon>{months})\b\.?(?:\s+(?P<y>\d{{4}}))?"),
        ]
    day = rf"(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b|(?P<o>{ordinals})\b)"
    return [
        re.compile(rf"\b(?P<mon>{months})\b\.?\s+(?:the\s+)?{day}(?:,?\s+(?P<y>\d{{4}}))?"),
        re.compile(rf"\b(?:the\s+)?{day}\s+(?:of\s+)?(?P<mon>{months})\b(?:,?\s+(?P<y>\d{{4}}))?"),
    ]


def _relative_regexes(lang: str) -> list[tuple[re.Pattern[str], int | None]]:
    """(pattern, days from today); None means the count is in the group "n"."""
    count = rf"(?P<n>\d{{1,2}}|{_hour_words(lang)})"
    if lang == "de":
        return [
            (re.compile(r"\buebermorgen\b"), 2),
            (re.compile(r"(?<!guten )(?<!am )(?<!heute )(?<!jeden )(?<!den )(?<!diesen )(?<!gestern )\bmorgen\b(?!s)"), 1),
            (re.compile(r"\bheute\b"), 0),
            (re.compile(rf"\bin\s+{count}\s+tagen\b"), None),
            (re.compile(r"\bin\s+(?:einer|1)\s+woche\b"), 7),
        ]
    return [
        (re.compile(r"\b(?:the\s+)?day\s+after\s+tomorrow\b"), 2),
        (re.compile(r"\btomorrow\b"), 1),
        (re.compile(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening))\b"), 0),
        (re.compile(rf"\bin\s+{count}\s+days\b"), None),
        (re.compile(r"\bin\s+(?:a|one)\s+week\b"), 7),
    ]


def _weekday_regex(lang: str) -> re.Pattern[str]:
    weekdays = alternation(_WEEKDAYS[lang])
    if lang == "de":
        return re.compile(rf"\b(?:(?P<mod>uebernaechste|naechste|kommende|diese)[nrm]?\s+)?(?P<wd>{weekdays})s?\b")
    return re.compile(rf"\b(?:(?P<mod>next|this|coming)\s+)?(?P<wd>{weekdays})s?\b(?P<after>\s+after\s+next)?")


def _week_regexes(lang: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(week, weekend); the "which" group says this/next/the one after."""
    if lang == "de":
        week = re.compile(r"\b(?P<which>uebernaechste|naechste|kommende|diese)[nrm]?\s+woche\b")
        return week, re.compile(r"\bwochenende\b")
    return re.compile(r"\b(?:(?P<which>this|next|coming)\s+week|week\s+after\s+next)\b"), re.compile(r"\bweekend\b")


_CLOCK_RES = {lang: _clock_regexes(lang) for lang in ("de", "en")}
_DATE_RES = {lang: _date_regexes(lang) for lang in ("de", "en")}
_RELATIVE_RES = {lang: _relative_regexes(lang) for lang in ("de", "en")}
_WEEKDAY_RES = {lang: _weekday_regex(lang) for lang in ("de", "en")}
_WEEK_RES = {lang: _week_regexes(lang) for lang in ("de", "en")}
_ASAP_RES = {lang: re.compile(rf"(?<![\w.])(?:{alternation(words)})(?![\w])") for lang, words in _ASAP_WORDS.items()}
_DAY_PART_RES = {lang: re.compile(rf"\b(?:{alternation(words)})\b") for lang, words in _DAY_PART_WORDS.items()}
_WEEKDAY_SHORT = {"de": ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"), "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
_MONTH_SHORT_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ASAP_LABEL = {"de": "so schnell wie möglich", "en": "as soon as possible"}


@dataclass(frozen=True)
class TimeWindow:
    """When the caller wants to be called back or visited: [start, end) in the time zone of `now`, plus a label for the note.

    `asap` is set for "so schnell wie möglich"/"as soon as possible"; alone it gives the rest of today (now until midnight).
    """

    start: datetime
    end: datetime
    label: str
    asap: bool = False


@dataclass(frozen=True)
class _ClockPoint:
    hour: int
    minute: int
    meridiem: str | None  # "a" / "p" when said, else None
    fixed: bool  # "Mittag", "midnight", "3 pm": no am/pm guessing


@dataclass(frozen=True)
class _Clock:
    kind: str  # range / from / until / at
    first: _ClockPoint
    second: _ClockPoint | None = None


@dataclass(frozen=True)
class _Days:
    first: date
    last: date  # inclusive


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.replace(tzinfo=DEFAULT_TIMEZONE)


def _at(day: date, minutes: int, now: datetime) -> datetime:
    # Wall-clock arithmetic from local midnight keeps 08:00 at 08:00 across a DST change.
    return datetime.combine(day, time(), tzinfo=now.tzinfo) + timedelta(minutes=minutes)


def _number_value(word: str, lang: str) -> int | None:
    return int(word) if word.isdigit() else CARDINALS[lang].get(word)


def _negated_before(s: str, start: int) -> bool:
    return any(word in ("nicht", "not", "kein", "keinen") for word in s[:start].split()[-2:])


def _clock_point(m: re.Match[str], n: str, lang: str) -> _ClockPoint | None:
    groups = m.groupdict()
    named = groups.get(f"named{n}")
    if named:
        return _ClockPoint(0 if named in ("mitternacht", "midnight") else 12, 0, None, True)
    half = groups.get(f"half{n}")
    if half:  # "halb drei" is 2:30
        value = _number_value(half, lang)
        return None if value is None or not 1 <= value <= 12 else _ClockPoint(value - 1 or 12, 30, None, False)
    hour = _number_value(groups[f"h{n}"], lang)
    minute = int(groups.get(f"m{n}") or groups.get(f"um{n}") or 0)
    meridiem = groups.get(f"ap{n}")
    if hour is None or hour > 23 or minute > 59 or (meridiem and not 1 <= hour <= 12):
        return None
    return _ClockPoint(hour, minute, meridiem, hour > 12 or hour == 0)


def _has_marker(m: re.Match[str], n: str) -> bool:
    groups = m.groupdict()
    return any(groups.get(f"{name}{n}") for name in ("m", "uhr", "ap", "named", "half"))


def _find_clock(s: str, lang: str) -> tuple[str, _Clock | None]:
    regexes = _CLOCK_RES[lang]
    for m in regexes["range"].finditer(s):
        connective = m.group("sep") in ("und", "and")
        if (m.group("pre") or not connective) and (m.group("pre") or _has_marker(m, "1") or _has_marker(m, "2")):
            first, second = _clock_point(m, "1", lang), _clock_point(m, "2", lang)
            if first and second and not (connective and m.group("pre") in ("von", "from", "ab")):
                return blank_spans(s, [m.span()]), _Clock("range", first, second)
    for kind in ("from", "until"):
        for m in regexes[kind].finditer(s):
            point = _clock_point(m, "1", lang)
            if point:
                return blank_spans(s, [m.span()]), _Clock(kind, point)
    for m in regexes["at"].finditer(s):
        point = _clock_point(m, "1", lang)
        if point and (m.group("pre") or _has_marker(m, "1")):
            return blank_spans(s, [m.span()]), _Clock("at", point)
    return s, None


def _resolve(point: _ClockPoint, part: tuple[int, int] | None) -> int:
    """Minutes of the day; "um 3" means 15:00 and "7 Uhr" 07:00 unless a day part says otherwise."""
    hour = point.hour
    if point.meridiem == "p" and hour < 12:
        hour += 12
    elif point.meridiem == "a" and hour == 12:
        hour = 0
    elif point.meridiem is None and not point.fixed and 1 <= hour <= 11:
        morning, evening = hour * 60 + point.minute, (hour + 12) * 60 + point.minute
        if part is not None and (part[0] <= morning <= part[1] or part[0] <= evening <= part[1]):
            hour = hour + 12 if not part[0] <= morning <= part[1] else hour
        elif hour <= 6:
            hour += 12  # nobody books a tradesman for 3 in the morning
    return hour * 60 + point.minute


def _clock_minutes(clock: _Clock, part: tuple[int, int] | None) -> tuple[int, int]:
    first = _resolve(clock.first, part)
    if clock.kind == "range" and clock.second is not None:
        second = _resolve(clock.second, part)
        if second <= first and clock.second.meridiem is None and second + 12 * 60 <= 24 * 60:
            second += 12 * 60  # "between 10 and 2"
        return first, max(second, first + 15)
    if clock.kind == "from":
        end = part[1] if part and part[1] > first else max(first + 120, _WHOLE_DAY[1])
        return first, min(end, 24 * 60)
    if clock.kind == "until":
        start = part[0] if part and part[0] < first else (_WHOLE_DAY[0] if first > _WHOLE_DAY[0] else max(0, first - 120))
        return start, first
    return first, min(first + 60, 24 * 60)


def _find_day_part(s: str, lang: str) -> tuple[int, int] | None:
    m = _DAY_PART_RES[lang].search(s)
    return _DAY_PARTS[_DAY_PART_WORDS[lang][m.group()]] if m else None


def _roll_date(year: int | None, month: int, day: int, today: date) -> date | None:
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, day)
        candidate = date(today.year, month, day)
        # A date already past this year means next year's ("am 3. Januar" said in November).
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def _earliest(found: Iterable[tuple[tuple[int, int], date]]) -> tuple[tuple[int, int], date] | None:
    # "heute oder morgen": the first thing said counts.
    return min(found, key=lambda item: item[0], default=None)


def _explicit_date(s: str, lang: str, today: date) -> tuple[tuple[int, int], date] | None:
    found = []
    for regex in _DATE_RES[lang]:
        for m in regex.finditer(s):
            groups = m.groupdict()
            day = int(groups["d"]) if groups.get("d") else ORDINALS[lang].get(groups.get("o") or "", 0)
            month = int(groups["m"]) if groups.get("m") else _MONTHS[lang].get(groups.get("mon") or "", 0)
            resolved = _roll_date(int(groups["y"]) if groups.get("y") else None, month, day, today)
            if resolved and not _negated_before(s, m.start()):
                found.append((m.span(), resolved))
    return _earliest(found)


def _week_offset(s: str, lang: str) -> int | None:
    week, _ = _WEEK_RES[lang]
    m = week.search(s)
    if m is None:
        return None
    return 2 if m.group("which") is None else _WEEK_OFFSETS[m.group("which")]


def _weekday_date(s: str, lang: str, today: date) -> tuple[tuple[int, int], date] | None:
    for m in _WEEKDAY_RES[lang].finditer(s):
        if _negated_before(s, m.start()):
            continue
        weekday = _WEEKDAYS[lang][m.group("wd")]
        offset = _week_offset(s, lang)
        if offset:  # "Dienstag nächste Woche": the Tuesday of that calendar week
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
            return m.span(), monday + timedelta(days=weekday)
        ahead = (weekday - today.weekday() - 1) % 7 + 1  # never today
        extra = 7 if m.group("mod") == "uebernaechste" or m.groupdict().get("after") else 0
        return m.span(), today + timedelta(days=ahead + extra)
    return None


def _relative_date(s: str, lang: str, today: date) -> tuple[tuple[int, int], date] | None:
    found = []
    for regex, days in _RELATIVE_RES[lang]:
        for m in regex.finditer(s):
            count = days if days is not None else _number_value(m.group("n"), lang)
            if count is not None and not _negated_before(s, m.start()):
                found.append((m.span(), today + timedelta(days=count)))
    return _earliest(found)


def _week_range(s: str, lang: str, today: date) -> _Days | None:
    week, weekend = _WEEK_RES[lang]
    offset = _week_offset(s, lang)
    if offset is not None:
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
        return _Days(monday, monday + timedelta(days=6))
    if weekend.search(s):
        saturday = today + timedelta(days=(5 - today.weekday()) % 7) if today.weekday() < 5 else today - timedelta(days=today.weekday() - 5)
        return _Days(saturday, saturday + timedelta(days=1))
    return None


def _find_days(s: str, lang: str, today: date) -> _Days | None:
    # A date beats "heute"/"morgen" beats a weekday beats a whole week: the most specific thing said wins.
    for finder in (_explicit_date, _relative_date, _weekday_date):
        found = finder(s, lang, today)
        if found is not None:
            return _Days(found[1], found[1])
    return _week_range(s, lang, today)


def _day_label(day: date, lang: str, now: datetime) -> str:
    weekday = _WEEKDAY_SHORT[lang][day.weekday()]
    if lang == "de":
        label = f"{weekday} {day.day:02d}.{day.month:02d}."
        return label + str(day.year) if day.year != now.year else label
    label = f"{weekday} {day.day} {_MONTH_SHORT_EN[day.month - 1]}"
    return f"{label} {day.year}" if day.year != now.year else label


def _window_label(start: datetime, end: datetime, lang: str, now: datetime) -> str:
    last_day = (end - timedelta(microseconds=1)).date()
    if last_day != start.date():
        return f"{_day_label(start.date(), lang, now)} – {_day_label(last_day, lang, now)}"
    until = "24:00" if end.date() > start.date() else f"{end:%H:%M}"
    return f"{_day_label(start.date(), lang, now)}, {start:%H:%M}–{until}" + (" Uhr" if lang == "de" else "")


def parse_when(text: str, language: str, now: datetime) -> TimeWindow | None:
    """When the caller wants something, resolved against `now` (a naive `now` is taken as Europe/Berlin); None when nothing was said.

    A weekday means its next occurrence, never today; "nächste Woche Dienstag" is the Tuesday of next calendar week; a time
    with no day is today if the window is still ahead, else tomorrow; hours 1-6 without am/pm are afternoon hours.
    """
    lang = lang_code(language)
    now = _aware(now)
    today = now.date()
    # Phone numbers and house numbers are not times ("Hauptstraße 10" is no 10 o'clock).
    numbers = [(run.start, run.end) for _, run, _ in phone_candidates(text, lang)]
    numbers += [span for match in find_addresses(text) for span in match.number_spans]
    s = fold_text(blank_spans(text, numbers))
    for regex in (_GREETINGS_RE, _PAST_RE):
        s = regex.sub(lambda m: "#" * len(m.group()), s)
    asap_spans = [m.span() for m in _ASAP_RES[lang].finditer(s)]
    asap = any(not _negated_before(s, start) for start, _ in asap_spans)
    s = blank_spans(s, asap_spans)
    date_found = _explicit_date(s, lang, today)
    if date_found:
        s = blank_spans(s, [date_found[0]])
    s, clock = _find_clock(s, lang)
    part = _find_day_part(s, lang)
    days = _Days(date_found[1], date_found[1]) if date_found else _find_days(s, lang, today)

    if days is None and clock is None and part is None:
        if not asap:
            return None
        end = _at(today + timedelta(days=1), 0, now)
        return TimeWindow(now, end, _ASAP_LABEL[lang], asap=True)
    if days is not None and days.first != days.last:
        start, end = max(now, _at(days.first, 0, now)), _at(days.last + timedelta(days=1), 0, now)
    else:
        minutes = _clock_minutes(clock, part) if clock else part or _WHOLE_DAY
        day = days.first if days else (today if _at(today, minutes[1], now) > now else today + timedelta(days=1))
        start, end = _at(day, minutes[0], now), _at(day, minutes[1], now)
        if start < now < end:
            start = now
    label = _window_label(start, end, lang, now)
    return TimeWindow(start, end, f"{_ASAP_LABEL[lang]}, {label}" if asap else label, asap)
