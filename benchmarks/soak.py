"""Soak benchmark: N concurrent realistic calls for T minutes against the real `voicebridge serve`, from this process.

Reports calls completed, caller utterances spoken vs stored as turns, notes delivered to a real aiosmtpd on loopback,
RSS slope (MB/h after warm-up), fds and threads per process, voice-to-voice p50/p95 in the first vs the last window,
outgoing-audio gaps on both sides, and the database's integrity. Writes benchmarks/results/NAME.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from aiosmtpd.controller import Controller
from latency import UTTERANCES, free_port, machine, pct, speaking_gaps, trim_trailing_silence

from voicebridge.config import parse_config
from voicebridge.models.registry import load_voices
from voicebridge.speech.tts import Synthesizer
from voicebridge.transport.audiosocket_client import AsteriskPeer

RESULTS = Path(__file__).parent / "results"


@dataclass
class Totals:
    calls_started: int = 0
    calls_finished: int = 0  # the client got through its script (or the agent said goodbye)
    utterances_sent: int = 0
    no_reply: int = 0
    ended_by_agent_mid_utterance: int = 0
    turns: list[dict[str, float]] = field(default_factory=list)  # at (s since start), v2v_ms, gap_ms, gaps_over_40
    call_ids: list[str] = field(default_factory=list)


class MailCounter:
    def __init__(self) -> None:
        self.messages = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages += 1
        return "250 OK"


def proc_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def proc_sample(pid: int) -> dict[str, Any] | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        fds = len(list(Path(f"/proc/{pid}/fd").iterdir()))
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    values = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    # RssAnon is the heap (what can leak); RssFile the mmap'd weights touched so far, which page-cache pressure shrinks.
    mb = {key: int(values[key].split()[0]) / 1024 for key in ("VmRSS", "RssAnon", "RssFile")}
    return {"pid": pid, "cmd": cmd[-80:], "rss_mb": mb["VmRSS"], "anon_mb": mb["RssAnon"], "file_mb": mb["RssFile"],
            "threads": int(values["Threads"]), "fds": fds,
            # utime + stime (fields 14 and 15 of /proc/PID/stat, 12 and 13 after the command name): which process had
            # the cores in each window, beside that window's latency.
            "cpu_s": (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")}


async def sampler(root: int, started: float, samples: list[dict[str, Any]], every_s: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        at = time.monotonic() - started
        for pid in proc_tree(root):
            sample = proc_sample(pid)
            if sample is not None:
                samples.append({"at_s": round(at, 1), **sample})
        try:
            await asyncio.wait_for(stop.wait(), every_s)
        except TimeoutError:
            pass


async def caller(port: int, audio: list[bytes], deadline: float, started: float, totals: Totals, seed: int) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(seed * 0.7)
    while time.monotonic() < deadline:
        peer = AsteriskPeer("127.0.0.1", port)
        totals.calls_started += 1
        totals.call_ids.append(peer.call_id)
        await peer.connect()
        await peer.wait_for_speech(0, 20)
        await peer.wait_for_quiet(0.6, 40)
        for pcm in rng.sample(audio, k=min(3, len(audio))):
            try:
                sent = await peer.say(pcm)
            except ConnectionError:  # the agent ended the call (a goodbye) while this caller still spoke
                totals.ended_by_agent_mid_utterance += 1
                break
            totals.utterances_sent += 1
            reply = await peer.wait_for_speech(sent.last_sample_at, 60)
            if reply is None:
                totals.no_reply += 1
                break
            await peer.wait_for_quiet(0.6, 60)
            gap, over = speaking_gaps(peer, reply - 0.001)
            totals.turns.append({"at_s": round(sent.last_sample_at - started, 1), "v2v_ms": (reply - sent.last_sample_at) * 1000,
                                 "gap_ms": gap, "gaps_over_40": over})
            if peer.agent_hung_up:
                break
            await asyncio.sleep(rng.uniform(0.3, 1.5))  # the caller thinks before answering
        totals.calls_finished += 1
        await peer.hang_up()
        await asyncio.sleep(rng.uniform(0.5, 2.0))  # the next caller dials in


def slope_mb_per_h(points: list[tuple[float, float]]) -> float:
    if len(points) < 3:
        return float("nan")
    t, rss = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    return float(np.polyfit(t / 3600, rss, 1)[0])


def envelope_slopes(points: list[tuple[float, float]], block_s: float = 300.0) -> tuple[float, float]:
    """Slopes (MB/h) of the highest and the lowest sample of each block. A heap that swings by a model's working memory
    with every job makes the plain fit depend on where in the swing the samples fall; a leak raises the floor and
    the peak alike, a changing share of busy time only the fit."""
    if not points:
        return float("nan"), float("nan")
    start = points[0][0]
    blocks: dict[int, list[tuple[float, float]]] = {}
    for at, mb in points:
        blocks.setdefault(int((at - start) // block_s), []).append((at, mb))
    full = [b for b in blocks.values() if len(b) >= 3]
    peaks = [max(b, key=lambda p: p[1]) for b in full]
    floors = [min(b, key=lambda p: p[1]) for b in full]
    return slope_mb_per_h(peaks), slope_mb_per_h(floors)


def cores_by_window(mine: list[dict[str, Any]], win: float) -> list[float | None]:
    """The share of a core a process used in each latency window, from its CPU time at the window's first and last
    sample (None for a window with fewer than two samples, or samples of a build before cpu_s was recorded)."""
    if not mine or "cpu_s" not in mine[0]:
        return []
    out: list[float | None] = []
    for lo in np.arange(0.0, mine[-1]["at_s"], win):
        inside = [s for s in mine if lo <= s["at_s"] < lo + win]
        span = inside[-1]["at_s"] - inside[0]["at_s"] if len(inside) >= 2 else 0.0
        out.append(round((inside[-1]["cpu_s"] - inside[0]["cpu_s"]) / span, 2) if span > 0 else None)
    return out


def summarise_processes(samples: list[dict[str, Any]], warmup_s: float, win: float = 300.0) -> list[dict[str, Any]]:
    out = []
    for pid in sorted({s["pid"] for s in samples}):
        mine = [s for s in samples if s["pid"] == pid]
        late = [s for s in mine if s["at_s"] >= warmup_s]
        anon = [(s["at_s"], s["anon_mb"]) for s in late]
        out.append({"pid": pid, "cmd": mine[0]["cmd"], "rss_first_mb": round(mine[0]["rss_mb"], 1), "rss_last_mb": round(mine[-1]["rss_mb"], 1),
                    "rss_slope_mb_per_h_after_warmup": round(slope_mb_per_h([(s["at_s"], s["rss_mb"]) for s in late]), 1),
                    "anon_first_last_mb": (round(mine[0]["anon_mb"], 1), round(mine[-1]["anon_mb"], 1)),
                    "anon_slope_mb_per_h_after_warmup": round(slope_mb_per_h(anon), 1),
                    "anon_peak_floor_slope_mb_per_h": [round(v, 1) for v in envelope_slopes(anon)],
                    "fds_first_last": (mine[0]["fds"], mine[-1]["fds"]), "threads_first_last": (mine[0]["threads"], mine[-1]["threads"]),
                    "cores_by_window": cores_by_window(mine, win)})
    return out


def note_sources(notes: list[str | None]) -> dict[str, int]:
    """Who wrote each stored note ("parsers+<model> (drafted during the call)", "parsers; <model> busy", …): whether
    the note model keeps up at this call rate."""
    counts: Counter[str] = Counter()
    for note in notes:
        if note:
            counts[str(json.loads(note).get("extra", {}).get("note_source", "?"))] += 1
    return dict(counts.most_common())


def store_report(db: Path, call_ids: list[str]) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    ids = set(call_ids)
    rows = [r for r in conn.execute("select id, ended_at, note, audio_stats from calls") if r[0] in ids]
    caller_turns = sum(n for cid, n in conn.execute("select call_id, count(*) from turns where role='caller' group by call_id") if cid in ids)
    stats = [json.loads(r[3] or "{}") for r in rows]
    report = {"rows": len(rows), "open_rows": sum(1 for r in rows if not r[1]), "notes_stored": sum(1 for r in rows if r[2]),
              "caller_turns_stored": caller_turns, "integrity": conn.execute("pragma integrity_check").fetchone()[0],
              "daemon_max_gap_ms": max((float(s.get("max_gap_ms", 0)) for s in stats), default=0.0),
              "daemon_gaps_over_40ms": sum(int(s.get("gaps_over_40ms", 0)) for s in stats),
              "note_sources": note_sources([r[2] for r in rows])}
    conn.close()
    return report


def gc_summary(path: str | None) -> dict[str, Any] | None:
    if not path or not Path(path).exists():
        return None
    watched = json.loads(Path(path).read_text())
    return {k: v for k, v in watched.items() if k not in ("long_collections", "lags")}


def window(turns: list[dict[str, float]], lo: float, hi: float) -> dict[str, float]:
    v2v = [t["v2v_ms"] for t in turns if lo <= t["at_s"] < hi]
    return {"turns": len(v2v), "p50_ms": round(pct(v2v, 50)), "p95_ms": round(pct(v2v, 95)), "max_ms": round(max(v2v, default=float("nan")))}


def drift(turns: list[dict[str, float]], span: float, win: float, resamples: int = 2000) -> dict[str, Any]:
    """Is the last window's p95 over the first's by more than the windows swing anyway? The p95 of ~150 turns is
    about their eighth-slowest, so two windows of one steady run differ by 15-20% (the 2-hour runs' 5-minute p95s
    spread 2006-2933 ms with no trend). Reported: each window's p95, the least-squares trend of those p95s, and a
    bootstrap interval (seeded, so a rerun on the same turns agrees) of last p95 / first p95."""
    starts = np.arange(0.0, span - win / 2, win)
    per_window = [[t["v2v_ms"] for t in turns if lo <= t["at_s"] < lo + win] for lo in starts]
    p95s = [round(pct(v, 95)) if len(v) >= 20 else None for v in per_window]
    kept = [(float(lo), float(p)) for lo, p in zip(starts, p95s, strict=True) if p is not None]
    trend = float(np.polyfit([k[0] / 3600 for k in kept], [k[1] for k in kept], 1)[0]) if len(kept) >= 3 else float("nan")
    first = np.array([t["v2v_ms"] for t in turns if t["at_s"] < win])
    last = np.array([t["v2v_ms"] for t in turns if span - win <= t["at_s"]])
    if len(first) < 20 or len(last) < 20:
        return {"window_p95_ms": p95s, "trend_ms_per_h": trend, "last_over_first": float("nan"), "interval_90": None}
    rng = np.random.default_rng(0)
    ratios = np.sort([np.percentile(rng.choice(last, len(last)), 95) / np.percentile(rng.choice(first, len(first)), 95)
                      for _ in range(resamples)])
    return {"window_p95_ms": p95s, "trend_ms_per_h": round(trend, 1),
            "last_over_first": round(float(np.percentile(last, 95) / np.percentile(first, 95)), 3),
            "interval_90": [round(float(ratios[int(0.05 * resamples)]), 3), round(float(ratios[int(0.95 * resamples)]), 3)]}


async def soak(port: int, daemon: subprocess.Popen[bytes], args: argparse.Namespace, audio: list[bytes]) -> tuple[Totals, list[dict[str, Any]]]:
    started = time.monotonic()
    deadline = started + args.minutes * 60
    totals, samples, stop = Totals(), [], asyncio.Event()
    watch = asyncio.create_task(sampler(daemon.pid, started, samples, args.sample_s, stop))
    await asyncio.gather(*(caller(port, audio, deadline, started, totals, i) for i in range(args.calls)))
    stop.set()
    await watch
    return totals, samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=8, help="concurrent calls")
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--window-min", type=float, default=5.0, help="first/last window for the latency drift")
    parser.add_argument("--warmup-min", type=float, default=15.0, help="RSS slope is fitted after this (capped at a third of the run)")
    parser.add_argument("--sample-s", type=float, default=10.0)
    parser.add_argument("--language", choices=("en", "de"), default="en")
    parser.add_argument("--name", default="soak-latest")
    parser.add_argument("--note", default="", help="a remark stored with the result (e.g. 'busy machine')")
    parser.add_argument("--trim-s", type=float, default=None, help="models.malloc_trim_interval_s (default: the config's; 0: never)")
    parser.add_argument("--trace-daemon", metavar="FILE", help="run the daemon under tracemalloc; its growth since the warm-up goes to FILE")
    parser.add_argument("--watch-gc", metavar="FILE", help="record the daemon's garbage collections and event-loop lateness to FILE (JSON)")
    parser.add_argument("--config-extra", default="", help="TOML added to the daemon's config (e.g. '[models.note_llm]\\nmodel = \"\"')")
    parser.add_argument("--drift-of", metavar="RESULT", help="recompute the latency drift of a stored result JSON and exit")
    args = parser.parse_args()
    if args.drift_of:
        stored = json.loads(Path(args.drift_of).read_text(encoding="utf-8"))
        print(json.dumps(drift(stored["turns"], stored["minutes"] * 60, min(args.window_min * 60, stored["minutes"] * 30))))
        return 0

    tts = Synthesizer(load_voices(parse_config({})))
    audio = [trim_trailing_silence(tts.synthesize(t, args.language, 8000).pcm, 8000) for t in UTTERANCES[args.language]]
    mail = MailCounter()
    smtp_port = free_port()
    smtp = Controller(mail, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    work = Path(tempfile.mkdtemp(prefix="vb-soak-"))
    port = free_port()
    config = work / "soak.toml"
    config.write_text(f'[server]\naudiosocket_port = {port}\nmax_calls = 32\n[storage]\ndatabase = "{work / "calls.db"}"\n'
                      f'[business]\nlanguage = "{args.language}"\nname = "Miller Plumbing"\n'
                      f'[notify]\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp_port}\nsmtp_starttls = false\n'
                      f'recipients = ["office@example.test"]\nbackoff_s = 1.0\n'
                      + (f'[models]\nmalloc_trim_interval_s = {args.trim_s}\n' if args.trim_s is not None else '')
                      + args.config_extra.replace("\\n", "\n") + "\n")
    log_path = work / "serve.log"
    serve = ["--config", str(config), "serve"]
    if args.trace_daemon:  # tracemalloc slows the daemon: its latency figures are then not comparable
        traced = Path(__file__).with_name("traced_serve.py")
        warmup_s = min(args.warmup_min * 60, args.minutes * 20)
        command = [sys.executable, str(traced), args.trace_daemon, str(warmup_s), "60", "--", *serve]
    elif args.watch_gc:  # cheap (a callback per collection, a 10 ms ticker): latency stays comparable
        command = [sys.executable, str(Path(__file__).with_name("gc_watched_serve.py")), args.watch_gc, "30", "--", *serve]
    else:
        command = [sys.executable, "-m", "voicebridge", *serve]
    daemon = subprocess.Popen(command, stderr=log_path.open("w"))
    try:
        deadline = time.monotonic() + 240
        while "voicebridge ready" not in log_path.read_text():
            if daemon.poll() is not None or time.monotonic() > deadline:
                print(log_path.read_text(), file=sys.stderr)
                return 1
            time.sleep(0.2)
        totals, samples = asyncio.run(soak(port, daemon, args, audio))
        for _ in range(60):  # the last notes go out after their calls
            if mail.messages >= totals.calls_finished:
                break
            time.sleep(0.5)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=90)
        smtp.stop()
    store = store_report(work / "calls.db", totals.call_ids)
    span = args.minutes * 60
    win = min(args.window_min * 60, span / 2)
    warmup = min(args.warmup_min * 60, span / 3)
    client_gaps = [t["gap_ms"] for t in totals.turns]
    result = {
        "machine": machine(), "date": time.strftime("%Y-%m-%d"), "note": args.note, "calls": args.calls, "minutes": args.minutes,
        "language": args.language, "calls_started": totals.calls_started, "calls_finished": totals.calls_finished,
        "utterances_sent": totals.utterances_sent, "no_reply": totals.no_reply,
        "ended_by_agent_mid_utterance": totals.ended_by_agent_mid_utterance, "notes_delivered": mail.messages, **store,
        "latency_first": window(totals.turns, 0, win), "latency_last": window(totals.turns, span - win, span + 120),
        "drift": drift(totals.turns, span, win),
        "client_max_gap_ms": round(max(client_gaps, default=0.0)), "client_gaps_over_40ms": sum(int(t["gaps_over_40"]) for t in totals.turns),
        "warmup_s": warmup, "processes": summarise_processes(samples, warmup, win),
        "daemon_gc": gc_summary(args.watch_gc),
        "serve_log_warnings": sum(1 for line in log_path.read_text().splitlines() if " WARNING " in line or " ERROR " in line),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps({**result, "turns": totals.turns, "samples": samples}, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
