"""Post-call note benchmark: the parsers alone, each instruct model alone, and each combined with the parsers
(voicebridge/dialogue/note_reconcile.py), on the generated callers of tests/conversations (simulated conversations).

Proposals are cached in benchmarks/results/post_call_proposals.json by model, caller and transcript, so rescoring a
reconciliation change costs no model time (a dialogue change that alters a transcript asks the model again).
Tune only on --part dev; report --part test. Example:
    python -m benchmarks.post_call_note --part test --limit 40 --models qwen2.5-coder-1.5b,qwen2.5-coder-0.5b,gemma-270m
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
from pathlib import Path
from typing import Any

from tests.conversations.generator import split
from tests.conversations.scoring import score
from tests.conversations.simulator import Dialogue, run_simulated
from voicebridge.config import parse_config
from voicebridge.dialogue.call_note import CallNote
from voicebridge.dialogue.note_proposal import NoteProposal, transcript_text
from voicebridge.dialogue.note_reconcile import reconcile
from voicebridge.models.bundled import bundled_gguf, bundled_instruct
from voicebridge.models.instruct import LocalChat, NoteWriter
from voicebridge.post_call_note import caller_words

RESULTS = Path(__file__).parent / "results"
CACHE = RESULTS / "post_call_proposals.json"


def writer_for(name: str, threads: int) -> NoteWriter:
    cache = parse_config({}).cache_dir
    if name == "gemma-270m":  # the bundled base model: no chat template of its own worth using, Gemma's format
        return NoteWriter(LocalChat(bundled_gguf(cache), threads, 4096, "gemma"), name)
    return NoteWriter(LocalChat(bundled_instruct(cache, name), threads, 4096, ""), name)


def model_alone(call_id: str, p: NoteProposal) -> CallNote:
    number = ("+" if p.callback_number.startswith("+") else "") + re.sub(r"\D", "", p.callback_number)
    intent = p.intent if p.intent != "emergency" else "other"
    return CallNote(call_id, name=p.name, company=p.company, callback_number=number, address=p.address, concern=p.concern,
                    urgency=p.urgency, intent=intent, extra={"order_number": re.sub(r"\D", "", p.order_number)})


def _tally(rows: list[dict[str, bool]]) -> dict[str, Any]:
    right = sum(sum(r.values()) for r in rows)
    total = sum(len(r) for r in rows)
    per_field: dict[str, list[int]] = {}
    for r in rows:
        for k, ok in r.items():
            per_field.setdefault(k, [0, 0])
            per_field[k][0] += ok
            per_field[k][1] += 1
    return {"field_accuracy": round(right / total, 4) if total else 0.0, "fields": total,
            "callers_all_right": sum(all(r.values()) for r in rows), "callers": len(rows),
            "per_field": {k: f"{a}/{b}" for k, (a, b) in sorted(per_field.items())}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("dev", "test"), default="dev")
    parser.add_argument("--limit", type=int, default=30, help="the first N callers of the part")
    parser.add_argument("--models", default="qwen2.5-coder-1.5b", help="comma-separated: qwen2.5-coder-1.5b, qwen2.5-coder-0.5b, gemma-270m")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rescore", action="store_true", help="only use cached proposals (no model runs)")
    parser.add_argument("-v", action="store_true", help="print the misses of the combined note (dev part only)")
    args = parser.parse_args()
    cache: dict[str, Any] = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    dialogues: list[Dialogue] = [run_simulated(f) for f in split(args.part)[: args.limit]]
    report: dict[str, Any] = {"part": args.part, "callers": len(dialogues), "mode": "simulated"}
    report["parsers"] = _tally([score(d.note, d.replies, d.facts.expected()) for d in dialogues])
    for name in args.models.split(","):
        writer = None if args.rescore else writer_for(name, args.threads)
        took: list[float] = []
        alone, combined = [], []
        for d in dialogues:
            transcript = transcript_text(d.transcript)
            # Keyed by what the model read, not only by who called: after a dialogue change the same caller's call
            # reads differently, and a proposal for the old transcript would be scored against the new note.
            key = f"{name}|{d.facts.id}|{hashlib.sha256(transcript.encode()).hexdigest()[:12]}"
            if key not in cache:
                if writer is None:
                    continue
                proposed = writer.propose(transcript, d.facts.language)
                cache[key] = {"proposal": proposed.proposal.__dict__ if proposed.proposal else None, "ms": proposed.took_ms}
                CACHE.write_text(json.dumps(cache, ensure_ascii=False, indent=0))
                print(f"{key}: {proposed.took_ms:.0f} ms", file=sys.stderr, flush=True)
            entry = cache[key]
            took.append(entry["ms"])
            proposal = NoteProposal(**entry["proposal"]) if entry["proposal"] else None
            want = d.facts.expected()
            alone.append(score(model_alone(d.facts.id, proposal or NoteProposal()), d.replies, want))
            note = reconcile(d.note, proposal, caller_words(d.transcript), name)
            got = score(note, d.replies, want)
            combined.append(got)
            if args.v and args.part == "dev" and not all(got.values()):
                print(d.facts.id, {k: (getattr(note, k, note.extra.get(k)), want[k]) for k, ok in got.items() if not ok})
        report[name] = {"alone": _tally(alone), "with_parsers": _tally(combined),
                        "note_ms_median": round(statistics.median(took)) if took else None}
    print(json.dumps(report, indent=1, ensure_ascii=False))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"post_call_note_{args.part}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
