"""Config validation: the shipped file parses, unknown keys and bad values are named, the flag beats the environment."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from voicebridge.config import Config, default_config_text, load_config, parse_config, resolve_config_path
from voicebridge.errors import ConfigError


def test_shipped_default_matches_the_built_in_defaults() -> None:
    shipped = parse_config(tomllib.loads(default_config_text()))
    assert shipped.server == Config().server
    assert shipped.freeswitch == Config().freeswitch
    assert shipped.models == Config().models
    assert shipped.vad == Config().vad


def test_load_without_path_uses_shipped_file() -> None:
    cfg = load_config(None)
    assert cfg.business.language == "de" and cfg.source == "<shipped default>"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"server": {"prot": 1}}, "unknown key 'server.prot'"),
        ({"sever": {}}, "unknown key 'sever'"),
        ({"models": {"stt": {"paht": "x"}}}, "unknown key 'models.stt.paht'"),
        ({"server": {"audiosocket_port": "9092"}}, "'server.audiosocket_port' must be an integer"),
        ({"server": {"audiosocket_port": 70000}}, "'server.audiosocket_port' is 70000; it must be at most 65535"),
        ({"server": {"max_calls": True}}, "'server.max_calls' must be an integer"),
        ({"business": {"language": "fr"}}, "'business.language' is 'fr'; allowed: de, en"),
        ({"vad": {"aggressiveness": 4}}, "'vad.aggressiveness' is 4; it must be at most 3"),
        ({"vad": 3}, "[vad] must be a table"),
        ({"logging": {"level": "LOUD"}}, "'logging.level' is 'LOUD'"),
    ],
)
def test_bad_config_names_the_key(data: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError) as err:
        parse_config(data, source="x.toml")
    assert message in str(err.value) and str(err.value).startswith("x.toml")
    assert "\n" not in str(err.value)


def test_integer_accepted_for_float() -> None:
    assert parse_config({"server": {"peer_silence_timeout_s": 3}}).server.peer_silence_timeout_s == 3.0


def test_unparsable_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[server\nhost=", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")


def test_flag_beats_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VOICEBRIDGE_CONFIG", str(tmp_path / "env.toml"))
    assert resolve_config_path(None) == tmp_path / "env.toml"
    assert resolve_config_path(str(tmp_path / "flag.toml")) == tmp_path / "flag.toml"
    monkeypatch.delenv("VOICEBRIDGE_CONFIG")
    assert resolve_config_path(None) is None
