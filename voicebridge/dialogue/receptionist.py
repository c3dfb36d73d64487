"""The greeting and the reply type every dialogue shares; the conversation itself is the policy in policy.py.

Pure and deterministic so it is tested without models. The AI disclosure
(EU AI Act Art. 50) and, when recording is on, the recording notice are added to every greeting by `compose_greeting`:
no configured text can leave them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from voicebridge.config import BusinessProfile
    from voicebridge.dialogue.policy import ConversationPolicy

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
    transfer_to: str | None = None  # hand the caller to a person: a target name (an extension in [pbx] transfer_context)


def compose_greeting(business: str, language: str, welcome: str = "", recording: bool = False, refuse_digit: str = "9") -> str:
    """Welcome (the tenant's own text, or ours), then always the AI disclosure, the recording notice when recording, the offer."""
    phrases = PHRASES[language]
    parts = [(welcome.strip() or phrases["welcome"]).replace("{business}", business), AI_DISCLOSURE[language]]
    if recording:
        key = KEY_NAMES[language].get(refuse_digit, refuse_digit if language == "en" else f"die {refuse_digit}")
        parts.append(RECORDING_NOTICE[language].format(key=key))
    parts.append(phrases["offer_help"])
    return " ".join(parts)


def Receptionist(  # noqa: N802 - the session's dialogue; kept under its old name, built by the conversation policy
    business: str, language: str, *, welcome: str = "", recording: bool = False, refuse_digit: str = "9",
    profile: BusinessProfile | None = None, caller_number: str | None = None,
) -> ConversationPolicy:
    from voicebridge.dialogue.policy import ConversationPolicy  # the policy imports this module for Reply and the greeting

    return ConversationPolicy(business, language, welcome=welcome, recording=recording, refuse_digit=refuse_digit, profile=profile,
                              caller_number=caller_number)


def fixed_phrases(business: str, language: str, *, welcome: str = "", recording: bool = False, refuse_digit: str = "9") -> list[str]:
    """Everything said word for word (the greeting, the policy's questions, the goodbyes), for synthesis at start-up."""
    from voicebridge.dialogue.policy import fixed_phrases as policy_phrases

    replies = [PHRASES[language]["recording_stopped"]] if recording else []
    return [compose_greeting(business, language, welcome, recording, refuse_digit), *replies, *policy_phrases(language)]
