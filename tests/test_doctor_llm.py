"""`voicebridge doctor` asks the language model for a token in a child process: a llama.cpp that loads but crashes
on its first matrix multiply (a wheel compiled for another CPU) is a doctor line with its fix, not a dead daemon later."""

from __future__ import annotations

from pathlib import Path

from voicebridge.config import parse_config
from voicebridge.doctor import first_token
from voicebridge.models.registry import gguf_path


def test_the_shipped_language_model_computes_a_token_here() -> None:
    check = first_token(str(gguf_path(parse_config({}))))
    assert check.ok, check.message


def test_a_crash_on_the_first_token_names_the_signal_and_the_rebuild() -> None:
    crash = "import os, signal, sys; os.kill(os.getpid(), signal.SIGSEGV)"
    check = first_token("/models/x.gguf", code=crash)
    assert not check.ok and "crashed on its first token (SIGSEGV)" in check.message
    assert "scripts/install.sh" in check.message and "\n" not in check.message


def test_a_file_that_is_no_model_gives_its_error_in_one_line(tmp_path: Path) -> None:
    bogus = tmp_path / "x.gguf"
    bogus.write_bytes(b"not a gguf at all" * 100)
    check = first_token(str(bogus))
    assert not check.ok and "gave no token" in check.message and "\n" not in check.message
