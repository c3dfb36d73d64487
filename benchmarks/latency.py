"""Voice-to-voice latency benchmark: the real `voicebridge serve` process, driven over real AudioSocket by paced callers.

Per turn: time from the caller's last speech sample to the first non-silent agent frame on the socket, with its
parts from the call store (endpointing wait, STT queue and compute, dialogue, TTS first audio). For each number of
concurrent calls: p50/p95/max, plus outgoing-audio health (largest gap between agent frames while it speaks).
Writes benchmarks/results/latest.json and latest.svg (or --name), and prints the Markdown table the README shows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from voicebridge.audio.pcm import to_float
from voicebridge.config import parse_config
from voicebridge.models.registry import load_voices
from voicebridge.speech.tts import Synthesizer
from voicebridge.transport.audiosocket_client import AsteriskPeer

RESULTS = Path(__file__).parent / "results"
STAGGER_S = 0.5  # start offset between concurrent calls
UTTERANCES = {
    "en": [
        "Hello, my heating stopped working this morning.",
        "My name is Peter Smith and my number is 0171 234 5678.",
        "There is water leaking under the kitchen sink.",
        "This is Anna Lee, you can call me back on 030 123 4567.",
        "The storm damaged the roof of my garage last night.",
        "I am John Miller, my phone number is 0160 998 877.",
    ],
    "de": [
        "Guten Tag, meine Heizung ist heute morgen ausgefallen.",
        "Mein Name ist Peter Müller, meine Nummer ist 0171 234 5678.",
        "Unter der Spüle in der Küche läuft Wasser heraus.",
        "Hier ist Anna Schmidt, rufen Sie mich unter 030 123 4567 zurück.",
    ],
}


@dataclass
class Turn:
    call_id: str
    concurrency: int
    v2v_ms: float
    max_gap_ms: float
    gaps_over_40: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def trim_trailing_silence(pcm: bytes, rate: int) -> bytes:
    """The caller 'stops speaking' at the last loud sample, so the clock starts there, not after Piper's tail."""
    samples = np.abs(to_float(pcm))
    loud = np.nonzero(samples > 0.02)[0]
    return pcm[: (int(loud[-1]) + 1) * 2] if len(loud) else pcm


def speaking_gaps(peer: AsteriskPeer, after: float) -> tuple[float, int]:
    """Largest gap between consecutive agent frames inside its speech after `after`, and how many exceed 40 ms."""
    frames = [f for f in peer.received if f.at > after]
    gaps = [(b.at - a.at) * 1000 for a, b in zip(frames, frames[1:], strict=False) if a.is_speech or b.is_speech]
    return (max(gaps) if gaps else 0.0), sum(g > 40 for g in gaps)


async def one_call(port: int, utterances: list[bytes], concurrency: int, turns: list[Turn], delay_s: float = 0.0) -> None:
    # Real calls do not arrive in lock-step: each starts a little after the previous one.
    await asyncio.sleep(delay_s)
    peer = AsteriskPeer("127.0.0.1", port)
    await peer.connect()
    await peer.wait_for_speech(0, 15)
    await peer.wait_for_quiet(0.6, 30)
    for pcm in utterances:
        sent = await peer.say(pcm)
        reply = await peer.wait_for_speech(sent.last_sample_at, 60)
        if reply is None:
            break
        await peer.wait_for_quiet(0.6, 60)
        gap, over = speaking_gaps(peer, reply - 0.001)
        turns.append(Turn(peer.call_id, concurrency, (reply - sent.last_sample_at) * 1000, gap, over))
        if peer.agent_hung_up:
            break
    await peer.hang_up()


def stage_timings(db: Path) -> dict[str, dict[str, float]]:
    """Per call id: mean per-stage timings of caller and agent turns, from what the daemon stored."""
    conn = sqlite3.connect(db)
    out: dict[str, dict[str, list[float]]] = {}
    for call_id, role, timings in conn.execute("select call_id, role, timings from turns where seq > 1 order by call_id, seq"):
        bucket = out.setdefault(call_id, {})
        for key, value in json.loads(timings or "{}").items():
            bucket.setdefault(f"{role}.{key}", []).append(float(value))
    conn.close()
    return {cid: {k: statistics.mean(v) for k, v in parts.items()} for cid, parts in out.items()}


