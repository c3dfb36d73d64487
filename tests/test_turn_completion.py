"""Slot-aware end of turn: what the agent asked for and the draft transcript decide the hangover."""

from __future__ import annotations

import pytest

from voicebridge.dialogue.parsers import parse_phone_number
from voicebridge.turn.turn_completion import Completion, HangoverSettings, decide_hangover, ends_on_digit, judge_turn, number_state

C, S, OP, U = Completion.COMPLETE, Completion.SENTENCE, Completion.OPEN, Completion.UNFINISHED


@pytest.mark.parametrize(
    ("asking", "text", "language", "expected"),
    [
        # a whole, valid phone number after the number question
        ("number", "Meine Nummer ist 0171 234 5678.", "de", C),
        ("number", "null eins sieben eins, zwei drei vier, fünf sechs sieben acht", "de", C),
        ("number", "It's 030 123 4567.", "en", C),
        ("number", "+49 30 1234567", "de", C),
        # ... and visibly unfinished ones
        ("number", "Meine Nummer ist null eins sieben", "de", U),
        ("number", "Meine Nummer ist 0171 234", "de", U),
        ("number", "My number is 0171.", "en", U),
        ("number", "Meine Nummer ist", "de", U),
        ("number", "Die Vorwahl ist 030 und", "de", U),
        # name and number together
        ("contact", "My name is Peter Smith and my number is 0171 234 5678.", "en", C),
        ("contact", "Hier ist Anna Schmidt, rufen Sie mich unter 030 123 4567", "de", C),
        ("contact", "My name is Peter Smith and my number is 0171 234", "en", U),
        ("contact", "0171 234 5678", "de", OP),  # the name may follow
        ("contact", "Mein Name ist Peter Müller und", "de", U),
        # yes / no after a read-back
        ("confirm_number", "Ja.", "de", C),
        ("confirm_number", "Yes, that's right.", "en", C),
        ("confirm_number", "Nein.", "de", C),
        ("confirm_number", "Nein, die letzte Ziffer ist", "de", U),
        ("transfer_offer", "No, thanks.", "en", C),
        # a name after the name question
        ("name", "Müller.", "de", C),
        ("name", "Mein Name ist Peter Müller.", "de", C),
        ("name", "My name is", "en", U),
        # a whole address
        ("address", "Hauptstraße 12, 10115 Berlin.", "de", C),
        ("address", "Hauptstraße 12 in", "de", U),
        ("address", "Hauptstraße 12", "de", OP),
        # open questions: a finished sentence, a trailing conjunction, a filler
        ("concern", "Hello, my heating stopped working this morning.", "en", S),
        ("concern", "Meine Heizung ist ausgefallen und", "de", U),
        ("concern", "Also", "de", U),
        ("concern", "Well, I was wondering whether...", "en", U),
        ("concern", "Heizung", "de", OP),
        ("concern", "My heating broke at 5.", "en", S),
        ("concern", "The heating is broken, call me on 0171 234 5678.", "en", C),  # a digit, but not a number being spoken
        ("anything_else", "Nein, das war's.", "de", C),
        ("urgency", "Es ist ein Notfall.", "de", C),
        ("window", "Morgen", "de", OP),
        ("concern", "", "de", OP),
    ],
)
def test_judge_turn(asking: str, text: str, language: str, expected: Completion) -> None:
    completion, reason = judge_turn(asking, text, language)
    assert completion is expected, reason
    assert reason


def test_decision_carries_the_configured_hangover() -> None:
    settings = HangoverSettings(default_ms=600, complete_ms=200, sentence_ms=400, unfinished_ms=1500)
    assert decide_hangover("number", "0171 234 5678", "de", settings).hangover_ms == 200
    assert decide_hangover("number", "0171 234", "de", settings).hangover_ms == 1500
    assert decide_hangover("concern", "The heating stopped working.", "en", settings).hangover_ms == 400
    assert decide_hangover("concern", "Heizung", "de", settings).hangover_ms == 600


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0171 2345678", C), ("0171 234567", OP), ("0171 2345", U), ("0160 998877", C), ("030 1234567", C), ("030 12345", OP),
     ("0301", U), ("+49 171 2345678", C), ("555 123 4567", C), ("07700 900123", C)],
)
def test_number_state_by_prefix(text: str, expected: Completion) -> None:
    number = parse_phone_number(text, "de")
    if number is None:
        assert expected is U
        return
    assert number_state(number) is expected


@pytest.mark.parametrize(("text", "inside"), [
    ("Meine Nummer ist 0171.", True),
    ("234 5678", True),
    ("meine Nummer ist null eins sieben", True),
    ("my number is oh seven seven double", True),
    ("Meine Nummer ist 0171 und", False),
    ("Ich wohne in der Hauptstraße 12a.", False),
    ("Hallo?", False),
    ("", False),
])
def test_a_turn_that_ends_inside_a_number(text: str, inside: bool) -> None:
    # The incremental transcript takes the whole turn when its head ends like this (Whisper reads a number's groups right
    # only when it hears them together), and the hangover waits for the rest of the number.
    assert ends_on_digit(text) is inside
