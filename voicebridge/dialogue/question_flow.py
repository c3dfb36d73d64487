"""The question flow: which intent the slots show, what is still missing for it, and which single question to ask next.

Never asks for a filled slot, and each question has a hard cap on how often it is asked, so no dialogue can loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from voicebridge.dialogue.slot_filling import Slots

MAX_ASKS = 2  # the same question at most twice: then the call goes on with what it has
MAX_READBACKS = 4  # read-backs in one call, over all numbers the caller gave


def intent(s: Slots) -> str:
    if s.urgency == "emergency":
        return "emergency"
    if s.complaint:
        return "complaint"
    if s.message:
        return "message"
    if s.follow_up:
        return "follow_up"
    if s.quote:
        return "quote"
    if s.concern:
        return "appointment"
    if s.questions:
        return "question"
    return "other"


def on_site(s: Slots) -> bool:
    return intent(s) in ("appointment", "emergency", "quote")


def missing(s: Slots) -> list[str]:
    kind = intent(s)
    out = []
    if not s.concern and not s.questions:
        out.append("concern")
    if not s.name:
        out.append("name")
    if s.number is None and not s.number_text:
        out.append("callback_number")
    if on_site(s) and not s.address:
        out.append("address")
    if kind == "appointment" and s.urgency == "unknown":
        out.append("urgency")
    if kind in ("appointment", "quote") and s.window is None:
        out.append("preferred_window")
    return out


@dataclass
class Flow:
    """What was asked so far: the open question and how often each one was asked."""

    asking: str = "concern"
    asked: dict[str, int] = field(default_factory=dict)
    readbacks: int = 0
    readbacks_of_this_number: int = 0
    # Questions whose answer gave another field instead ("Wie dringend?" – "Die Adresse ist …"): they may be asked once more.
    sidetracked: set[str] = field(default_factory=set)

    def count(self, slot: str) -> int:
        return self.asked.get(slot, 0)

    def mark(self, slot: str) -> None:
        self.asked[slot] = self.asked.get(slot, 0) + 1
        self.asking = slot

    def copy(self) -> Flow:
        return Flow(self.asking, dict(self.asked), self.readbacks, self.readbacks_of_this_number, set(self.sidetracked))

    def asks_left(self, slot: str) -> int:
        """How often a question asked once may still be asked: once more when the caller answered something else."""
        return 1 + (slot in self.sidetracked) - self.count(slot)


def next_question(s: Slots, flow: Flow, *, caller_id: bool, transfer_offer: bool) -> str:
    """The phrase key of the one question to ask next ("" when everything is asked: say goodbye)."""
    gaps = missing(s)
    if not s.concern and s.questions and flow.count("callback_offer") < 1 and (s.number is None or not s.name):
        return "offer_callback"  # a question answered: keep the lead, offer to note it for a call-back
    if "concern" in gaps and flow.count("concern") < MAX_ASKS:
        return "ask_message" if s.message else "ask_concern"
    if s.message and not s.concern and flow.count("message") < 1:
        return "ask_message"
    if transfer_offer:
        return "offer_transfer"
    if "name" in gaps and "callback_number" in gaps and flow.count("contact") < 1 and not caller_id:
        return "ask_contact"
    if "name" in gaps and flow.count("name") < MAX_ASKS and flow.count("contact") + flow.count("name") < MAX_ASKS + 1:
        return "ask_name"
    if "callback_number" in gaps:
        if caller_id and flow.count("caller_id") < 1:
            return "ask_caller_id"
        if flow.count("number") < MAX_ASKS and flow.count("contact") + flow.count("number") < MAX_ASKS + 1:
            return "ask_number"
    if s.number is not None and not s.confirmed and flow.readbacks_of_this_number < 2 and flow.readbacks < MAX_READBACKS:
        return "readback"
    if intent(s) == "follow_up" and not s.order_number and flow.count("order") < 1:
        return "ask_order"
    if "address" in gaps and flow.count("address") < MAX_ASKS:
        return "ask_address"
    if "urgency" in gaps and flow.asks_left("urgency") > 0:
        return "ask_urgency"
    if "preferred_window" in gaps and flow.asks_left("window") > 0:
        return "ask_window"
    if flow.count("anything_else") < (2 if flow.asking == "anything_else" else 1):
        return "anything_else"
    return ""


# The slot each question fills, for the caps.
SLOT_OF = {
    "ask_concern": "concern", "ask_message": "message", "ask_more": "concern", "ask_contact": "contact", "ask_name": "name",
    "ask_number": "number", "ask_caller_id": "caller_id", "ask_order": "order", "ask_address": "address", "ask_urgency": "urgency",
    "ask_window": "window", "anything_else": "anything_else", "offer_callback": "callback_offer", "offer_transfer": "transfer_offer",
    "ask_number_again": "number", "ask_keypad": "keypad",
}
