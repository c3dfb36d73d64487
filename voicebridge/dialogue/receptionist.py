"""The walking-skeleton dialogue: greet with the AI disclosure, take the concern, ask for name and number, say goodbye.

Pure and deterministic so it is tested without models; the LLM fills the call note after the call. The AI disclosure
(EU AI Act Art. 50) and, when recording is on, the recording notice are added to every greeting by `compose_greeting`:
no configured text can leave them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PHRASES = {
    "de": {
        "welcome": "Guten Tag, Sie sind verbunden mit {business}.",
        "offer_help": "Wie kann ich Ihnen helfen?",
        "recording_stopped": "In Ordnung, die Aufnahme ist beendet und gelöscht. Wie kann ich Ihnen helfen?",
        "ask_contact": "Vielen Dank, das habe ich notiert. Wie ist Ihr Name, und unter welcher Nummer können wir Sie zurückrufen?",
        "goodbye": "Danke, wir melden uns so bald wie möglich bei Ihnen. Auf Wiederhören!",
        "not_understood": "Entschuldigung, das habe ich nicht verstanden. Können Sie das bitte wiederholen?",
    },
    "en": {
        "welcome": "Hello, you have reached {business}.",
        "offer_help": "How can I help you?",
        "recording_stopped": "All right, the recording is stopped and deleted. How can I help you?",
        "ask_contact": "Thank you, I have noted that. What is your name, and which number can we call you back on?",
        "goodbye": "Thank you, we will get back to you as soon as possible. Goodbye!",
        "not_understood": "Sorry, I did not catch that. Could you say it again, please?",
    },
}

AI_DISCLOSURE = {"de": "Sie sprechen mit einem KI-Assistenten.", "en": "You are speaking with an AI assistant."}
RECORDING_NOTICE = {
    "de": "Dieses Gespräch wird aufgezeichnet. Wenn Sie das nicht möchten, sagen Sie: keine Aufnahme, oder drücken Sie {key}.",
    "en": "This call is recorded. If you do not want that, say: no recording, or press {key}.",
}
KEY_NAMES = {"de": {"*": "die Sterntaste", "#": "die Rautetaste"}, "en": {"*": "star", "#": "hash"}}
REFUSE_RECORDING = re.compile(
    r"\b(keine aufnahme|keine aufzeichnung|nicht aufnehmen|nicht aufzeichnen|no recording|don'?t record|do not record|stop (the )?recording)\b",
    re.IGNORECASE,
)
GOODBYE_WORDS = re.compile(r"\b(tschüss|tschüs|auf wiederhören|auf wiedersehen|bye|goodbye)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Reply:
    text: str
    end_call: bool = False
    refuse_recording: bool = False  # the caller said they do not want to be recorded


def compose_greeting(business: str, language: str, welcome: str = "", recording: bool = False, refuse_digit: str = "9") -> str:
    """Welcome (the tenant's own text, or ours), then always the AI disclosure, the recording notice when recording, the offer."""
    phrases = PHRASES[language]
    parts = [(welcome.strip() or phrases["welcome"]).replace("{business}", business), AI_DISCLOSURE[language]]
    if recording:
        key = KEY_NAMES[language].get(refuse_digit, refuse_digit if language == "en" else f"die {refuse_digit}")
        parts.append(RECORDING_NOTICE[language].format(key=key))
    parts.append(phrases["offer_help"])
    return " ".join(parts)


class Receptionist:
    def __init__(self, business: str, language: str, *, welcome: str = "", recording: bool = False, refuse_digit: str = "9") -> None:
        self.language = language
        self._phrases = {k: v.format(business=business) for k, v in PHRASES[language].items()}
        self._greeting = compose_greeting(business, language, welcome, recording, refuse_digit)
        self.recording = recording
        self._stage = 0

    def phrase(self, key: str) -> str:
        return self._phrases[key]

    def greeting(self) -> Reply:
        return Reply(self._greeting)

    def respond(self, caller_text: str) -> Reply:
        if not caller_text.strip():
            return Reply(self._phrases["not_understood"])
        if self.recording and REFUSE_RECORDING.search(caller_text):
            self.recording = False
            return Reply(self._phrases["recording_stopped"], refuse_recording=True)
        if GOODBYE_WORDS.search(caller_text) or self._stage >= 1:
            self._stage = 2
            return Reply(self._phrases["goodbye"], end_call=True)
        self._stage = 1
        return Reply(self._phrases["ask_contact"])


def fixed_phrases(business: str, language: str, *, welcome: str = "", recording: bool = False, refuse_digit: str = "9") -> list[str]:
    """Everything the skeleton can say, for synthesis at start-up."""
    parts_only = ("welcome", "offer_help") if recording else ("welcome", "offer_help", "recording_stopped")
    replies = [p.format(business=business) for k, p in PHRASES[language].items() if k not in parts_only]
    return [compose_greeting(business, language, welcome, recording, refuse_digit), *replies]
