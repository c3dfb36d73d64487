"""Conversation accuracy: `.venv/bin/python scripts/conversation_accuracy.py [--split dev|test] [--mode script|sim] [--llm]`.

Without --split it runs the hand-written regression callers in tests/conversations/callers.py. With --split it runs the
generated callers (tests/conversations/generator.py): tune on `dev`; `test` is the held-out part, run only to report.
Generated callers run on the parsers alone unless --hints (the bundled LLM's hints during the call) or --llm (the whole
post-call path: the instruct model reads the transcript and its proposal is reconciled with the parsers' note; about 7 s a
call on 2 cores, so use --size) is given. The regression callers use the hints unless --no-llm.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conversations.callers import CALLERS  # noqa: E402
from tests.conversations.generator import split  # noqa: E402
from tests.conversations.runner import run_caller  # noqa: E402
from tests.conversations.runner import table as regression_table  # noqa: E402
from tests.conversations.scoring import misses, score_all, summary, table  # noqa: E402
from tests.conversations.simulator import Dialogue, run_script, run_simulated  # noqa: E402
from voicebridge.dialogue.call_note import CallNote  # noqa: E402
from voicebridge.dialogue.note_extractor import UtteranceHints  # noqa: E402

Hints = Callable[[str, str, tuple[str, ...]], UtteranceHints]


def _hints(timings: list[float]) -> Hints:
    from voicebridge.config import load_config
    from voicebridge.dialogue.note_extractor import NoteExtractor
    from voicebridge.models.registry import gguf_path

    cfg = load_config(None)
    llm = cfg.models.llm
    extractor = NoteExtractor(gguf_path(cfg), llm.threads, llm.context, llm.chat_format)

    def hints(text: str, language: str, candidates: tuple[str, ...]) -> UtteranceHints:
        t0 = time.perf_counter()
        try:
            return extractor.hints(text, language, candidates)
        finally:
            timings.append(time.perf_counter() - t0)

    return hints


def _post_call(model: str, timings: list[float]) -> Callable[[Dialogue], CallNote]:
    """The note the daemon stores after hang-up: the instruct model's proposal reconciled with the parsers' note."""
    try:
        from voicebridge.config import load_config
        from voicebridge.dialogue.note_proposal import transcript_text
        from voicebridge.dialogue.note_reconcile import reconcile
        from voicebridge.models.bundled import bundled_instruct
        from voicebridge.models.instruct import LocalChat, NoteWriter
        from voicebridge.post_call_note import caller_words
    except ImportError as exc:
        sys.exit(f"--llm needs the post-call note path (voicebridge/post_call_note.py), which this checkout lacks ({exc})")
    cfg = load_config(None)
    writer = NoteWriter(LocalChat(bundled_instruct(cfg.cache_dir, model), cfg.models.llm.threads, 4096, ""), model)

    def note(d: Dialogue) -> CallNote:
        t0 = time.perf_counter()
        proposed = writer.propose(transcript_text(d.transcript), d.facts.language)
        timings.append(time.perf_counter() - t0)
        return reconcile(d.note, proposed.proposal, caller_words(d.transcript), f"parsers+{model}")

    return note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=("dev", "test"), help="generated callers: dev (tune) or test (held out)")
    parser.add_argument("--mode", choices=("script", "sim"), default="sim", help="fixed scripts or a simulated caller")
    parser.add_argument("--size", type=int, help="callers per split (default: 400 dev, 200 test)")
    parser.add_argument("--lang", choices=("de", "en"), help="only this language")
    llm = parser.add_mutually_exclusive_group()
    llm.add_argument("--hints", action="store_true", help="with the bundled LLM's hints during the call")
    llm.add_argument("--llm", action="store_true", help="score the post-call note: instruct model + reconciliation")
    llm.add_argument("--no-llm", action="store_true", help="parsers only (the regression callers use the LLM otherwise)")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b", help="the instruct model for --llm")
    parser.add_argument("--json", action="store_true", help="the headline figures as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="show each miss (dev only: do not read the test part's)")
    args = parser.parse_args()
    timings: list[float] = []
    use_hints = args.hints or (args.split is None and not args.no_llm and not args.llm)
    hints = _hints(timings) if use_hints else None
    post_call = _post_call(args.model, timings) if args.llm else None
    started = time.perf_counter()
    if args.split is None:
        outcomes = [run_caller(c, hints) for c in CALLERS]
        print(f"{len(outcomes)} regression callers, LLM {'on' if hints else 'off'}")
        if args.verbose:
            for o in outcomes:
                wrong = [k for k, ok in o.scores.items() if not ok]
                if wrong:
                    print(f"{o.caller.id}: {', '.join(f'{k}={getattr(o.note, k, None)!r}' for k in wrong)}")
        print(regression_table(outcomes))
        return
    facts = [f for f in split(args.split, args.size) if args.lang is None or f.language == args.lang]
    run = run_simulated if args.mode == "sim" else run_script
    dialogues = [run(f, hints) for f in facts]
    if post_call is not None:
        dialogues = [replace(d, note=post_call(d)) for d in dialogues]
    scored = score_all(dialogues)
    took = time.perf_counter() - started
    if args.json:
        print(json.dumps(summary(scored)))
        return
    if args.verbose:
        if args.split == "test":
            sys.exit("-v shows the test part's misses; tune on --split dev")
        print("\n".join(misses(scored)))
    print(f"{args.split} part, {len(facts)} generated callers, mode {args.mode}, {date.today()}, {platform.machine()}, "
          f"hints {'on' if hints else 'off'}, post-call note {args.model if post_call else 'off'}: "
          f"{sum(s.dialogue.model_calls for s in scored) + (len(scored) if post_call else 0)} model calls, "
          f"median {statistics.median(timings or [0]) * 1000:.0f} ms; {took:.1f} s in all\n")
    print(table(scored))


if __name__ == "__main__":
    main()
