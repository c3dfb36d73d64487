"""Dates and time windows resolved against a fixed now: days, clock times, day parts, asap, DST."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from voicebridge.dialogue.parsers.when import parse_when

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)  # a Wednesday


def at(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


# --- dates and times ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "start", "end"),
    [
        ("de", "morgen Vormittag", at(26, 8), at(26, 12)),
        ("de", "übermorgen", at(27, 8), at(27, 20)),
        ("de", "uebermorgen", at(27, 8), at(27, 20)),
        ("de", "heute Nachmittag", at(25, 12), at(25, 17)),
        ("de", "heute Vormittag", NOW, at(25, 12)),
        ("de", "am Montag", at(30, 8), at(30, 20)),
        ("de", "am Mittwoch", at(2, 8, month=12), at(2, 20, month=12)),  # today is Wednesday: the next one
        ("de", "nächsten Dienstag", at(1, 8, month=12), at(1, 20, month=12)),
        ("de", "Dienstag nächste Woche", at(1, 8, month=12), at(1, 20, month=12)),
        ("de", "übernächsten Dienstag", at(8, 8, month=12), at(8, 20, month=12)),
        ("de", "Freitag ab 14 Uhr", at(27, 14), at(27, 20)),
        ("de", "Freitag nachmittag ab 14 Uhr", at(27, 14), at(27, 17)),
        ("de", "zwischen 8 und 10 Uhr", at(26, 8), at(26, 10)),  # already over today
        ("de", "morgen zwischen 9 und 11", at(26, 9), at(26, 11)),
        ("de", "14-16 Uhr", at(25, 14), at(25, 16)),
        ("de", "um 14:30", at(25, 14, 30), at(25, 15, 30)),
        ("de", "um halb drei", at(25, 14, 30), at(25, 15, 30)),
        ("de", "morgen um 3", at(26, 15), at(26, 16)),
        ("de", "heute Abend um 7", at(25, 19), at(25, 20)),
        ("de", "morgen früh um 7", at(26, 7), at(26, 8)),
        ("de", "bis 12 Uhr", NOW, at(25, 12)),
        ("de", "am 3. Dezember", at(3, 8, month=12), at(3, 20, month=12)),
        ("de", "am dritten Dezember", at(3, 8, month=12), at(3, 20, month=12)),
        ("de", "am 03.12.", at(3, 8, month=12), at(3, 20, month=12)),
        ("de", "am 1. Januar", at(1, 8, month=1, year=2027), at(1, 20, month=1, year=2027)),  # past this year: next year
        ("de", "am 3.1.", at(3, 8, month=1, year=2027), at(3, 20, month=1, year=2027)),
        ("de", "diese Woche", NOW, at(30, 0)),
        ("de", "nächste Woche", at(30, 0), at(7, 0, month=12)),
        ("de", "am Wochenende", at(28, 0), at(30, 0)),
        ("de", "in zwei Tagen", at(27, 8), at(27, 20)),
        ("de", "Nicht morgen, sondern übermorgen", at(27, 8), at(27, 20)),
        ("de", "heute oder morgen", NOW, at(25, 20)),
        ("en", "tomorrow morning", at(26, 8), at(26, 12)),
        ("en", "this afternoon", at(25, 12), at(25, 17)),
        ("en", "on Monday", at(30, 8), at(30, 20)),
        ("en", "next Tuesday", at(1, 8, month=12), at(1, 20, month=12)),
        ("en", "Tuesday after next", at(8, 8, month=12), at(8, 20, month=12)),
        ("en", "between 8 and 10", at(26, 8), at(26, 10)),
        ("en", "after 2 pm", at(25, 14), at(25, 20)),
        ("en", "from 10 to 2", NOW, at(25, 14)),
        ("en", "by 5", NOW, at(25, 17)),
        ("en", "at noon", at(25, 12), at(25, 13)),
        ("en", "tonight", at(25, 17), at(25, 20)),
        ("en", "December 3rd", at(3, 8, month=12), at(3, 20, month=12)),
        ("en", "the third of December", at(3, 8, month=12), at(3, 20, month=12)),
        ("en", "sometime next week", at(30, 0), at(7, 0, month=12)),
    ],
)
def test_when_resolves_against_now(language: str, text: str, start: datetime, end: datetime) -> None:
    window = parse_when(text, language, NOW)
    assert window is not None
    assert (window.start, window.end) == (start, end)
    assert not window.asap


@pytest.mark.parametrize(
    ("language", "text", "label"),
    [
        ("de", "ab sofort", "so schnell wie möglich"),
        ("de", "so schnell wie möglich", "so schnell wie möglich"),
        ("de", "bitte schnellstmöglich", "so schnell wie möglich"),
        ("en", "as soon as possible", "as soon as possible"),
        ("en", "ASAP please", "as soon as possible"),
    ],
)
def test_asap_alone_means_the_rest_of_today(language: str, text: str, label: str) -> None:
    window = parse_when(text, language, NOW)
    assert window is not None and window.asap
    assert (window.start, window.end, window.label) == (NOW, at(26, 0), label)


def test_asap_with_a_day_keeps_the_day_and_the_flag() -> None:
    window = parse_when("so schnell wie möglich, am besten morgen Vormittag", "de", NOW)
    assert window is not None and window.asap
    assert (window.start, window.end) == (at(26, 8), at(26, 12))
    assert window.label == "so schnell wie möglich, Do 26.11., 08:00–12:00 Uhr"


@pytest.mark.parametrize(
    ("language", "text", "label"),
    [
        ("de", "morgen Vormittag", "Do 26.11., 08:00–12:00 Uhr"),
        ("de", "nächste Woche", "Mo 30.11. – So 06.12."),
        ("de", "am 1. Januar", "Fr 01.01.2027, 08:00–20:00 Uhr"),
        ("de", "heute Nacht", "Mi 25.11., 20:00–24:00 Uhr"),
        ("en", "tomorrow morning", "Thu 26 Nov, 08:00–12:00"),
    ],
)
def test_when_label(language: str, text: str, label: str) -> None:
    window = parse_when(text, language, NOW)
    assert window is not None
    assert window.label == label


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Guten Morgen, hier ist Müller"),
        ("de", "Guten Abend"),
        ("de", "Hauptstraße 10, bitte"),
        ("de", "Meine Nummer ist 0171 2345678"),
        ("de", "gestern Abend ist das Rohr geplatzt"),
        ("de", "Die Heizung ist seit Montag kaputt"),
        ("de", "vor 2 Wochen"),
        ("de", "Ich habe seit 3 Tagen kein Warmwasser"),
        ("en", "at 12 Baker Street"),
        ("en", "Good afternoon, this is John"),
        ("de", "Wir haben einen Rohrbruch"),
    ],
)
def test_no_time_window(language: str, text: str) -> None:
    assert parse_when(text, language, NOW) is None


def test_when_keeps_local_wall_clock_across_dst() -> None:
    friday_before_dst = datetime(2027, 3, 26, 9, 0, tzinfo=BERLIN)
    window = parse_when("am Sonntag um 10 Uhr", "de", friday_before_dst)
    assert window is not None
    assert window.start == datetime(2027, 3, 28, 10, 0, tzinfo=BERLIN)
    assert window.start.utcoffset() == timedelta(hours=2)


def test_naive_now_is_taken_as_berlin() -> None:
    window = parse_when("morgen Vormittag", "de", datetime(2026, 11, 25, 10, 0))
    assert window is not None
    assert window.start == at(26, 8)
    assert window.start.tzinfo is not None
