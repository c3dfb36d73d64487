"""Print the conversation suite's field accuracy as a Markdown table for the README: `.venv/bin/python scripts/conversation_accuracy.py`.

Runs every scripted caller in tests/conversations/ through the real policy with the bundled LLM (or none: --no-llm).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conversations.callers import CALLERS  # noqa: E402
from tests.conversations.runner import run_caller, table  # noqa: E402
from voicebridge.config import load_config  # noqa: E402
from voicebridge.dialogue.note_extractor import NoteExtractor, UtteranceHints  # noqa: E402
from voicebridge.models.registry import gguf_path  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-llm", action="store_true", help="parsers only")
    parser.add_argument("-v", "--verbose", action="store_true", help="show each wrong field")
    args = parser.parse_args()
    hints: Callable[[str, str, tuple[str, ...]], UtteranceHints] | None = None
    timings: list[float] = []
    if not args.no_llm:
        cfg = load_config(None)
        llm = cfg.models.llm
        extractor = NoteExtractor(gguf_path(cfg), llm.threads, llm.context, llm.chat_format)

        def hints(text: str, language: str, candidates: tuple[str, ...]) -> UtteranceHints:
            t0 = time.perf_counter()
            try:
                return extractor.hints(text, language, candidates)
            finally:
                timings.append(time.perf_counter() - t0)
    started = time.perf_counter()
    outcomes = [run_caller(c, hints) for c in CALLERS]
    took = time.perf_counter() - started
    calls = sum(o.model_calls for o in outcomes)
    for o in outcomes:
        wrong = [k for k, ok in o.scores.items() if not ok]
        if wrong and args.verbose:
            print(f"{o.caller.id}: {', '.join(f'{k}={getattr(o.note, k, None)!r}' for k in wrong)}")
    print(f"{len(outcomes)} callers, {date.today()}, {platform.machine()} {platform.processor() or ''} "
          f"LLM {'off' if hints is None else 'on'}: {calls} model calls, median {statistics.median(timings or [0]) * 1000:.0f} ms, "
          f"max {max(timings or [0]) * 1000:.0f} ms; {took:.1f} s in all\n")
    print(table(outcomes))


if __name__ == "__main__":
    main()
