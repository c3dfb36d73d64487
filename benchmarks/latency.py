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
from voicebridge.models.bundled import bundled_gguf, bundled_piper_voice, bundled_whisper
from voicebridge.models.registry import load_voices
from voicebridge.speech.tts import Synthesizer
from voicebridge.transport.audiosocket_client import AsteriskPeer

sys.path.insert(0, str(Path(__file__).parent))
from media_stream_peer import MediaStreamPeer  # noqa: E402  (benchmarks/ is not a package)

RESULTS = Path(__file__).parent / "results"
STAGGER_S = 0.5  # start offset between concurrent calls
# The caller speaks after this much agent silence. Long enough that a reply whose next sentence is late (slow TTS on a
# busy machine) is not taken for finished: its rest would then land on the caller's words and count as a cut-off.
QUIET_S = 1.2
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

# Callers who pause mid-number or mid-sentence: each utterance is its parts, said with PAUSE_MS of silence between them.
# The first utterance of a call answers "how can I help?", the second "your name and number?".
PAUSE_MS = 800  # longer than the 600 ms hangover, shorter than [turn] unfinished_hangover_ms
PAUSING = {
    "en": [
        ("The heating stopped working and", "there is water on the floor."),
        ("My name is Peter Smith and my number is 0171", "234 5678."),
        ("There is water leaking under the kitchen sink.",),
        ("This is Anna Lee, you can call me back on 030 123", "4567."),
    ],
    "de": [
        ("Meine Heizung ist ausgefallen und", "im Keller steht Wasser."),
        ("Mein Name ist Peter Müller, meine Nummer ist null eins sieben eins", "zwei drei vier fünf sechs sieben acht."),
        ("Unter der Spüle in der Küche läuft Wasser heraus.",),
        ("Hier ist Anna Schmidt, meine Nummer ist 030 123", "4567."),
    ],
}
PEER_VENV = Path(os.environ.get("PEER_VENV", Path(__file__).resolve().parent.parent / ".peer-venv"))


@dataclass
class Turn:
    call_id: str
    concurrency: int
    v2v_ms: float
    max_gap_ms: float
    gaps_over_40: int
    cut_off: bool = False  # the agent started speaking while the caller was still talking (after a pause)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def trim_trailing_silence(pcm: bytes, rate: int) -> bytes:
    """The caller 'stops speaking' at the last loud sample, so the clock starts there, not after Piper's tail."""
    samples = np.abs(to_float(pcm))
    loud = np.nonzero(samples > 0.02)[0]
    return pcm[: (int(loud[-1]) + 1) * 2] if len(loud) else pcm


def trim_leading_silence(pcm: bytes) -> bytes:
    samples = np.abs(to_float(pcm))
    loud = np.nonzero(samples > 0.02)[0]
    return pcm[int(loud[0]) * 2 :] if len(loud) else pcm


