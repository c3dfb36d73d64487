"""Rule-based parsers that turn one transcribed caller utterance into call-note fields: number, address, time, name, urgency.

German and English, written for Whisper's output (odd capitals, trailing punctuation, digits as words, "ae" for "ä"); no models, no I/O.
"""

from __future__ import annotations

from voicebridge.dialogue.parsers.address import Address, parse_address
from voicebridge.dialogue.parsers.address_answer import address_from_answer, looks_like_address
from voicebridge.dialogue.parsers.intent import (
    Intent,
    Message,
    Reference,
    ReferenceKind,
    asks_to_pass_on,
    detect_intent,
    is_complaint,
    is_follow_up,
    is_quote_request,
    names_quote,
    parse_message,
    parse_reference,
)
from voicebridge.dialogue.parsers.name_answers import complete_name, parse_name_answer, parse_spelled_name
from voicebridge.dialogue.parsers.names import parse_company, parse_name
from voicebridge.dialogue.parsers.phone import PhoneNumber, correct_phone_number, find_phone_numbers, number_start, parse_phone_number
from voicebridge.dialogue.parsers.postcode import parse_postcode
from voicebridge.dialogue.parsers.replies import is_goodbye, is_no, is_yes, parse_correction, wants_person
from voicebridge.dialogue.parsers.urgency import Urgency, UrgencyLevel, parse_urgency
from voicebridge.dialogue.parsers.when import DEFAULT_TIMEZONE, TimeWindow, parse_when

__all__ = [
    "DEFAULT_TIMEZONE",
    "Address",
    "Intent",
    "Message",
    "PhoneNumber",
    "Reference",
    "ReferenceKind",
    "TimeWindow",
    "Urgency",
    "UrgencyLevel",
    "address_from_answer",
    "asks_to_pass_on",
    "complete_name",
    "correct_phone_number",
    "detect_intent",
    "find_phone_numbers",
    "is_complaint",
    "is_follow_up",
    "is_goodbye",
    "is_no",
    "is_quote_request",
    "is_yes",
    "looks_like_address",
    "names_quote",
    "number_start",
    "parse_address",
    "parse_company",
    "parse_correction",
    "parse_message",
    "parse_name",
    "parse_name_answer",
    "parse_phone_number",
    "parse_postcode",
    "parse_reference",
    "parse_spelled_name",
    "parse_urgency",
    "parse_when",
    "wants_person",
]
