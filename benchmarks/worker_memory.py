"""Worker memory benchmark: drive the real speech or LLM model worker (spawned as the daemon spawns it) with N jobs and
print its memory every K jobs, so growth per 1000 jobs shows in minutes instead of a soak's hours.

Memory is read from /proc: RSS split into anonymous (heap: what can leak) and file-backed pages (mmap'd weights, which
grow as more of the model is touched and shrink under page-cache pressure: not a leak). With --in-process the models
run in this process instead and tracemalloc shows the Python-side allocations that grew most between two points.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
from latency import UTTERANCES, machine, trim_trailing_silence

from voicebridge.config import parse_config
from voicebridge.models.malloc_tuning import glibc_malloc
from voicebridge.models.registry import load_note_model, load_speech_models, load_voices
from voicebridge.models.worker import ModelWorker
from voicebridge.speech.tts import Synthesizer

RESULTS = Path(__file__).parent / "results"
REPLIES = {
    "en": ["Thank you, I have noted that.", "May I have your name, please?", "Could you tell me your phone number?",
           "Someone from Miller Plumbing will call you back today.", "I am sorry to hear that, where is the leak exactly?",
           "Is there anything else I can help you with? Goodbye."],
    "de": ["Vielen Dank, das habe ich notiert.", "Wie ist bitte Ihr Name?", "Unter welcher Nummer erreichen wir Sie?",
           "Jemand von uns ruft Sie heute noch zurück.", "Das tut mir leid, wo genau tritt das Wasser aus?"],
}


def memory_mb(pid: int) -> dict[str, float]:
    """RSS and its anonymous / file-backed parts, in MB (VmRSS = RssAnon + RssFile + RssShmem)."""
    values = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    kb = {key: int(values[key].split()[0]) for key in ("VmRSS", "RssAnon", "RssFile", "VmHWM")}
    return {"rss_mb": kb["VmRSS"] / 1024, "anon_mb": kb["RssAnon"] / 1024, "file_mb": kb["RssFile"] / 1024,
            "peak_mb": kb["VmHWM"] / 1024, "threads": float(values["Threads"].split()[0])}


def speech_jobs(language: str, seed: int) -> list[tuple[str, tuple[Any, ...]]]:
    """A mix like a call's: transcriptions of caller audio of varying length (cut at random points, as incremental
    transcription does) and synthesis of replies at the line rate."""
    tts = Synthesizer(load_voices(parse_config({})))
    audio = [trim_trailing_silence(tts.synthesize(t, language, 8000).pcm, 8000) for t in UTTERANCES[language]]
    rng = random.Random(seed)
    jobs: list[tuple[str, tuple[Any, ...]]] = []
    for _ in range(400):
        # One to four utterances (0.2 to ~15 s: long turns take Whisper's full 30 s path), cut at a random sample pair.
        pcm = b"".join(rng.sample(audio, k=rng.choice((1, 1, 2, 4))))
        cut = max(3200, rng.randrange(len(pcm) // 2) * 2)
        jobs.append(("stt.transcribe", (pcm[:cut], 8000, language)))
        text = " ".join(rng.sample(REPLIES[language], k=rng.choice((1, 1, 2, 3))))
        jobs.append(("tts.synthesize", (text, language, rng.choice((8000, 8000, 16000)))))
    return jobs


def llm_jobs(language: str, seed: int, extract_every: int, propose_every: int) -> list[tuple[str, tuple[Any, ...]]]:
    rng = random.Random(seed)
    lines = UTTERANCES[language]
    jobs: list[tuple[str, tuple[Any, ...]]] = []
    for n in range(400):
        jobs.append(("notes.hints", (rng.choice(lines), language, ("name", "phone", "issue"))))
        if extract_every and n % extract_every == extract_every - 1:
            transcript = "\n".join(f"caller: {line}" for line in rng.sample(lines, k=3))
            jobs.append(("notes.extract", (transcript, language)))
        if propose_every and n % propose_every == propose_every - 1:
            # A whole call of 2 to 8 exchanges, as the post-call note reads it: prompts of varying length, as in a soak.
            turns = []
            for _ in range(rng.randint(2, 8)):
                turns += [f"agent: {rng.choice(REPLIES[language])}", f"caller: {rng.choice(lines)}"]
            jobs.append(("writer.propose", ("\n".join(turns), language)))
    return jobs


class InProcess:
    """The same methods the worker process serves, called here (for tracemalloc)."""

    def __init__(self, role: str) -> None:
        config = parse_config({})
        if role == "speech":
            stt, tts = load_speech_models(config)
            self.methods = {"stt.transcribe": stt.transcribe, "tts.synthesize": tts.synthesize}
        else:
            notes, writer = load_note_model(config)
            self.methods = {"notes.hints": notes.hints, "notes.extract": notes.extract}
            if writer is not None:
                self.methods["writer.propose"] = writer.propose
        self.pid = os.getpid()

    def call(self, method: str, *args: Any) -> Any:
        return self.methods[method](*args)

    def stop(self) -> None:
        pass


def slope_per_1000(points: list[tuple[int, float]]) -> float:
    if len(points) < 3:
        return float("nan")
    jobs, mb = np.array([p[0] for p in points], dtype=float), np.array([p[1] for p in points])
    return float(np.polyfit(jobs / 1000, mb, 1)[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=("speech", "llm"), default="speech")
    parser.add_argument("--jobs", type=int, default=400)
    parser.add_argument("--every", type=int, default=25, help="print memory every this many jobs")
    parser.add_argument("--warmup", type=int, default=100, help="jobs before the slope is fitted")
    parser.add_argument("--language", choices=("en", "de"), default="en")
    parser.add_argument("--extract-every", type=int, default=10, help="llm role: a whole-call extraction every N hints")
    parser.add_argument("--propose-every", type=int, default=0,
                        help="llm role: a post-call note by the configured note model every N hints (0: no note model)")
    parser.add_argument("--in-process", action="store_true", help="run the models here, with tracemalloc")
    parser.add_argument("--arena-max", type=int, default=None, help="models.malloc_arena_max (default: the config's)")
    parser.add_argument("--trim-s", type=float, default=None, help="models.malloc_trim_interval_s (default: the config's)")
    parser.add_argument("--name", default="", help="write benchmarks/results/NAME.json")
    parser.add_argument("--note", default="")
    args = parser.parse_args()

    plan = (speech_jobs(args.language, 1) if args.role == "speech"
            else llm_jobs(args.language, 1, args.extract_every, args.propose_every))
    worker: Any
    if args.in_process:
        tracemalloc.start(8)
        worker = InProcess(args.role)
    else:
        # Without --propose-every the note writer is not loaded: hints and extraction alone, as before it existed. With
        # it, both models in the one LLM process (the layout of these figures; the daemon now gives the note model a
        # process of its own, models.note_llm.own_process).
        models: dict[str, Any] = {}
        if args.role == "llm":
            models["note_llm"] = {"own_process": False} if args.propose_every else {"model": ""}
        if args.arena_max is not None:
            models["malloc_arena_max"] = args.arena_max
        if args.trim_s is not None:
            models["malloc_trim_interval_s"] = args.trim_s
        config = parse_config({"models": models})
        worker = ModelWorker(config, role=args.role)
        worker.start()
    pid = worker.pid
    assert pid is not None
    settings = "in this process" if args.in_process else (f"malloc_arena_max={config.models.malloc_arena_max} "
                                                         f"malloc_trim_interval_s={config.models.malloc_trim_interval_s}")
    print(f"{args.role} worker pid {pid}, {settings}", file=sys.stderr)
    trims: list[float] = []
    allocator = glibc_malloc()
    points: list[dict[str, float]] = []
    baseline: tracemalloc.Snapshot | None = None
    started = time.perf_counter()
    try:
        for n in range(args.jobs + 1):
            if n % args.every == 0:
                time.sleep(0.5)  # the worker trims while idle after a job: measure after that, as an idle moment would
                mem = memory_mb(pid)
                points.append({"jobs": n, "s": round(time.perf_counter() - started, 1), **{k: round(v, 1) for k, v in mem.items()}})
                print(f"jobs {n:5d}  {points[-1]['s']:7.1f} s  rss {mem['rss_mb']:7.1f}  anon {mem['anon_mb']:7.1f}  "
                      f"file {mem['file_mb']:7.1f}  peak {mem['peak_mb']:7.1f} MB  threads {mem['threads']:.0f}", flush=True)
                if args.in_process and n == args.warmup:
                    baseline = tracemalloc.take_snapshot()
            if n == args.jobs:
                break
            method, job_args = plan[n % len(plan)]
            worker.call(method, *job_args)
            if args.in_process and allocator is not None:  # what a trim costs (the worker does one at most every 30 s)
                at = time.perf_counter()
                allocator.trim()
                trims.append((time.perf_counter() - at) * 1000)
        arenas = (allocator.arena_count() if allocator else -1) if args.in_process else worker.call("malloc.arenas")
    finally:
        worker.stop()
    late = [p for p in points if p["jobs"] >= args.warmup]
    slopes = {f"{k}_mb_per_1000_jobs": round(slope_per_1000([(int(p["jobs"]), p[k]) for p in late]), 1) for k in ("rss_mb", "anon_mb", "file_mb")}
    seconds_per_job = points[-1]["s"] / max(args.jobs, 1)
    extra: dict[str, Any] = {"malloc_arenas": arenas}
    if trims:
        extra |= {"trim_ms_mean": round(float(np.mean(trims)), 2), "trim_ms_max": round(max(trims), 2)}
    print(json.dumps({**slopes, "seconds_per_job": round(seconds_per_job, 3), **extra}))
    if baseline is not None:
        print("tracemalloc: largest Python-side growth since the warm-up", file=sys.stderr)
        for stat in tracemalloc.take_snapshot().compare_to(baseline, "traceback")[:8]:
            print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+6d} blocks  {stat.traceback.format()[-1].strip()}", file=sys.stderr)
    if args.name:
        RESULTS.mkdir(exist_ok=True)
        result = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), "note": args.note, "role": args.role,
                  "in_process": args.in_process, "settings": settings, "jobs": args.jobs,
                  "warmup_jobs": args.warmup, **slopes, "seconds_per_job": round(seconds_per_job, 3), **extra, "points": points}
        (RESULTS / f"{args.name}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
