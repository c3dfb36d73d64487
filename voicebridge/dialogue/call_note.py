"""The structured call note: what the business owner needs from a call, the contract between dialogue and notifications.

Produced by the conversation policy at the end of a call, stored as JSON with the call, rendered and delivered by notify/.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

URGENCIES = ("emergency", "soon", "no_rush", "unknown")
INTENTS = ("appointment", "quote", "follow_up", "question", "message", "emergency", "complaint", "other")


@dataclass(frozen=True)
class AppointmentWindow:
    label: str  # as the caller can read it back: "morgen Vormittag (26.11., 8–12 Uhr)"
    start: str  # ISO 8601 with time zone
    end: str
    asap: bool = False


@dataclass(frozen=True)
class CallNote:
    call_id: str
    tenant: str = "default"
    language: str = "de"
    started_at: str = ""
    caller_number: str | None = None  # from the PBX (AMI/FreeSWITCH), not what the caller said
    name: str = ""
    company: str = ""
    callback_number: str = ""  # normalised digits, "+49..." or "0..."; confirmed by read-back when callback_confirmed
    callback_confirmed: bool = False
    address: str = ""
    concern: str = ""  # the problem in the caller's words
    urgency: str = "unknown"  # one of URGENCIES
    urgency_reason: str = ""  # the caller's words that made it urgent ("Wasserrohrbruch")
    preferred_window: AppointmentWindow | None = None
    intent: str = "other"  # one of INTENTS
    order_number: str = ""  # an order or invoice number the caller gave (follow-ups on an earlier job)
    summary: str = ""
    missing: tuple[str, ...] = ()  # fields the caller did not give
    transferred_to: str = ""  # a transfer target name, when the call was handed to a person
    transcript_ref: str = ""  # how to read the whole call: "voicebridge calls show <id>"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_emergency(self) -> bool:
        return self.urgency == "emergency"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["missing"] = list(self.missing)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallNote:
        values = dict(data)
        window = values.get("preferred_window")
        values["preferred_window"] = AppointmentWindow(**window) if isinstance(window, dict) else None
        values["missing"] = tuple(values.get("missing", ()))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})
