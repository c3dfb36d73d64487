"""Short replies: corrections, a wish for a person, goodbyes, yes and no to a read-back."""

from __future__ import annotations

import pytest

from voicebridge.dialogue.parsers.replies import is_goodbye, is_no, is_yes, parse_correction, wants_person

# --- corrections and short replies -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nein, die Nummer ist 0171 2345679", True),
        ("Moment, falsch", True),
        ("no, it's 0171 2345678", True),
        ("sorry, I meant seven", True),
        ("Nein, Müller mit ü", True),
        ("Nicht 0171, sondern 0172", True),
        ("Actually, it's Smith", True),
        ("Ich habe mich versprochen, die letzte Ziffer ist eine Neun", True),
        ("Nein.", False),
        ("Nein, danke", False),
        ("No, that's all", False),
        ("ja genau", False),
        ("Das ist nicht falsch", False),
        ("Einen Moment bitte", False),
    ],
)
def test_correction(text: str, expected: bool) -> None:
    assert parse_correction(text, "de") is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kann ich mit einem Mitarbeiter sprechen?", True),
        ("Ich möchte einen Menschen", True),
        ("Ich will mit jemandem sprechen", True),
        ("Verbinden Sie mich bitte mit Herrn Meier", True),
        ("operator", True),
        ("I want a real person", True),
        ("can I speak to someone", True),
        ("Ihr Mitarbeiter war gestern da", False),
        ("Sie müssen mich nicht verbinden", False),
        ("Die Heizung ist kaputt", False),
    ],
)
def test_wants_person(text: str, expected: bool) -> None:
    assert wants_person(text, "de") is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tschüss!", True),
        ("Auf Wiederhören", True),
        ("Danke, das war's", True),
        ("bye", True),
        ("that's all, thanks", True),
        ("Das war's noch nicht", False),
        ("Hallo", False),
        ("Ich habe eine Frage", False),
    ],
)
def test_goodbye(text: str, expected: bool) -> None:
    assert is_goodbye(text, "de") is expected


@pytest.mark.parametrize(
    ("text", "yes", "no"),
    [
        ("Ja", True, False),
        ("ja, genau", True, False),
        ("Richtig.", True, False),
        ("stimmt", True, False),
        ("korrekt", True, False),
        ("Okay", True, False),
        ("yes", True, False),
        ("correct", True, False),
        ("that's right", True, False),
        ("No problem", True, False),
        ("Nein", False, True),
        ("falsch", False, True),
        ("Ne", False, True),
        ("no", False, True),
        ("wrong", False, True),
        ("nope", False, True),
        ("stimmt nicht", False, True),
        ("nicht richtig", False, True),
        ("Das ist nicht korrekt", False, True),
        ("Ja, aber die letzte Ziffer ist falsch", False, True),
        ("Hm", False, False),
        ("Wie bitte?", False, False),
    ],
)
def test_yes_and_no_for_a_read_back(text: str, yes: bool, no: bool) -> None:
    assert (is_yes(text, "de"), is_no(text, "de")) == (yes, no)


def test_short_replies_work_whatever_language_whisper_guessed() -> None:
    assert is_yes("Genau", "en") and is_no("No", "de-DE")
    assert is_goodbye("Bye!", "de") and is_goodbye("Tschüss", "en")
