"""What an instruct model proposes for the call note after reading the whole transcript: the JSON schema it must
answer under, the prompt, and the parsing of its answer into a typed proposal (junk becomes None, never an error).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from voicebridge.dialogue.call_note import URGENCIES

# The note's intents plus the two a trade's callers most often have and the parsers may not tell apart.
PROPOSAL_INTENTS = ("appointment", "quote", "follow_up", "question", "message", "emergency", "complaint", "other")

PROPOSAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 60},
        "company": {"type": "string", "maxLength": 80},
        "callback_number": {"type": "string", "maxLength": 30},
        "address": {"type": "string", "maxLength": 120},
        "concern": {"type": "string", "maxLength": 100},
        "intent": {"type": "string", "enum": list(PROPOSAL_INTENTS)},
        "order_number": {"type": "string", "maxLength": 20},
        "urgency": {"type": "string", "enum": list(URGENCIES)},
        "summary": {"type": "string", "maxLength": 400},
    },
    "required": ["name", "company", "callback_number", "address", "concern", "intent", "order_number", "urgency", "summary"],
}

_INSTRUCTIONS = {
    "de": (
        "Du bist die Bürokraft eines Handwerksbetriebs. Lies das Telefonat zwischen unserem Telefonassistenten (agent) und "
        "einem Anrufer (caller) und fülle die Anrufnotiz als JSON aus. Nur was der Anrufer wirklich gesagt hat; nichts erfinden; "
        "leer lassen, was nicht gesagt wurde.\n"
        "name: Vor- und Nachname des Anrufers (ohne Herr/Frau, buchstabierte Namen zusammensetzen). company: seine Firma, nur "
        "wenn genannt. callback_number: Rückrufnummer nur als Ziffern (mit + für Vorwahlen wie +49). address: Straße, Hausnummer, "
        "Ort. concern: das Anliegen in wenigen Worten des Anrufers. intent: appointment (Termin/Reparatur), quote (Angebot, "
        "Kostenvoranschlag), follow_up (Nachfrage zu einem bestehenden Auftrag oder einer Rechnung), question, message "
        "(Nachricht für eine Person), emergency, complaint, other. order_number: Auftrags- oder Rechnungsnummer, nur Ziffern. "
        "urgency: emergency, soon, no_rush oder unknown. summary: ein kurzer Absatz für den Chef, auf Deutsch."
    ),
    "en": (
        "You are the office assistant of a trade business. Read the phone call between our phone assistant (agent) and a "
        "caller and fill in the call note as JSON. Only what the caller really said; invent nothing; leave empty what was not said.\n"
        "name: the caller's first and last name (no Mr/Mrs; join spelled names). company: their company, only if named. "
        "callback_number: the call-back number as digits only (with + for country codes). address: street, house number, "
        "town. concern: the request in a few of the caller's words. intent: appointment (a visit or repair), quote (a price "
        "estimate), follow_up (about an existing job, order or invoice), question, message (for a named person), emergency, "
        "complaint, other. order_number: the order or invoice number, digits only. urgency: emergency, soon, no_rush or "
        "unknown. summary: one short paragraph for the owner, in English."
    ),
}

TRANSCRIPT_CHARS = 6000  # ~1.5k tokens: a long call keeps its end (number, read-back) rather than its greeting


@dataclass(frozen=True)
class NoteProposal:
    """The model's reading of the whole call; empty strings for what it did not find."""

    name: str = ""
    company: str = ""
    callback_number: str = ""
    address: str = ""
    concern: str = ""
    intent: str = "other"
    order_number: str = ""
    urgency: str = "unknown"
    summary: str = ""


def transcript_text(turns: list[tuple[str, str]]) -> str:
    """The call as the model reads it: one "agent: …" / "caller: …" line per turn, the end kept if it is long."""
    text = "\n".join(f"{speaker}: {' '.join(words.split())}" for speaker, words in turns if words.strip())
    return text[-TRANSCRIPT_CHARS:]


def proposal_messages(transcript: str, language: str) -> list[dict[str, str]]:
    instruction = _INSTRUCTIONS.get(language, _INSTRUCTIONS["en"])
    # The instruction also travels in the user turn: some chat templates (Gemma's) drop system messages.
    return [{"role": "system", "content": instruction},
            {"role": "user", "content": f"{instruction}\n\nTranscript:\n{transcript}\n\nJSON:"}]


def parse_proposal(text: str) -> NoteProposal | None:
    """The model's JSON as a proposal; None for anything that is not a JSON object."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return None
    if not isinstance(data, dict):
        return None

    def field(key: str, limit: int) -> str:
        value = data.get(key, "")
        return " ".join(str(value).split())[:limit] if isinstance(value, str | int | float) else ""

    intent, urgency = field("intent", 20), field("urgency", 20)
    return NoteProposal(
        name=field("name", 60), company=field("company", 80), callback_number=field("callback_number", 30),
        address=field("address", 120), concern=field("concern", 100),
        intent=intent if intent in PROPOSAL_INTENTS else "other", order_number=field("order_number", 20),
        urgency=urgency if urgency in URGENCIES else "unknown", summary=field("summary", 400),
    )