def caller_audio(tts: Synthesizer, parts: tuple[str, ...], language: str) -> bytes:
    """The parts as one utterance with PAUSE_MS of line silence between them; the clock starts at its last speech sample."""
    pause = bytes(2 * 8000 * PAUSE_MS // 1000)
    pieces = [trim_leading_silence(trim_trailing_silence(tts.synthesize(t, language, 8000).pcm, 8000)) for t in parts]
    return pause.join(pieces)


def speaking_gaps(peer: AsteriskPeer | MediaStreamPeer, after: float) -> tuple[float, int]:
    """Largest gap between consecutive agent frames inside its speech after `after`, and how many exceed 40 ms."""
    frames = [f for f in peer.arrivals() if f.at > after]
    gaps = [(b.at - a.at) * 1000 for a, b in zip(frames, frames[1:], strict=False) if a.is_speech or b.is_speech]
    return (max(gaps) if gaps else 0.0), sum(g > 40 for g in gaps)


async def one_call(target: str | int, utterances: list[bytes], concurrency: int, turns: list[Turn], delay_s: float = 0.0) -> None:
    """One paced caller: to our daemon's AudioSocket port (an int), or to the peer's media-stream websocket URL."""
    # Real calls do not arrive in lock-step: each starts a little after the previous one.
    await asyncio.sleep(delay_s)
    peer: AsteriskPeer | MediaStreamPeer = MediaStreamPeer(target) if isinstance(target, str) else AsteriskPeer("127.0.0.1", target)
    await peer.connect()
    await peer.wait_for_speech(0, 30)
    await peer.wait_for_quiet(QUIET_S, 30)
    for pcm in utterances:
        sent = await peer.say(pcm)
        # A false cut-off: agent speech that arrived while the caller was still talking (an answer to half a turn).
        cut_off = any(f.is_speech for f in peer.arrivals() if sent.started + 0.2 < f.at <= sent.last_sample_at)
        reply = await peer.wait_for_speech(sent.last_sample_at, 60)
        if reply is None:
            break
        await peer.wait_for_quiet(QUIET_S, 60)
        gap, over = speaking_gaps(peer, reply - 0.001)
        turns.append(Turn(peer.call_id, concurrency, (reply - sent.last_sample_at) * 1000, gap, over, cut_off))
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


def caller_turns(db: Path) -> dict[str, int]:
    """Per call id: how many caller turns the daemon stored (more than the utterances sent: a turn was cut in two)."""
    conn = sqlite3.connect(db)
    out = {cid: int(n) for cid, n in conn.execute("select call_id, count(*) from turns where role = 'caller' group by call_id")}
    conn.close()
    return out


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


async def run_level(port: str | int, concurrency: int, min_turns: int, audio: list[bytes], per_call: int) -> list[Turn]:
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


def start_daemon(work: Path, language: str, extra: str) -> tuple[subprocess.Popen[bytes], int, Path]:
    port = free_port()
    db = work / f"calls-{port}.db"
    config = work / f"bench-{port}.toml"
    config.write_text(f'[server]\naudiosocket_port = {port}\nmax_calls = 32\n[storage]\ndatabase = "{db}"\n'
                      f'[business]\nlanguage = "{language}"\nname = "Miller Plumbing"\n{extra}\n')
    log_path = work / f"serve-{port}.log"
    daemon = subprocess.Popen([sys.executable, "-m", "voicebridge", "--config", str(config), "serve"], stderr=log_path.open("w"))
    deadline = time.monotonic() + 600  # start-up synthesizes the fixed phrases: minutes on a busy 2-core box
    while "voicebridge ready" not in log_path.read_text():
        if daemon.poll() is not None or time.monotonic() > deadline:
            daemon.kill()
            raise SystemExit(f"voicebridge serve did not start:\n{log_path.read_text()}")
        time.sleep(0.2)
    return daemon, port, db


def start_peer(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """benchmarks/peer_pipecat.py in its own venv, on our models; its URL once it accepts connections."""
    cache = parse_config({}).cache_dir
    voice, _ = bundled_piper_voice()
    port = free_port()
    cmd = [str(PEER_VENV / "bin" / "python"), str(Path(__file__).parent / "peer_pipecat.py"), "--port", str(port),
           "--whisper", str(bundled_whisper(cache)), "--voice", str(voice), "--gguf", str(bundled_gguf(cache))]
    # The same CPU budget as ours: CTranslate2 takes its thread count from OMP_NUM_THREADS ([models.stt] threads = 2).
    env = dict(os.environ, OMP_NUM_THREADS="2")
    log_path = work / "peer.log"
    # Its own process group, so that stopping it also stops the llama_cpp.server it started.
    peer = subprocess.Popen(cmd, stderr=log_path.open("w"), stdout=subprocess.DEVNULL, env=env, start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and peer.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return peer, f"ws://127.0.0.1:{port}/ws"
        except OSError:
            time.sleep(0.5)
    peer.kill()
    raise SystemExit(f"the pipecat peer did not start:\n{log_path.read_text()[-3000:]}")


def stop(proc: subprocess.Popen[bytes], group: bool = False) -> None:
    """SIGTERM, then SIGKILL after 60 s; `group`: the whole process group it leads (the peer and its LLM server)."""
    def send(sig: int) -> None:
        try:
            os.killpg(proc.pid, sig) if group else proc.send_signal(sig)
        except ProcessLookupError:
            pass

    send(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
    if group:
        send(signal.SIGKILL)  # what is left of the group: the peer's finally does not always reach its LLM server


def summarize(level: int, turns: list[Turn], stages: dict[str, dict[str, float]], pacer: dict[str, tuple[float, int]],
              stored: dict[str, int] | None = None) -> dict[str, float]:
    # Latency over the turns that were not cut off: a cut-off turn's "reply" is the agent already talking.
    v2v = [t.v2v_ms for t in turns if not t.cut_off] or [float("nan")]
    parts = [stages.get(t.call_id, {}) for t in turns]

    def part(key: str) -> float:
        values = [p[key] for p in parts if key in p]
        return statistics.median(values) if values else float("nan")

    calls = {t.call_id for t in turns}
    cut = sum(t.cut_off for t in turns)
    # Split turns, from the daemon's store: the caller's words became more caller turns than utterances were said
    # (a cut-off the caller may not hear when the early reply is slow, but the dialogue got half a turn).
    said = {c: sum(t.call_id == c for t in turns) for c in calls}
    split = sum(max(0, stored.get(c, 0) - n) for c, n in said.items()) if stored is not None else float("nan")
    return {
        "calls": level, "turns": len(turns), "p50_ms": pct(v2v, 50), "p95_ms": pct(v2v, 95), "max_ms": max(v2v),
        "cut_offs": cut, "cut_off_share": cut / len(turns) if turns else float("nan"), "split_turns": split,
        "hangover_ms": part("caller.hangover_ms"),
        "endpoint_wait_ms": part("caller.endpoint_wait_ms"), "stt_queue_ms": part("caller.stt_queue_ms"),
        "stt_ms": part("caller.stt_ms"), "stt_reused_ms": part("caller.stt_reused_ms"),
        "dialogue_ms": part("agent.dialogue_ms"), "tts_first_ms": part("agent.tts_first_ms"),
        # share of replies drafted during the hangover, and the time from the end of the turn to the reply's audio
        "drafted": part("agent.drafted"), "after_end_ms": part("agent.response_ms"),
        "max_gap_ms": max((t.max_gap_ms for t in turns), default=float("nan")), "gaps_over_40ms": sum(t.gaps_over_40 for t in turns),
        "pacer_max_gap_ms": max((pacer[c][0] for c in calls if c in pacer), default=float("nan")),
        "pacer_gaps_over_40ms": sum(pacer[c][1] for c in calls if c in pacer),
    }


def run_levels(target: str | int, name: str, levels: list[int], min_turns: int, audio: list[bytes]) -> dict[int, list[Turn]]:
    out = {}
    for level in levels:
        started = time.monotonic()
        out[level] = asyncio.run(run_level(target, level, min_turns, audio, per_call=2))
        print(f"{name}, {level} call(s): {len(out[level])} turns in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return out


def levels_of(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,2,4,8", help="concurrent English calls to measure, comma-separated")
    parser.add_argument("--german-levels", default="1,4", help="concurrent German calls ('' = none)")
    parser.add_argument("--pausing-levels", default="1,4", help="concurrent calls of callers who pause mid-number, both languages ('' = none)")
    parser.add_argument("--peer-levels", default="1,4", help="the pipecat peer with the English callers, if its venv exists ('' = none)")
    parser.add_argument("--turns", type=int, default=20, help="at least this many turns per level")
    parser.add_argument("--config-extra", default="", help="extra TOML appended to every daemon's config")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=TOML",
                        help="also run the English levels and pausing callers with this TOML added (\\n for newlines): "
                             "settings compared within one run")
    parser.add_argument("--name", default="latest", help="results file name: benchmarks/results/NAME.json and NAME.svg")
    args = parser.parse_args()

    tts = Synthesizer(load_voices(parse_config({})))
    work = Path(tempfile.mkdtemp(prefix="vb-bench-"))
    runs: list[dict[str, object]] = []
    all_turns: list[dict[str, object]] = []

    def record(name: str, language: str, callers: str, system: str, by_level: dict[int, list[Turn]],
               db: Path | None) -> None:
        stages = stage_timings(db) if db else {}
        pacer = pacer_health(db) if db else {}
        stored = caller_turns(db) if db else None
        summary = [summarize(level, turns, stages, pacer, stored) for level, turns in by_level.items()]
        runs.append({"name": name, "language": language, "callers": callers, "system": system, "summary": summary})
        all_turns.extend(dict(asdict(t), run=name) for turns in by_level.values() for t in turns)

    plans = [("voicebridge", "", args.config_extra)] + [
        (f"voicebridge {v.split('=', 1)[0]}", v.split("=", 1)[0], args.config_extra + "\n" + v.split("=", 1)[1].replace("\\n", "\n"))
        for v in args.variant]
    for language in ("en", "de"):
        paced_levels = levels_of(args.levels if language == "en" else args.german_levels)
        pausing_levels = levels_of(args.pausing_levels)
        if not paced_levels and not pausing_levels:
            continue
        paced = [trim_trailing_silence(tts.synthesize(t, language, 8000).pcm, 8000) for t in UTTERANCES[language]]
        pausing = [caller_audio(tts, parts, language) for parts in PAUSING[language]]
        for system, variant, extra in plans:
            if variant and language != "en":
                continue
            daemon, port, db = start_daemon(work, language, extra)
            try:
                by_paced = run_levels(port, f"{system} {language}", paced_levels, args.turns, paced)
                by_pausing = run_levels(port, f"{system} {language} pausing", pausing_levels, args.turns, pausing)
            finally:
                stop(daemon)
            record(f"{system} {language}", language, "paced", system, by_paced, db)
            if by_pausing:
                record(f"{system} {language} pausing", language, "pausing", system, by_pausing, db)

    peer_levels = levels_of(args.peer_levels)
    if peer_levels and (PEER_VENV / "bin" / "python").exists():
        paced = [trim_trailing_silence(tts.synthesize(t, "en", 8000).pcm, 8000) for t in UTTERANCES["en"]]
        peer, url = start_peer(work)
        try:
            by_peer = run_levels(url, "pipecat en", peer_levels, args.turns, paced)
        finally:
            stop(peer, group=True)
        record("pipecat en", "en", "paced", "pipecat", by_peer, None)
    elif peer_levels:
        print(f"no peer venv at {PEER_VENV} (make peer-venv): the pipecat race is left out", file=sys.stderr)

    ours = next((r for r in runs if r["name"] == "voicebridge en"), None)
    theirs = next((r for r in runs if r["name"] == "pipecat en"), None)
    ratio = []
    if ours and theirs:
        mine = {row["calls"]: row for row in ours["summary"]}  # type: ignore[attr-defined]
        for row in theirs["summary"]:  # type: ignore[attr-defined]
            if row["calls"] in mine:
                ratio.append({"calls": row["calls"], "p50_ratio": row["p50_ms"] / mine[row["calls"]]["p50_ms"],
                              "p95_ratio": row["p95_ms"] / mine[row["calls"]]["p95_ms"]})
    RESULTS.mkdir(exist_ok=True)
    result = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), "config_extra": args.config_extra, "pause_ms": PAUSE_MS,
              "runs": runs, "peer_ratio": ratio, "turns": all_turns}
    (RESULTS / f"{args.name}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    if ours:
        svg_plot(ours["summary"], RESULTS / f"{args.name}.svg")  # type: ignore[arg-type]
    print(f"\nMachine: {result['machine']} ({result['date']})\n")
    print("| run | calls | turns | p50 | p95 | max | false cut-offs (heard / split turns) | hangover | STT starts after | STT queue | STT | drafted | "
          "reply after turn end | max gap (caller / daemon) | gaps > 40 ms (caller / daemon) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        for r in run["summary"]:  # type: ignore[attr-defined]
            print(f"| {run['name']} | {r['calls']} | {r['turns']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['max_ms']:.0f} | "
                  f"{r['cut_offs']} ({r['cut_off_share']:.0%}) / {r['split_turns']:.0f} | {r['hangover_ms']:.0f} | {r['endpoint_wait_ms']:.0f} | "
                  f"{r['stt_queue_ms']:.0f} | {r['stt_ms']:.0f} | {r['drafted']:.0%} | {r['after_end_ms']:.0f} | "
                  f"{r['max_gap_ms']:.0f} / {r['pacer_max_gap_ms']:.0f} | {r['gaps_over_40ms']} / {r['pacer_gaps_over_40ms']} |")
    for r in ratio:
        print(f"\npipecat / voicebridge at {r['calls']} call(s): p50 x{r['p50_ratio']:.2f}, p95 x{r['p95_ratio']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
