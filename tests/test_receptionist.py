"""The receptionist the session builds: AI disclosure in the greeting, asks for contact details, reads the number back, says goodbye."""

from __future__ import annotations

import pytest

from voicebridge.dialogue.receptionist import Receptionist, fixed_phrases


@pytest.mark.parametrize(("language", "disclosure"), [("de", "KI-Assistent"), ("en", "AI assistant")])
def test_greeting_names_business_and_discloses_ai(language: str, disclosure: str) -> None:
    text = Receptionist("Sanitär Huber", language).greeting().text
    assert "Sanitär Huber" in text and disclosure in text


def test_flow_asks_for_contact_reads_back_and_ends() -> None:
    agent = Receptionist("Huber", "de")
    first = agent.respond("Mein Waschbecken ist verstopft.")
    assert "Nummer" in first.text and not first.end_call
    second = agent.respond("Peter Müller, null eins sieben eins, zwei drei vier fünf sechs.")
    assert "null, eins, sieben, eins" in second.text and not second.end_call  # read back digit by digit
    assert not agent.respond("Ja, richtig.").end_call
    last = agent.respond("Das war's, tschüss.")
    assert last.end_call and "Wiederhören" in last.text


def test_goodbye_ends_early_and_silence_is_asked_again() -> None:
    agent = Receptionist("Huber", "en")
    assert not agent.respond("  ").end_call
    assert agent.respond("Okay, bye.").end_call


def test_fixed_phrases_cover_the_greeting_and_the_questions() -> None:
    phrases = fixed_phrases("Huber", "en")
    agent = Receptionist("Huber", "en")
    assert agent.greeting().text in phrases
    assert agent.respond("leak").text in phrases
    assert agent.respond("").text in phrases


def test_long_first_sentence_is_cut_at_its_comma_for_a_faster_start() -> None:
    from voicebridge.speech.tts import speech_chunks

    assert speech_chunks("Thank you, I have noted that your heating is broken. Goodbye!") == [
        "Thank you,", "I have noted that your heating is broken.", "Goodbye!"]
    assert speech_chunks("Yes, fine.") == ["Yes, fine."]  # short: one chunk
    assert speech_chunks("") == []
