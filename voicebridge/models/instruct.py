"""The instruct model that writes the post-call note: a local GGUF (bundled or a path) run by llama.cpp under a JSON
grammar, or an OpenAI-compatible server (llama.cpp's `llama-server`, vLLM, …) asked for a JSON-schema response.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from voicebridge.dialogue.note_extractor import _route_llama_logs, _stderr_to_log
from voicebridge.dialogue.note_proposal import PROPOSAL_SCHEMA, NoteProposal, parse_proposal, proposal_messages
from voicebridge.errors import ModelError

log = logging.getLogger(__name__)
MAX_TOKENS = 320  # the longest proposal (a 400-character summary and the fields) fits


class JsonChat(Protocol):
    def complete(self, messages: list[dict[str, str]], schema: dict[str, Any], max_tokens: int) -> str: ...


class LocalChat:
    """A GGUF in this process; the schema becomes a llama.cpp grammar, so the answer is always well-formed JSON."""

    def __init__(self, model_path: Path, threads: int, context: int, chat_format: str) -> None:
        if not model_path.is_file():
            raise ModelError(f"note model {model_path} not found; fix: set models.note_llm.path to a .gguf file, or use a bundled model")
        try:
            import llama_cpp
        except ImportError as exc:
            raise ModelError(f"llama-cpp-python is not importable ({exc}); fix: `pip install llama-cpp-python`") from None
        _route_llama_logs(llama_cpp)
        try:
            with _stderr_to_log():  # chat_format None: the template stored in the GGUF (ChatML for Qwen)
                self._llm = llama_cpp.Llama(str(model_path), n_threads=threads, n_ctx=context, chat_format=chat_format or None,
                                            verbose=False)
        except Exception as exc:  # llama_cpp raises ValueError/RuntimeError for bad files
            raise ModelError(f"note model {model_path} cannot be loaded ({exc}); fix: replace it with a valid GGUF file") from None
        self._lock = threading.Lock()  # a llama.cpp context is not thread-safe: see NoteExtractor

    def complete(self, messages: list[dict[str, str]], schema: dict[str, Any], max_tokens: int) -> str:
        with self._lock:
            result = self._llm.create_chat_completion(
                messages=messages,  # type: ignore[arg-type]  # plain role/content dicts are what the typed messages are
                response_format={"type": "json_object", "schema": schema}, temperature=0.0, max_tokens=max_tokens,
            )
        return str(result["choices"][0]["message"]["content"] or "")  # type: ignore[index]


class ServerChat:
    """An OpenAI-compatible /chat/completions endpoint; the key, if any, comes from a file and is never logged."""

    def __init__(self, url: str, model: str, api_key: str, timeout_s: float) -> None:
        self._endpoint = url.rstrip("/") + "/chat/completions"
        self._model = model
        self._api_key = api_key
        self._timeout_s = timeout_s

    def complete(self, messages: list[dict[str, str]], schema: dict[str, Any], max_tokens: int) -> str:
        body = {
            "model": self._model, "messages": messages, "temperature": 0.0, "max_tokens": max_tokens,
            "response_format": {"type": "json_schema", "json_schema": {"name": "call_note", "schema": schema, "strict": True}},
        }
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        request = urllib.request.Request(self._endpoint, json.dumps(body).encode(), headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as response:  # noqa: S310 (the operator's URL)
                data = json.loads(response.read())
            return str(data["choices"][0]["message"]["content"] or "")
        except urllib.error.HTTPError as exc:
            raise ModelError(f"note model server {self._endpoint} answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise ModelError(f"note model server {self._endpoint} unreachable ({getattr(exc, 'reason', exc)})") from None
        except (ValueError, KeyError, IndexError, TypeError):
            raise ModelError(f"note model server {self._endpoint} sent no chat completion") from None


@dataclass(frozen=True)
class Proposed:
    proposal: NoteProposal | None  # None: the model's answer was not a usable JSON object
    took_ms: float


class NoteWriter:
    """Reads a whole call and proposes its note (blocking: call it through the scheduler's LLM lane)."""

    def __init__(self, chat: JsonChat, name: str) -> None:
        self._chat = chat
        self.name = name  # for the note's source and the log: "qwen2.5-coder-1.5b", a file name, or the server URL

    def propose(self, transcript: str, language: str) -> Proposed:
        started = time.perf_counter()
        text = self._chat.complete(proposal_messages(transcript, language), PROPOSAL_SCHEMA, MAX_TOKENS)
        proposal = parse_proposal(text)
        if proposal is None:
            log.warning("the note model %s returned no JSON object; the parsers' note stands", self.name)
        return Proposed(proposal, (time.perf_counter() - started) * 1000)
