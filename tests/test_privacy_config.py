"""Data-protection settings: shipped defaults, [[tenants]] as a checked list of tables, retention consistency, and no
setting that could switch the AI disclosure off."""

from __future__ import annotations

import tomllib

import pytest

from voicebridge.config import Config, default_config_text, parse_config
from voicebridge.errors import ConfigError


def test_shipped_file_matches_the_defaults_and_recording_is_off() -> None:
    shipped = parse_config(tomllib.loads(default_config_text()))
    assert shipped.privacy == Config().privacy and shipped.retention == Config().retention
    assert shipped.business.greeting == Config().business.greeting == ""
    assert shipped.tenants == () and not shipped.privacy.record_audio and not shipped.privacy.log_content
    assert [t.id for t in shipped.all_tenants] == ["default"]


def test_tenants_are_parsed_and_chosen_by_the_dialled_number() -> None:
    cfg = parse_config({
        "business": {"name": "Sanitär Huber", "language": "de"},
        "tenants": [
            {"id": "praxis", "name": "Praxis Dr. Weber", "language": "de", "numbers": ["+49 30 1234-5678", "030 12345679"]},
            {"id": "agency", "name": "Blue Agency", "language": "en", "greeting": "Blue Agency, good morning.", "numbers": ["0049401111"]},
        ],
    })
    assert cfg.tenant_for("+493012345678").id == "praxis"
    assert cfg.tenant_for("030/12345679").id == "praxis"
    assert cfg.tenant_for("+49 40 1111").id == "agency" and cfg.tenant_for("+49401111").language == "en"
    assert cfg.tenant_for("+4989999999").id == "default" and cfg.tenant_for(None).name == "Sanitär Huber"
    assert cfg.tenant("agency").greeting == "Blue Agency, good morning."
    with pytest.raises(ConfigError, match="no tenant 'nope'.*known tenants: default, praxis, agency"):
        cfg.tenant("nope")


@pytest.mark.parametrize(
    ("tenants", "message"),
    [
        ([{"id": "a", "name": "A", "numbers": ["1"], "colour": "red"}], "unknown key 'tenants[0].colour'"),
        ([{"id": "a", "name": "A", "numbers": ["+491", 491]}], "'tenants[0].numbers[1]' must be a string"),
        ([{"id": "a", "name": "A", "numbers": "+491"}], "'tenants[0].numbers' must be a list"),
        ([{"id": "A B", "name": "A", "numbers": ["1"]}], "'tenants[0].id' is 'A B'"),
        ([{"id": "default", "name": "A", "numbers": ["1"]}], "'tenants[0].id' 'default' is used twice"),
        ([{"id": "a", "name": "A", "numbers": []}], "'tenants[0].numbers' is empty"),
        ([{"id": "a", "numbers": ["1"]}], "'tenants[0].name' is missing"),
        ([{"id": "a", "name": "A", "numbers": ["+49 30 1"]}, {"id": "b", "name": "B", "numbers": ["0049301"]}], "belongs to both tenants 'a' and 'b'"),
        ([{"id": "a", "name": "A", "language": "fr", "numbers": ["1"]}], "'tenants[0].language' is 'fr'"),
        ({"id": "a"}, "'tenants' must be a list"),
    ],
)
def test_bad_tenants_are_named(tenants: object, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"tenants": tenants}, source="x.toml")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_retention_kinds_cannot_outlive_the_call_row() -> None:
    with pytest.raises(ConfigError, match="'retention.notes_days' is 400, longer than 'retention.metadata_days' \\(180\\)"):
        parse_config({"retention": {"notes_days": 400}})
    with pytest.raises(ConfigError, match="'retention.recordings_days' is 0; it must be at least 1"):
        parse_config({"retention": {"recordings_days": 0}})
    assert parse_config({"retention": {"notes_days": 400, "metadata_days": 400}}).retention.notes_days == 400


@pytest.mark.parametrize("key", [("privacy", "ai_disclosure"), ("business", "disclosure"), ("privacy", "disclose_ai")])
def test_there_is_no_switch_for_the_ai_disclosure(key: tuple[str, str]) -> None:
    with pytest.raises(ConfigError, match="unknown key"):
        parse_config({key[0]: {key[1]: False}})


def test_refusal_key_is_a_phone_key() -> None:
    assert parse_config({"privacy": {"refuse_recording_digit": "#"}}).privacy.refuse_recording_digit == "#"
    with pytest.raises(ConfigError, match="'privacy.refuse_recording_digit' is 'x'"):
        parse_config({"privacy": {"refuse_recording_digit": "x"}})
