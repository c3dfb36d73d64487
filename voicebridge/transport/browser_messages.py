"""The browser phone's wire format over one websocket: binary 16 kHz PCM both ways, small JSON control messages.

In: binary frames of signed 16-bit little-endian mono PCM at 16 kHz, any even size up to MAX_MESSAGE_BYTES (re-framed
to 20 ms); text `{"type":"hangup"}` or `{"type":"dtmf","digit":"5"}`. Out: `{"type":"ready","call_id":...,"rate":16000}`
first, then binary 20 ms frames of the agent's voice (idle silence is not sent), `{"type":"clear"}` when a barge-in drops
queued speech (the page stops what it has scheduled), and `{"type":"end","reason":...}` before the close.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

RATE = 16000
MAX_MESSAGE_BYTES = 65536  # 2 s of audio: a page sends 20 ms at a time
MAX_TEXT_CHARS = 256
DTMF_DIGITS = "0123456789*#"


class BrowserMessageError(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Dtmf:
    digit: str


def parse_control(text: str) -> Hangup | Dtmf:
    if len(text) > MAX_TEXT_CHARS:
        raise BrowserMessageError("bad_message", f"text message of {len(text)} characters (limit {MAX_TEXT_CHARS})")
    try:
        data = json.loads(text)
    except ValueError:
        raise BrowserMessageError("bad_message", "text message is not JSON") from None
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "hangup":
        return Hangup()
    if kind == "dtmf" and isinstance(data.get("digit"), str) and len(data["digit"]) == 1 and data["digit"] in DTMF_DIGITS:
        return Dtmf(data["digit"])
    raise BrowserMessageError("bad_message", f"unknown control message type {str(kind)[:40]!r}")


def ready(call_id: str) -> str:
    return json.dumps({"type": "ready", "call_id": call_id, "rate": RATE})


def clear() -> str:
    return json.dumps({"type": "clear"})


def end(reason: str) -> str:
    return json.dumps({"type": "end", "reason": reason})
