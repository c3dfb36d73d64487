"""The parser package keeps one public import surface and stays split into small modules, one per thing it parses."""

from __future__ import annotations

import importlib
from pathlib import Path

import voicebridge.dialogue.parsers as parsers


def test_every_public_name_is_importable_from_the_package() -> None:
    for name in parsers.__all__:
        assert getattr(parsers, name) is not None, name
    # The callers' imports (policy, profile, conversation callers) keep working unchanged.
    from voicebridge.dialogue.parsers import DEFAULT_TIMEZONE, PhoneNumber, parse_phone_number, parse_postcode  # noqa: F401


def test_public_names_come_from_the_module_that_parses_them() -> None:
    homes = {"parse_phone_number": "phone", "parse_address": "address", "parse_when": "when", "parse_name": "names"}
    homes |= {"parse_urgency": "urgency", "is_yes": "replies", "parse_postcode": "postcode"}
    for name, module in homes.items():
        assert getattr(parsers, name) is getattr(importlib.import_module(f"voicebridge.dialogue.parsers.{module}"), name)


def test_no_parser_module_is_over_600_lines() -> None:
    for path in Path(parsers.__file__).parent.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 600, path.name
