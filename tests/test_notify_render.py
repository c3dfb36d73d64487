"""Rendering call notes (German and English defaults, emergencies, missing fields, custom templates) and the start-up checks."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import make_config
from tests.notify_helpers import note
from voicebridge.config import Config, parse_config
from voicebridge.errors import ConfigError
from voicebridge.notify.templates import EMERGENCY, NoteTemplates, readable_number
from voicebridge.notify.webhook_sender import sign, verify


def with_tenants(tmp_path: Path, tenants: list[dict[str, object]], **notify: object) -> Config:
    return parse_config({"storage": {"database": str(tmp_path / "calls.db")}, "notify": notify, "tenants": tenants}, source="<test>")


def test_german_default_names_who_callback_concern_window_and_missing() -> None:
    rendered = NoteTemplates("Sanitär Schulz", "de").render(note())
    assert rendered.subject == "Anruf von Jürgen Müller: Heizung im Bad bleibt kalt, Thermostat getauscht"
    body = rendered.body
    assert "Anrufnotiz für Sanitär Schulz" in body
    assert "Rückruf:        +49 171 23 45 67 89 (bestätigt)" in body
    assert "Adresse:        Lindenstraße 4, 10115 Berlin" in body
    assert "Wunschtermin:   morgen Vormittag (26.11., 8–12 Uhr)" in body
    assert "Dringlichkeit:  bald" in body
    assert "Art:            Termin" in body
    assert "Fehlende Angaben: Firma" in body
    assert "Ganzes Gespräch: voicebridge calls show 3f2a9c1e-0000-4000-8000-000000000001" in body
    assert "NOTFALL" not in body and "NOTFALL" not in rendered.subject


def test_english_default_and_empty_fields_show_a_dash() -> None:
    rendered = NoteTemplates("Miller Plumbing", "en").render(note(name="", company="", address="", preferred_window=None, missing=()))
    assert rendered.subject.startswith("Call from +49 171 23 45 67 89: ")  # no name: the call-back number says who
    assert "Address:        –" in rendered.body
    assert "Preferred time: –" in rendered.body
    assert "Missing: none" in rendered.body
    assert "Urgency:        soon" in rendered.body


@pytest.mark.parametrize("language, banner, prefix", [("de", "!!! NOTFALL – BITTE SOFORT ZURÜCKRUFEN !!!", "!!! NOTFALL: "),
                                                      ("en", "!!! EMERGENCY – PLEASE CALL BACK NOW !!!", "!!! EMERGENCY: ")])
def test_emergency_is_flagged_loudly_at_the_top(language: str, banner: str, prefix: str) -> None:
    rendered = NoteTemplates("X", language).render(note(urgency="emergency", urgency_reason="Wasserrohrbruch im Keller"))
    assert rendered.subject.startswith(prefix)
    assert rendered.body.startswith(banner + "\n")
    assert "Wasserrohrbruch im Keller" in rendered.body.split("\n\n")[0]


def test_an_emergency_dispatch_is_flagged_even_before_the_urgency_is_known() -> None:
    rendered = NoteTemplates("X", "de").render(note(urgency="unknown"), kind=EMERGENCY)
    assert rendered.subject.startswith("!!! NOTFALL")
    assert "Dringlichkeit:  NOTFALL" in rendered.body


def test_missing_fields_are_named_in_the_business_language() -> None:
    rendered = NoteTemplates("X", "de").render(note(missing=("name", "callback_number", "address", "preferred_window")))
    assert "Fehlende Angaben: Name, Rückrufnummer, Adresse, Wunschtermin" in rendered.body


def test_tenant_template_overrides_the_default(tmp_path: Path) -> None:
    config = with_tenants(
        tmp_path,
        [{"id": "praxis", "name": "Praxis Weber", "language": "de", "numbers": ["0301111"],
          "subject_template": "[$business] $urgency: $who", "summary_template": "Patient $who, Rückruf $callback, Kosten 5 $$"}],
        summary_template="Global: $who",
    )
    tenant = NoteTemplates.for_tenant(config, "praxis").render(note(tenant="praxis"))
    assert tenant.subject == "[Praxis Weber] bald: Jürgen Müller"
    assert tenant.body == "Patient Jürgen Müller, Rückruf +49 171 23 45 67 89, Kosten 5 $"
    default = NoteTemplates.for_tenant(config, "default").render(note())
    assert default.body == "Global: Jürgen Müller"
    assert default.subject.startswith("Anruf von")


@pytest.mark.parametrize("template, needle", [("Hallo $wer", "unknown placeholder $wer"), ("Preis 5 $", "not a valid template"),
                                              ("${who", "not a valid template")])
def test_a_bad_template_is_a_one_line_config_error(tmp_path: Path, template: str, needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        make_config(tmp_path, notify={"summary_template": template})
    assert "'notify.summary_template'" in str(err.value) and needle in str(err.value)
    assert "\n" not in str(err.value)


def test_a_bad_tenant_template_names_the_tenant(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"tenants\[0\]\.subject_template"):
        with_tenants(tmp_path, [{"id": "a", "name": "A", "numbers": ["0301"], "subject_template": "$nope"}])


@pytest.mark.parametrize("notify, needle", [
    ({"webhook_url": "http://127.0.0.1:1/x"}, "webhook_secret"),
    ({"webhook_url": "ftp://x", "webhook_secret": "s"}, "http:// or https://"),
    ({"recipients": ["buero@example.de"]}, "notify.smtp_host"),
    ({"smtp_host": "mail", "recipients": ["not an address"]}, "not an e-mail address"),
    ({"smtp_host": "mail", "smtp_ssl": True}, "pick one"),
])
def test_notify_settings_are_checked_at_start_up(tmp_path: Path, notify: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        make_config(tmp_path, notify=notify)


def test_secrets_are_not_in_the_config_repr(tmp_path: Path) -> None:
    config = make_config(tmp_path, notify={"smtp_host": "mail", "smtp_password": "pw-123456", "webhook_url": "https://h/x", "webhook_secret": "hs-987654"})
    assert "pw-123456" not in repr(config) and "hs-987654" not in repr(config)


@pytest.mark.parametrize("raw, shown", [("+4917123456789", "+49 171 23 45 67 89"), ("0049 30 1234567", "+49 30 12 34 56 7"),
                                        ("01712345678", "0171 23 45 67 8"), ("030123456", "030 12 34 56"), ("110", "110")])
def test_callback_numbers_are_grouped_for_reading_back(raw: str, shown: str) -> None:
    assert readable_number(raw) == shown


def test_signature_binds_body_timestamp_and_secret() -> None:
    body = b'{"note": "x"}'
    now = int(time.time())
    signature = sign("k1", str(now), body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify("k1", str(now), body, signature)
    assert not verify("k2", str(now), body, signature)  # another secret
    assert not verify("k1", str(now), body + b" ", signature)  # another body
    assert not verify("k1", str(now + 1), body, signature)  # the timestamp is signed too
    assert not verify("k1", str(now - 3600), body, sign("k1", str(now - 3600), body))  # a replay an hour later


def test_the_readme_verification_snippet_accepts_our_signature() -> None:
    import re

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(import hashlib.*?)```", readme, re.S)
    assert match, "the README's webhook verification snippet is gone"
    namespace: dict[str, object] = {}
    exec(match.group(1), namespace)  # noqa: S102 (our own README)
    verified = namespace["verified"]
    body, stamp = b'{"event": "call_note"}', str(int(time.time()))
    headers = {"X-Voicebridge-Timestamp": stamp, "X-Voicebridge-Signature": sign("k", stamp, body)}
    assert verified("k", headers, body)  # type: ignore[operator]
    assert not verified("k", headers, body + b" ")  # type: ignore[operator]
