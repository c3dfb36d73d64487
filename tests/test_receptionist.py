"""The skeleton dialogue: AI disclosure in the greeting, asks for contact details, says goodbye."""

from __future__ import annotations

import pytest

from voicebridge.dialogue.receptionist import Receptionist, fixed_phrases


@pytest.mark.parametrize(("language", "disclosure"), [("de", "KI-Assistent"), ("en", "AI assistant")])
def test_greeting_names_business_and_discloses_ai(language: str, disclosure: str) -> None:
    text = Receptionist("Sanitär Huber", language).greeting().text
    assert "Sanitär Huber" in text and disclosure in text


def test_flow_asks_for_contact_then_ends() -> None:
    agent = Receptionist("Huber", "de")
    first = agent.respond("Meine Heizung ist ausgefallen.")
    assert "Nummer" in first.text and not first.end_call
    second = agent.respond("Peter Müller, null eins sieben eins.")
    assert second.end_call and "Wiederhören" in second.text


def test_goodbye_ends_early_and_silence_is_asked_again() -> None:
    agent = Receptionist("Huber", "en")
    assert not agent.respond("  ").end_call
    assert agent.respond("Okay, bye.").end_call


def test_fixed_phrases_cover_every_reply() -> None:
    phrases = fixed_phrases("Huber", "en")
    agent = Receptionist("Huber", "en")
    assert agent.greeting().text in phrases
    assert agent.respond("leak").text in phrases
