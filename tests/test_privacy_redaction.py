"""Redaction: consistent pseudonyms in free text, the pseudonymised export of a tenant's calls, and the log filter."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from tests.privacy_helpers import add_call
from voicebridge.privacy.export import pseudonymised_export
from voicebridge.privacy.redaction import PhoneNumberFilter, Pseudonymiser, iban_valid
from voicebridge.store.call_store import CallStore


def test_each_kind_is_replaced_and_the_same_value_keeps_its_pseudonym() -> None:
    p = Pseudonymiser()
    first = p.text(
        "Guten Tag, mein Name ist Peter Müller, Lindenstraße 12, 10115 Berlin. Erreichbar unter 0171 2345678 "
        "oder peter.mueller@example.de, IBAN DE89 3704 0044 0532 0130 00."
    )
    assert first == (
        "Guten Tag, mein Name ist PERSON_1, ADDRESS_1, ADDRESS_2. Erreichbar unter PHONE_1 oder EMAIL_1, IBAN IBAN_1."
    )
    # Same number in another spelling, the surname alone, the same mail: the same pseudonyms.
    assert p.text("Herr Müller nochmal, +49 171 2345678, peter.mueller@example.de") == "Herr PERSON_1 nochmal, PHONE_1, EMAIL_1"
    assert p.text("This is Jane Doe from 12 Baker Street, call 020 7946 0018") == "This is PERSON_2 from ADDRESS_3, call PHONE_2"


def test_what_is_not_personal_stays() -> None:
    p = Pseudonymiser()
    text = "Termin am 2026-11-25 um 10:30, Rechnung 4711, 3 Heizkörper, Frau am Telefon, Kosten 1.500 Euro"
    assert p.text(text) == text
    assert not iban_valid("DE00 1234 5678 9012 3456 78") and iban_valid("GB82 WEST 1234 5698 7654 32")


def test_pseudonymised_export_has_no_original_identifiers(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db")
    add_call(store, "4b1c0e2a-aaaa-bbbb-cccc-000000000001", caller="+49 30 1234567",
             texts=("Hier spricht Frau Schmidt, ich wohne Am Markt 3 in 04109 Leipzig", "Danke, notiert."),
             note={"name": "Anna Schmidt", "callback_number": "030 1234567", "concern": "Rückruf an anna@schmidt.de", "urgency": "soon"})
    add_call(store, "4b1c0e2a-aaaa-bbbb-cccc-000000000002", caller="030 1234567", texts=("Anna Schmidt noch einmal",))
    add_call(store, "other-tenant-call", caller="+49 89 7654321", texts=("other business",), tenant="praxis")
    data = pseudonymised_export(store.db.conn, "default")
    text = json.dumps(data, ensure_ascii=False)
    for original in ("Schmidt", "Anna", "1234567", "anna@schmidt.de", "Am Markt 3", "Leipzig", "4b1c0e2a", "other business"):
        assert original not in text, original
    first, second = data["calls"]
    assert first["caller"] == second["caller"] == first["note"]["callback_number"] == "PHONE_1"  # a repeat caller is visible
    assert first["note"]["name"] == "PERSON_1" and second["turns"][0]["text"] == "PERSON_1 noch einmal"
    assert first["turns"][0]["text"] == "Hier spricht Frau PERSON_1, ich wohne ADDRESS_1 in ADDRESS_2"
    assert first["turns"][0]["timings"] == {"stt_ms": 1.0} and first["end_reason"] == "caller_hangup" and data["pseudonymised"]


def test_log_filter_masks_numbers_but_not_ids_or_counts() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PhoneNumberFilter())
    logger = logging.getLogger("test.privacy.filter")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("AMI: Newchannel CallerIDNum=%s on call %s", "+49 171 2345678", "0f1e2d3c-aaaa-bbbb-cccc-123456789012")
        logger.warning("closed %d call(s) at %s", 3, "2026-11-25")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "AMI: Newchannel CallerIDNum=[number] on call 0f1e2d3c-aaaa-bbbb-cccc-123456789012"
    assert lines[1] == "closed 3 call(s) at 2026-11-25"


@pytest.mark.parametrize(("log_content", "expected"), [(False, "caller [number] rang"), (True, "caller +49 171 2345678 rang")])
def test_the_daemons_log_setup_masks_numbers_unless_content_logging_is_on(log_content: bool, expected: str) -> None:
    code = (
        "import logging; from voicebridge.cli import setup_logging; from voicebridge.config import parse_config; "
        f"setup_logging(parse_config({{'privacy': {{'log_content': {log_content}}}}})); "
        "logging.getLogger('panoramisk').warning('caller %s rang', '+49 171 2345678')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stderr.rstrip().endswith(expected), result.stderr
