"""How long the post-call note takes on one llama.cpp thread vs two, on the same dev dialogues in one run.

The note model ships on one thread (`[models.note_llm] threads = 1`) because two threads made live calls' p95 worse
(README, "Does the note model cost live calls anything?"). This measures what that costs the note itself. The
thread counts take turns per dialogue, so a load change on the box hits both alike. Dev callers only: this times the
model, it scores nothing. Example:
    python -m benchmarks.note_threads --callers 8 --threads 1,2
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from benchmarks.post_call_note import writer_for
from tests.conversations.generator import split
from tests.conversations.simulator import run_simulated
from voicebridge.dialogue.note_proposal import transcript_text

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--callers", type=int, default=8, help="the first N dev callers")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--name", default="note_threads")
    args = parser.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    writers = {n: writer_for(args.model, n) for n in counts}
    dialogues = [run_simulated(f) for f in split("dev")[: args.callers]]
    took: dict[int, list[float]] = {n: [] for n in counts}
    for i, d in enumerate(dialogues):
        order = counts if i % 2 == 0 else counts[::-1]
        for n in order:
            proposed = writers[n].propose(transcript_text(d.transcript), d.facts.language)
            took[n].append(proposed.took_ms)
            print(f"{d.facts.id} threads={n}: {proposed.took_ms:.0f} ms", flush=True)
    report = {"model": args.model, "callers": len(dialogues),
              "by_threads": {str(n): {"median_ms": round(statistics.median(v)), "max_ms": round(max(v)),
                                      "mean_ms": round(statistics.fmean(v))} for n, v in took.items()}}
    print(json.dumps(report, indent=1))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
