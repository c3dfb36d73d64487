"""Models load from the bundled packages by default and from any local path an operator configures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from voicebridge.config import parse_config
from voicebridge.errors import ModelError
from voicebridge.models.bundled import bundled_gguf, bundled_piper_voice, bundled_whisper
from voicebridge.models.registry import describe_models, load_models


def test_bundled_models_are_assembled_once(tmp_path: Path) -> None:
    first = bundled_whisper(tmp_path)
    stamp = (first / "model.bin").stat().st_mtime_ns
    assert bundled_whisper(tmp_path) == first and (first / "model.bin").stat().st_mtime_ns == stamp  # not rewritten
    gguf = bundled_gguf(tmp_path)
    assert gguf.read_bytes()[:4] == b"GGUF" and gguf.with_suffix(".sha256").exists()


def test_models_load_from_operator_paths(tmp_path: Path) -> None:
    """An operator's own files: a Whisper directory, a Piper .onnx + .onnx.json for German, a .gguf."""
    whisper = tmp_path / "my-whisper"
    whisper.mkdir()
    for item in bundled_whisper(tmp_path / "cache").iterdir():
        os.symlink(item, whisper / item.name)
    onnx, json_cfg = bundled_piper_voice()
    voice = tmp_path / "de_DE-test-medium.onnx"
    os.symlink(onnx, voice)
    os.symlink(json_cfg, tmp_path / "de_DE-test-medium.onnx.json")
    gguf = tmp_path / "model.gguf"
    os.symlink(bundled_gguf(tmp_path / "cache"), gguf)
    config = parse_config({"models": {"stt": {"path": str(whisper)}, "tts": {"piper_voice_de": str(voice)}, "llm": {"path": str(gguf)}}})
    models = load_models(config)
    assert models.stt.model_dir == whisper and models.notes.model_path == gguf
    assert models.tts.voices["de"].name == "piper:de_DE-test-medium.onnx"
    speech = models.tts.synthesize("Guten Tag.", "de", 8000)
    assert len(speech.pcm) > 8000  # half a second or more of audio from the configured voice
    assert describe_models(config)[0] == f"stt: {whisper}"


@pytest.mark.parametrize(
    ("section", "value", "needle"),
    [
        ({"stt": {"path": "/no/such/dir"}}, "", "models.stt.path /no/such/dir is not a directory"),
        ({"llm": {"path": "/tmp/model.bin"}}, "", "is not a .gguf file"),
        ({"tts": {"piper_voice_en": "/tmp/voice.wav"}}, "", "should name the .onnx file"),
        ({"tts": {"espeak_voice_de": "xx-nonexistent", "voice_de": "espeak"}}, "", "espeak-ng voice 'xx-nonexistent' does not work"),
    ],
)
def test_bad_model_paths_are_one_clear_line(section: dict, value: str, needle: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ModelError) as err:
        load_models(parse_config({"models": section}))
    assert needle in str(err.value) and "\n" not in str(err.value)
