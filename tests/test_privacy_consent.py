"""The greeting: the AI disclosure (EU AI Act Art. 50) is added by code to every greeting, whatever text is configured;
with recording on, the caller hears so and how to refuse, and saying so is understood."""

from __future__ import annotations

import pytest

from voicebridge.dialogue.receptionist import AI_DISCLOSURE, PHRASES, Receptionist, compose_greeting, fixed_phrases


@pytest.mark.parametrize("welcome", ["", "Praxis Dr. Weber, guten Tag.", "   ", "{business}!"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_every_greeting_discloses_the_ai(welcome: str, language: str) -> None:
    text = Receptionist("Huber", language, welcome=welcome).greeting().text
    assert AI_DISCLOSURE[language] in text
    assert text.index(AI_DISCLOSURE[language]) < text.index(PHRASES[language]["offer_help"])  # before the caller is asked to speak
    if welcome.strip():
        assert text.startswith(welcome.strip().replace("{business}", "Huber"))


def test_recording_notice_names_the_key_only_when_recording() -> None:
    assert "aufgezeichnet" not in compose_greeting("Huber", "de")
    de = compose_greeting("Huber", "de", recording=True, refuse_digit="9")
    assert "Dieses Gespräch wird aufgezeichnet" in de and "keine Aufnahme" in de and "drücken Sie die 9" in de
    assert "press star" in compose_greeting("Huber", "en", recording=True, refuse_digit="*")
    assert AI_DISCLOSURE["de"] in de


@pytest.mark.parametrize("said", ["Keine Aufnahme bitte!", "Bitte nicht aufnehmen.", "No recording, please.", "Please don't record this."])
def test_saying_no_to_the_recording_is_understood(said: str) -> None:
    agent = Receptionist("Huber", "de" if said[0] in "KB" else "en", recording=True)
    reply = agent.respond(said)
    assert reply.refuse_recording and not reply.end_call
    assert not agent.respond(said).refuse_recording  # only once: it is already gone


def test_without_recording_the_words_are_just_a_concern() -> None:
    reply = Receptionist("Huber", "de").respond("Keine Aufnahme bitte")
    assert not reply.refuse_recording and "Nummer" in reply.text


def test_fixed_phrases_hold_the_greeting_with_notice_and_the_confirmation() -> None:
    agent = Receptionist("Huber", "en", recording=True, refuse_digit="#")
    phrases = fixed_phrases("Huber", "en", recording=True, refuse_digit="#")
    assert agent.greeting().text in phrases and agent.respond("no recording").text in phrases
