"""What llama.cpp's prompt cache is worth for the per-utterance LLM hints (the emergency check and name choice).

Every hints prompt starts with the same few-shot examples; llama-cpp-python keeps the KV cache of the previous prompt
and evaluates only the tokens after the longest common prefix. This times the same calls with the cache (as the daemon
runs them) and with the context reset before each call (every prompt evaluated in full). Prints p50/p95 in ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from voicebridge.config import parse_config
from voicebridge.dialogue.note_extractor import extract_hints
from voicebridge.models.registry import gguf_path

UTTERANCES = [
    "There is water leaking under the kitchen sink.",
    "The storm damaged the roof of my garage last night.",
    "Hello, my heating stopped working this morning.",
    "Guten Tag, hier spricht Eva Braun, mein Abfluss ist verstopft.",
    "Im Keller riecht es stark nach Gas.",
    "Ich hätte gern einen Termin für die Wartung der Heizung.",
]


def timed(llm: object, text: str, reset: bool) -> float:
    if reset:
        llm.reset()  # type: ignore[attr-defined]
    started = time.perf_counter()
    extract_hints(llm, text, ())
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the utterances")
    args = parser.parse_args()
    from llama_cpp import Llama

    cfg = parse_config({})
    llm = Llama(str(gguf_path(cfg)), n_threads=cfg.models.llm.threads, n_ctx=cfg.models.llm.context,
                chat_format=cfg.models.llm.chat_format, verbose=False)
    timed(llm, UTTERANCES[0], reset=False)  # warm-up: page the weights in
    results: dict[str, list[float]] = {"cached prefix": [], "no cache (reset)": []}
    for _ in range(args.rounds):
        for text in UTTERANCES:
            results["cached prefix"].append(timed(llm, text, reset=False))
            results["no cache (reset)"].append(timed(llm, text, reset=True))
    print("| prompt | calls | p50 ms | p95 ms | mean ms |")
    print("|---|---|---|---|---|")
    for name, values in results.items():
        print(f"| {name} | {len(values)} | {np.percentile(values, 50):.0f} | {np.percentile(values, 95):.0f} | "
              f"{statistics.mean(values):.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
