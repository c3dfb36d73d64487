"""Log masking keeps Asterisk channel names whole (an admin matches them to the CLI) and still masks phone numbers."""

from __future__ import annotations

import logging

import pytest

from voicebridge.privacy.redaction import PhoneNumberFilter


def _masked(message: str) -> str:
    record = logging.LogRecord("x", logging.INFO, "", 0, message, None, None)
    PhoneNumberFilter().filter(record)
    return record.getMessage()


@pytest.mark.parametrize("channel", [
    "PJSIP/4930555000-0000001a", "Local/0301234567@from-trunk-00000004;2", "AudioSocket/127.0.0.1:9092-00000003",
    "PJSIP/sipgate-00000012", "Local/4930555000@vb-test-line-0000000b;1",
])
def test_channel_names_are_kept(channel: str) -> None:
    assert _masked(f"AMI Redirect of {channel} to voicebridge-transfer,office: ok") == (
        f"AMI Redirect of {channel} to voicebridge-transfer,office: ok")


def test_numbers_beside_a_channel_are_still_masked() -> None:
    assert _masked("caller 0171 2345678 on PJSIP/sipgate-0000001a, dial PJSIP/+491701234567@oncall-trunk") == (
        "caller [number] on PJSIP/sipgate-0000001a, dial PJSIP/[number]@oncall-trunk")
