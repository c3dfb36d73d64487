"""Schema-constrained extraction of a call note from a transcript with a local GGUF model.

The bundled model is a base model that cannot chat, so it is only ever asked for JSON under a grammar.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from voicebridge.errors import ModelError

log = logging.getLogger(__name__)

URGENCIES = ("emergency", "soon", "no_rush", "unknown")
_LLAMA_LOG = logging.getLogger("llama_cpp")


def _llama_log(level: int, text: bytes, _user_data: object) -> None:
    # ggml level 3 is an error; everything else (including its unlevelled notes) is debug chatter.
    _LLAMA_LOG.log(logging.WARNING if level == 3 else logging.DEBUG, "%s", text.decode("utf-8", errors="replace").rstrip())


@contextlib.contextmanager
def _stderr_to_log() -> Iterator[None]:
    """Context creation writes notes to fd 2 directly, bypassing the log callback; keep them off the operator's terminal."""
    with tempfile.TemporaryFile() as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            for line in sink.read().decode("utf-8", errors="replace").splitlines():
                _LLAMA_LOG.debug("%s", line)


def _route_llama_logs(llama_cpp: Any) -> None:
    """llama.cpp prints straight to stderr even with verbose=False; send it through logging instead."""
    callback = llama_cpp.llama_log_callback(_llama_log)
    llama_cpp.llama_log_set(callback, None)
    # ctypes callbacks must outlive their registration, so keep it on the module object.
    llama_cpp._voicebridge_log_callback = callback


NOTE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 60},
        "callback_number": {"type": "string", "maxLength": 30},
        "concern": {"type": "string", "maxLength": 200},
        "urgency": {"type": "string", "enum": list(URGENCIES)},
    },
    "required": ["name", "callback_number", "concern", "urgency"],
}


@dataclass(frozen=True)
class CallNote:
    name: str = ""
    callback_number: str = ""
    concern: str = ""
    urgency: str = "unknown"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


class NoteExtractor:
    def __init__(self, model_path: Path, threads: int, context: int, chat_format: str) -> None:
        if not model_path.is_file():
            raise ModelError(f"LLM file {model_path} not found; fix: set models.llm.path to a .gguf file or leave it empty for the bundled model")
        try:
            import llama_cpp
        except ImportError as exc:
            raise ModelError(f"llama-cpp-python is not importable ({exc}); fix: `pip install llama-cpp-python`") from None
        _route_llama_logs(llama_cpp)
        Llama = llama_cpp.Llama
        try:
            with _stderr_to_log():
                self._llm = Llama(str(model_path), n_threads=threads, n_ctx=context, chat_format=chat_format, verbose=False)
        except Exception as exc:  # llama_cpp raises ValueError/RuntimeError for bad files
            raise ModelError(f"LLM {model_path} cannot be loaded ({exc}); fix: replace it with a valid GGUF file") from None
        self.model_path = model_path
        # A llama.cpp context is not thread-safe. One lane thread calls it, but a job left running when a scheduler
        # stops (abandon) still runs when the next scheduler on the same models starts its own: two threads in decode
        # abort the process (seen in the tests, whose daemons share one set of models).
        self._lock = threading.Lock()

    def hints(self, text: str, language: str, candidates: tuple[str, ...]) -> UtteranceHints:
        """Per-utterance extraction for the conversation policy (blocking; call through the scheduler)."""
        with self._lock:
            return extract_hints(self._llm, text, candidates)

    def extract(self, transcript: str, language: str) -> CallNote:
        """Blocking; call through the scheduler. A model that returns junk yields an empty note, never an error."""
        instruction = (
            "Extract the caller's details from this phone call transcript as JSON with keys "
            "name, callback_number, concern, urgency (emergency, soon, no_rush or unknown). "
            "Use an empty string for anything not said.\n\nTranscript:\n"
        )
        # chat_format="gemma" drops system messages, so the instruction travels in the user turn.
        with self._lock:
            result = self._llm.create_chat_completion(
                messages=[{"role": "user", "content": instruction + transcript[-3000:]}],
                response_format={"type": "json_object", "schema": NOTE_SCHEMA},
                temperature=0.0,
                max_tokens=160,
            )
        text = result["choices"][0]["message"]["content"] or ""  # type: ignore[index]
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            log.warning("note extraction returned invalid JSON; storing an empty note")
            return CallNote()
        urgency = data.get("urgency", "unknown")
        return CallNote(
            name=str(data.get("name", ""))[:60],
            callback_number=str(data.get("callback_number", ""))[:30],
            concern=str(data.get("concern", ""))[:200],
            urgency=urgency if urgency in URGENCIES else "unknown",
        )


@dataclass(frozen=True)
class UtteranceHints:
    """What the model read in one caller utterance: a name chosen from the utterance's own words, and an emergency flag."""

    name: str = ""
    emergency: bool = False


# Few-shot, because the bundled model is a base model: it continues the pattern rather than following instructions.
_HINT_SHOTS = (
    'Satz: "Guten Tag, hier spricht Anna Weber, mein Abfluss ist verstopft."\n{"name": "Anna Weber", "emergency": false}\n'
    'Satz: "Hilfe, im Keller steht alles unter Wasser!"\n{"name": "", "emergency": true}\n'
    'Satz: "Ich hätte gern ein Angebot für ein neues Bad."\n{"name": "", "emergency": false}\n'
)


def _hint_schema(candidates: tuple[str, ...]) -> dict[str, Any]:
    # The name can only be one of the utterance's own word spans (or nothing): the model chooses, it cannot invent.
    return {
        "type": "object",
        "properties": {"name": {"type": "string", "enum": ["", *candidates]}, "emergency": {"type": "boolean"}},
        "required": ["name", "emergency"],
    }


def extract_hints(llm: Any, text: str, candidates: tuple[str, ...]) -> UtteranceHints:
    """Blocking; about 0.6 s on 2 cores for ~110 prompt tokens. Junk output yields empty hints, never an error."""
    result = llm.create_chat_completion(
        messages=[{"role": "user", "content": _HINT_SHOTS + f'Satz: "{text[:300]}"\n'}],
        response_format={"type": "json_object", "schema": _hint_schema(candidates)},
        temperature=0.0,
        max_tokens=48,
    )
    try:
        data = json.loads(result["choices"][0]["message"]["content"] or "")
    except (json.JSONDecodeError, KeyError, IndexError, TypeError):
        return UtteranceHints()
    name = str(data.get("name", ""))
    return UtteranceHints(name if name in candidates else "", data.get("emergency") is True)
