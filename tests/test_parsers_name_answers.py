"""Answers to the name question: bare names, surname first, spelled letters, and a first name that completes an earlier surname."""

from __future__ import annotations

import pytest

from voicebridge.dialogue.parsers.name_answers import complete_name, parse_name_answer, parse_spelled_name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("K, O, W, A, L, S, K, I.", "Kowalski"),
        ("Kowalski. K, O, W, A, L, S, K, I.", "Kowalski"),
        ("K-O-W-A-L-S-K-I", "Kowalski"),  # as Whisper glues the letters
        ("K wie Konrad, O wie Otto, W wie Wilhelm, A wie Anton, L wie Ludwig, S wie Siegfried, K wie Kaufmann, I wie Ida", "Kowalski"),
        ("Müller mit Doppel-L: M, Ü, doppel L, E, R", "Müller"),
        ("S for Sierra, M for Mike, I for India, T for Tango, H for Hotel", "Smith"),
    ],
)
def test_spelled_names_are_assembled(text: str, name: str) -> None:
    assert parse_spelled_name(text, "de") == name


@pytest.mark.parametrize("text", ["Ich wohne in der Straße A.", "Das ist Block B, Eingang C.", "Ja, OK."])
def test_a_letter_or_two_is_no_spelled_name(text: str) -> None:
    assert parse_spelled_name(text, "de") is None


@pytest.mark.parametrize(
    ("language", "text", "name"),
    [
        ("de", "Ja, Meier.", "Meier"),
        ("de", "Hartmann, Elfriede.", "Elfriede Hartmann"),
        ("de", "Elfriede, Hartmann.", "Elfriede Hartmann"),
        ("de", "Ja, Koch, Herr Koch.", "Herr Koch"),
        ("de", "Koch.", "Koch"),
        ("de", "Becker.", "Becker"),
        ("de", "Sommer, Peter Sommer.", "Peter Sommer"),
        ("de", "Frau Dr. Becker.", "Frau Dr. Becker"),
        ("de", "Anna Müller-Lüdenscheidt.", "Anna Müller-Lüdenscheidt"),
        ("de", "Mehmet Öztürk.", "Mehmet Öztürk"),
        ("de", "Grzegorz Brzęczyszczykiewicz.", "Grzegorz Brzęczyszczykiewicz"),
        ("de", "Mein Name ist Sommer.", "Sommer"),
        ("de", "Also, äh, Winter.", "Winter"),
        ("en", "John Smith.", "John Smith"),
        ("en", "Mr. Smith.", "Mr. Smith"),
        ("en", "It's Sarah O'Brien.", "Sarah O'Brien"),
    ],
)
def test_name_answers(language: str, text: str, name: str) -> None:
    assert parse_name_answer(text, language) == name


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Die Heizung ist kaputt."),
        ("de", "Ja, das ist im Keller."),
        ("de", "Ich weiß nicht."),
        ("de", "Am besten nächste Woche Dienstag vormittags."),
        ("en", "It's in the kitchen."),
        ("en", "Sorry, what?"),
    ],
)
def test_answers_that_hold_no_name(language: str, text: str) -> None:
    assert parse_name_answer(text, language) is None


@pytest.mark.parametrize(
    ("known", "text", "completed"),
    [
        ("Frau Hartmann", "Hartmann, Elfriede.", "Elfriede Hartmann"),
        ("Frau Hartmann", "Elfriede.", "Elfriede Hartmann"),
        ("Frau Hartmann", "Vorname Elfriede.", "Elfriede Hartmann"),
        ("Frau Dr. Hartmann", "Elfriede Hartmann.", "Dr. Elfriede Hartmann"),
        ("Mr Huber", "Tom Huber.", "Tom Huber"),
    ],
)
def test_a_later_first_name_completes_the_surname(known: str, text: str, completed: str) -> None:
    assert complete_name(known, text, "de") == completed


@pytest.mark.parametrize(("known", "text"), [("Herr Koch", "Koch."), ("Peter Müller", "Müller."), ("Frau Hartmann", "Die Heizung ist kaputt.")])
def test_nothing_to_complete(known: str, text: str) -> None:
    assert complete_name(known, text, "de") is None
