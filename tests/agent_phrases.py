"""Everything the agent can say, as text, for the default config's example business: greeting, policy phrases,
number read-backs and the profile's answers (hours with times, address, area, services, FAQ).

Used by benchmarks/intelligibility.py and the voice tests; a phrase that is added to the policy shows up here.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicebridge.config import load_config
from voicebridge.dialogue.parsers import parse_phone_number
from voicebridge.dialogue.policy import PHRASES
from voicebridge.dialogue.profile import ProfileAnswers
from voicebridge.dialogue.receptionist import PHRASES as GREETING_PHRASES
from voicebridge.dialogue.receptionist import compose_greeting

# Callback numbers as callers give them: mobile, city, international, short.
NUMBERS = {
    "de": ("0171 2345678", "089 123456", "+49 30 9876543", "0421 33 44 55", "06221 908070"),
    "en": ("07700 900123", "020 7946 0018", "+1 415 555 0123", "0161 496 0000", "0117 496 0789"),
}


@dataclass(frozen=True)
class Phrase:
    kind: str  # greeting, policy, readback, answer
    text: str
    digits: str = ""  # for read-backs: the digits that must come through, in order


def agent_phrases(language: str) -> list[Phrase]:
    config = load_config(None)  # the shipped default, with its example plumber in Munich
    business = config.business
    profile = business.profile
    out = [Phrase("greeting", compose_greeting(business.name, language)),
           Phrase("greeting", compose_greeting(business.name, language, recording=True, refuse_digit="9"))]
    out += [Phrase("policy", GREETING_PHRASES[language]["recording_stopped"])]
    for text in PHRASES[language].values():
        if "{digits}" not in text:  # read-backs below, with real numbers
            # As the policy says it: "{business}" is the business's name (heard raw, Whisper wrote "geschweifte Klammer").
            out.append(Phrase("policy", text.format(business=business.name)))
    for number in NUMBERS[language]:
        phone = parse_phone_number(number, language)
        assert phone is not None, number
        spoken = phone.spoken_back(language)
        out.append(Phrase("readback", PHRASES[language]["readback"].format(digits=spoken), phone.number.lstrip("+")))
    oncall = parse_phone_number(profile.oncall_number, "de")
    assert oncall is not None
    out.append(Phrase("readback", PHRASES[language]["emergency_oncall"].format(digits=oncall.spoken_back(language)), oncall.number))
    answers = ProfileAnswers(profile, language)
    hours = answers.hours_text()
    assert hours is not None
    out.append(Phrase("answer", hours))
    asks = {
        "de": ("Wie ist Ihre Adresse?", "Kommen Sie auch nach Garching?", "Fahren Sie auch nach Augsburg, ist das in Ihrem Einsatzgebiet?",
               "Machen Sie auch Badsanierung?",
               "Machen Sie auch Dächer?", "Was kostet die Anfahrt?", "Machen Sie einen Kostenvoranschlag?", "Kann ich mit Karte bezahlen?"),
        "en": ("What is your address?", "Do you come out to Garching?", "Is Augsburg in your service area?", "Do you do bathroom renovation?",
               "Do you do roofs?", "What does the call-out cost?", "Can you give me a quote?", "Can I pay by card?"),
    }
    for question in asks[language]:
        answer = answers.answer(question)
        assert answer is not None, question
        out.append(Phrase("answer", answer.text))
    return out
