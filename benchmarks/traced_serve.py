"""`voicebridge serve` with tracemalloc on, for the soak benchmark's `--trace-daemon`: where the daemon's Python heap grows.

After WARMUP_S it takes a baseline snapshot; every EVERY_S after that it writes the allocation sites that grew most since
the baseline to OUT (rewritten each time, so a daemon stopped by SIGTERM or killed still leaves its latest report).
Usage: python benchmarks/traced_serve.py OUT WARMUP_S EVERY_S -- <voicebridge arguments>
"""

from __future__ import annotations

import runpy
import sys
import threading
import time
import tracemalloc
from pathlib import Path


def report(out: Path, warmup_s: float, every_s: float) -> None:
    time.sleep(warmup_s)
    baseline = tracemalloc.take_snapshot()
    started = time.monotonic()
    while True:
        time.sleep(every_s)
        snapshot = tracemalloc.take_snapshot()
        lines = [f"{time.monotonic() - started:.0f} s after the baseline; traced now {tracemalloc.get_traced_memory()[0] / 1e6:.1f} MB"]
        for stat in snapshot.compare_to(baseline, "traceback")[:12]:
            lines.append(f"{stat.size_diff / 1e6:+.2f} MB {stat.count_diff:+d} blocks")
            lines += [f"    {frame}" for frame in stat.traceback.format()[-12:]]
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    out, warmup_s, every_s, separator, *rest = sys.argv[1:]
    if separator != "--":
        raise SystemExit("usage: traced_serve.py OUT WARMUP_S EVERY_S -- <voicebridge arguments>")
    tracemalloc.start(12)
    threading.Thread(target=report, args=(Path(out), float(warmup_s), float(every_s)), daemon=True).start()
    sys.argv = ["voicebridge", *rest]
    runpy.run_module("voicebridge", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
