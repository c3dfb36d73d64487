"""A postcode on its own ("PLZ 10115", "SW1A 1AA", "NY 10001"), told apart from a phone number said in the same breath.

Needs both the address and the phone parser, so it sits above them.
"""

from __future__ import annotations

from voicebridge.dialogue.parsers.address import parse_address, postcode_candidates
from voicebridge.dialogue.parsers.phone import phone_candidates
from voicebridge.dialogue.parsers.text import lang_code, spans_overlap


def parse_postcode(text: str, language: str) -> str | None:
    """German PLZ ("10115"), UK postcode ("SW1A 1AA") or US ZIP ("90210"), only where the context says it is one."""
    lang = lang_code(language)
    address = parse_address(text, lang)
    if address is not None and address.postcode:
        return address.postcode
    phone_spans = [(run.start, run.end) for _, run, _ in phone_candidates(text, lang)]
    for start, end, value in postcode_candidates(text, lang):
        if not spans_overlap((start, end), phone_spans):
            return value
    return None
