"""The walking-skeleton dialogue: greet with the AI disclosure, take the concern, ask for name and number, say goodbye.

Pure and deterministic so it is tested without models; the LLM fills the call note after the call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PHRASES = {
    "de": {
        "greeting": "Guten Tag, Sie sind verbunden mit {business}. Sie sprechen mit einem KI-Assistenten. Wie kann ich Ihnen helfen?",
        "ask_contact": "Vielen Dank, das habe ich notiert. Wie ist Ihr Name, und unter welcher Nummer können wir Sie zurückrufen?",
        "goodbye": "Danke, wir melden uns so bald wie möglich bei Ihnen. Auf Wiederhören!",
        "not_understood": "Entschuldigung, das habe ich nicht verstanden. Können Sie das bitte wiederholen?",
    },
    "en": {
        "greeting": "Hello, you have reached {business}. You are speaking with an AI assistant. How can I help you?",
        "ask_contact": "Thank you, I have noted that. What is your name, and which number can we call you back on?",
        "goodbye": "Thank you, we will get back to you as soon as possible. Goodbye!",
        "not_understood": "Sorry, I did not catch that. Could you say it again, please?",
    },
}

GOODBYE_WORDS = re.compile(r"\b(tschüss|tschüs|auf wiederhören|auf wiedersehen|bye|goodbye)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Reply:
    text: str
    end_call: bool = False


class Receptionist:
    def __init__(self, business: str, language: str) -> None:
        self.language = language
        self._phrases = {k: v.format(business=business) for k, v in PHRASES[language].items()}
        self._stage = 0

    def phrase(self, key: str) -> str:
        return self._phrases[key]

    def greeting(self) -> Reply:
        return Reply(self._phrases["greeting"])

    def respond(self, caller_text: str) -> Reply:
        if not caller_text.strip():
            return Reply(self._phrases["not_understood"])
        if GOODBYE_WORDS.search(caller_text) or self._stage >= 1:
            self._stage = 2
            return Reply(self._phrases["goodbye"], end_call=True)
        self._stage = 1
        return Reply(self._phrases["ask_contact"])


def fixed_phrases(business: str, language: str) -> list[str]:
    """Everything the skeleton can say, for synthesis at start-up."""
    return [p.format(business=business) for p in PHRASES[language].values()]
