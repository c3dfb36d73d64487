"""Line latency through a real Asterisk: a real `voicebridge serve` behind Asterisk 22.10.1 (built from ../shared),
Local-channel callers that play Piper speech and record both directions with MixMonitor. Per answered turn: the gap on
the line (end of the caller's audible speech -> first audible agent sound, both from the caller's recording) beside the
gap the daemon stored (caller turn end -> agent turn start). Writes benchmarks/results/line_latency.json.

    .venv/bin/python benchmarks/line_latency.py [--calls 3]      (VOICEBRIDGE_SHARED=<dir holding asterisk/> if not ../shared)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pbx.asterisk import Asterisk, build_asterisk, why_no_asterisk  # noqa: E402
from tests.pbx.conftest import daemon_toml  # noqa: E402
from tests.test_cli import Served  # noqa: E402
from voicebridge.audio.line_gaps import turn_gaps  # noqa: E402
from voicebridge.config import parse_config  # noqa: E402
from voicebridge.models.registry import load_voices  # noqa: E402
from voicebridge.speech.tts import Synthesizer  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
LINES = ["Hello, the shower in my bathroom is leaking.", "My name is Peter Brown.", "Yes, please call me on this number.",
         "Garden Road 5 in Munich."]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def stored_gaps(db: Path, call_id: str) -> list[float]:
    con = sqlite3.connect(db)
    turns = con.execute("select role, offset_ms, duration_ms from turns where call_id = ? and role != 'event' order by seq", [call_id]).fetchall()
    con.close()
    return [b[1] - (a[1] + a[2]) for a, b in zip(turns, turns[1:], strict=False) if a[0] == "caller" and b[0] == "agent"]


async def run(calls: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="vb-line-"))
    pbx = Asterisk(build_asterisk(), work / "asterisk")
    await pbx.start()
    served = await asyncio.to_thread(Served, daemon_toml(pbx, work, language="en"), work / "serve.log")
    tts = Synthesizer(load_voices(parse_config({})))
    sounds = [pbx.sound(f"line{i}", bytes(800) + tts.synthesize(text, "en", 8000).pcm) for i, text in enumerate(LINES)]
    rows: list[dict[str, Any]] = []
    try:
        for n in range(calls):
            steps = ["n", "q"] + [s for sound in sounds for s in (f"p{sound}", "n", "q")] + ["h"]
            call = await pbx.place_call(steps)
            await pbx.wait_hangup(call.caller_channel, 180)
            await asyncio.sleep(1.0)  # the call row is closed and its last turn finished
            con = sqlite3.connect(work / "calls.db")
            call_id = con.execute("select id from calls order by started_at desc limit 1").fetchone()[0]
            con.close()
            heard, rate = call.heard()
            said, _ = call.said()
            line = turn_gaps(said, heard, rate)
            stored = stored_gaps(work / "calls.db", call_id)
            for i, (g, s) in enumerate(zip(line, stored, strict=False)):
                rows.append({"call": n, "turn": i, "line_ms": g.gap_ms, "stored_ms": s, "difference_ms": g.gap_ms - s})
    finally:
        await asyncio.to_thread(served.stop, signal.SIGTERM)
        await pbx.stop()
    line_ms = [r["line_ms"] for r in rows]
    stored_ms = [r["stored_ms"] for r in rows]
    socket = json.loads((RESULTS / "latest.json").read_text()) if (RESULTS / "latest.json").exists() else {}
    one_call = next((s for s in socket.get("summary", []) if s.get("calls") == 1), {})
    return {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": f"{platform.machine()} {platform.processor()}".strip(),
        "turns": len(rows), "line_p50_ms": pct(line_ms, 50), "line_p95_ms": pct(line_ms, 95),
        "stored_p50_ms": pct(stored_ms, 50), "difference_median_ms": statistics.median(r["difference_ms"] for r in rows),
        "socket_p50_ms_from_latency_py": one_call.get("p50_ms"), "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3)
    args = parser.parse_args()
    why = why_no_asterisk()
    if why is not None:
        sys.exit(f"line_latency: {why}")
    result = asyncio.run(run(args.calls))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "line_latency.json").write_text(json.dumps(result, indent=2))
    print("| turns | line p50 | line p95 | stored p50 | line - stored (median) | socket p50 (latency.py, 1 call) |")
    print("|---|---|---|---|---|---|")
    print(f"| {result['turns']} | {result['line_p50_ms']:.0f} | {result['line_p95_ms']:.0f} | {result['stored_p50_ms']:.0f} | "
          f"{result['difference_median_ms']:.0f} | {result['socket_p50_ms_from_latency_py']} |")


if __name__ == "__main__":
    main()