def pacer_health(db: Path) -> dict[str, tuple[float, int]]:
    """Per call id: the daemon's own view of its outgoing audio (largest gap between frames sent, gaps over 40 ms)."""
    conn = sqlite3.connect(db)
    out = {}
    for call_id, stats in conn.execute("select id, audio_stats from calls where audio_stats is not null"):
        data = json.loads(stats or "{}")
        out[call_id] = (float(data.get("max_gap_ms", 0.0)), int(data.get("gaps_over_40ms", 0)))
    conn.close()
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def svg_plot(summary: list[dict[str, float]], path: Path) -> None:
    """A dependency-free bar chart: p50 / p95 / max voice-to-voice per concurrency level."""
    width, height, pad = 560, 300, 50
    top = max(max(s["max_ms"] for s in summary), 1.0)
    bar_w = (width - 2 * pad) / (len(summary) * 4)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
             f'<text x="{pad}" y="18" font-size="13">voice-to-voice latency (ms) by concurrent calls</text>']
    colours = {"p50_ms": "#4c78a8", "p95_ms": "#f58518", "max_ms": "#e45756"}
    for i, row in enumerate(summary):
        x0 = pad + i * 4 * bar_w
        for j, key in enumerate(colours):
            h = (height - 2 * pad) * row[key] / top
            x = x0 + j * bar_w
            parts.append(f'<rect x="{x:.1f}" y="{height - pad - h:.1f}" width="{bar_w * 0.9:.1f}" height="{h:.1f}" fill="{colours[key]}"/>')
            parts.append(f'<text x="{x:.1f}" y="{height - pad - h - 3:.1f}" font-size="9">{row[key]:.0f}</text>')
        parts.append(f'<text x="{x0:.1f}" y="{height - pad + 15}">{int(row["calls"])} call(s)</text>')
    for j, (key, colour) in enumerate(colours.items()):
        parts.append(f'<rect x="{pad + 10}" y="{30 + 15 * j}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{pad + 25}" y="{39 + 15 * j}">{key[:-3]}</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts), encoding="utf-8")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"


async def run_level(port: int, concurrency: int, min_turns: int, audio: list[bytes], per_call: int) -> list[Turn]:
    turns: list[Turn] = []
    rounds = 0
    while len(turns) < min_turns:
        calls = []
        for c in range(concurrency):
            start = (rounds * concurrency + c) * per_call
            calls.append(one_call(port, [audio[(start + k) % len(audio)] for k in range(per_call)], concurrency, turns, STAGGER_S * c))
        await asyncio.gather(*calls)
        rounds += 1
    return turns


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,2,4,8", help="concurrent calls to measure, comma-separated")
    parser.add_argument("--turns", type=int, default=20, help="at least this many turns per level")
    parser.add_argument("--language", choices=("en", "de"), default="en")
    parser.add_argument("--config-extra", default="", help="extra TOML appended to the benchmark config (to compare settings)")
    parser.add_argument("--name", default="latest", help="results file name: benchmarks/results/NAME.json and NAME.svg")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]

    tts = Synthesizer(load_voices(parse_config({})))
    audio = [trim_trailing_silence(tts.synthesize(t, args.language, 8000).pcm, 8000) for t in UTTERANCES[args.language]]
    work = Path(tempfile.mkdtemp(prefix="vb-bench-"))
    port = free_port()
    config = work / "bench.toml"
    config.write_text(f'[server]\naudiosocket_port = {port}\nmax_calls = 32\n[storage]\ndatabase = "{work / "calls.db"}"\n'
                      f'[business]\nlanguage = "{args.language}"\nname = "Miller Plumbing"\n{args.config_extra}\n')
    log = (work / "serve.log").open("w")
    daemon = subprocess.Popen([sys.executable, "-m", "voicebridge", "--config", str(config), "serve"], stderr=log)
    try:
        deadline = time.monotonic() + 180
        while "voicebridge ready" not in (work / "serve.log").read_text():
            if daemon.poll() is not None or time.monotonic() > deadline:
                print((work / "serve.log").read_text(), file=sys.stderr)
                return 1
            time.sleep(0.2)
        all_turns: list[Turn] = []
        for level in levels:
            started = time.monotonic()
            level_turns = asyncio.run(run_level(port, level, args.turns, audio, per_call=2))
            all_turns += level_turns
            print(f"{level} call(s): {len(level_turns)} turns in {time.monotonic() - started:.0f} s", file=sys.stderr)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
    stages = stage_timings(work / "calls.db")
    pacer = pacer_health(work / "calls.db")
    summary = []
    for level in levels:
        turns = [t for t in all_turns if t.concurrency == level]
        v2v = [t.v2v_ms for t in turns]
        parts = [stages.get(t.call_id, {}) for t in turns]

        def part(key: str, parts: list[dict[str, float]] = parts) -> float:
            values = [p[key] for p in parts if key in p]
            return statistics.median(values) if values else float("nan")

        calls = {t.call_id for t in turns}
        summary.append({
            "calls": level, "turns": len(turns), "p50_ms": pct(v2v, 50), "p95_ms": pct(v2v, 95), "max_ms": max(v2v),
            "endpoint_wait_ms": part("caller.endpoint_wait_ms"), "stt_queue_ms": part("caller.stt_queue_ms"),
            "stt_ms": part("caller.stt_ms"), "stt_reused_ms": part("caller.stt_reused_ms"),
            "dialogue_ms": part("agent.dialogue_ms"), "tts_first_ms": part("agent.tts_first_ms"),
            # share of replies drafted during the hangover, and the time from the end of the turn to the reply's audio
            "drafted": part("agent.drafted"), "after_end_ms": part("agent.response_ms"),
            "max_gap_ms": max(t.max_gap_ms for t in turns), "gaps_over_40ms": sum(t.gaps_over_40 for t in turns),
            "pacer_max_gap_ms": max((pacer[c][0] for c in calls if c in pacer), default=float("nan")),
            "pacer_gaps_over_40ms": sum(pacer[c][1] for c in calls if c in pacer),
        })
    RESULTS.mkdir(exist_ok=True)
    result = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), "language": args.language,
              "config_extra": args.config_extra, "summary": summary, "turns": [asdict(t) for t in all_turns]}
    (RESULTS / f"{args.name}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    svg_plot(summary, RESULTS / f"{args.name}.svg")
    print(f"\nMachine: {result['machine']} ({result['date']}, language {args.language})\n")
    print("| calls | turns | p50 | p95 | max | STT starts after | STT queue | STT | drafted | reply after turn end | "
          "max gap (caller / daemon) | gaps > 40 ms (caller / daemon) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for s in summary:
        print(f"| {s['calls']} | {s['turns']} | {s['p50_ms']:.0f} | {s['p95_ms']:.0f} | {s['max_ms']:.0f} | {s['endpoint_wait_ms']:.0f} | "
              f"{s['stt_queue_ms']:.0f} | {s['stt_ms']:.0f} | {s['drafted']:.0%} | {s['after_end_ms']:.0f} | "
              f"{s['max_gap_ms']:.0f} / {s['pacer_max_gap_ms']:.0f} | {s['gaps_over_40ms']} / {s['pacer_gaps_over_40ms']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
