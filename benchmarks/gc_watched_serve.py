"""`voicebridge serve` with its garbage collector and event loop watched, for the soak benchmark's `--watch-gc`.

Question it answers: are the daemon's outgoing-audio gaps at 8 calls (41-105 ms, a few a minute) the cyclic garbage
collector's pauses, or something else holding the event loop? It records every collection (generation, duration) from
`gc.callbacks`, and a 10 ms ticker on the daemon's own loop records every lateness over 30 ms with the collection time
that fell inside it. It also times every callback the loop runs (`asyncio.Handle._run`: two clock reads each) and keeps,
per place, how often one held the loop over 15 ms: a pacer frame is late when something else runs past its slot, and this
names what. Every EVERY_S it rewrites OUT (JSON), so a daemon stopped by SIGTERM still leaves its latest figures.
Usage: python benchmarks/gc_watched_serve.py OUT EVERY_S -- <voicebridge arguments>
"""

from __future__ import annotations

import asyncio
import gc
import json
import runpy
import sys
import threading
import time
from pathlib import Path
from typing import Any

TICK_S = 0.010
LATE_S = 0.030
SLOW_S = 0.015  # a callback this long makes the next 20 ms frame late if it starts just before the frame's slot


def describe(handle: asyncio.Handle) -> str:
    """Where a callback's time went: a task's coroutine and the line it stopped at next, else the callback itself."""
    callback = getattr(handle, "_callback", None)
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        coro: Any = task.get_coro()
        name = getattr(coro, "__qualname__", repr(coro))
        where = "finished"
        while coro is not None and getattr(coro, "cr_frame", None) is not None:
            frame = coro.cr_frame
            if "asyncio" not in Path(frame.f_code.co_filename).parts:  # the deepest await of ours, not asyncio.sleep's
                where = f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno} {frame.f_code.co_name}"
            coro = coro.cr_await
        return f"task {name} -> {where}"
    function = getattr(callback, "__func__", callback)
    return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', repr(function))}"[:160]


class Watch:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self.collections: list[tuple[float, int, float, int]] = []  # (end s since start, generation, ms, objects freed)
        self.lags: list[tuple[float, float, float]] = []  # (s since start, lateness ms, gc ms inside that interval)
        self._began = 0.0
        self.slow: dict[str, list[float]] = {}  # place -> [count, max ms, total ms]
        self.callbacks = 0

    def timed(self, plain: Any) -> Any:
        watch = self

        def run(handle: asyncio.Handle) -> None:
            began = time.perf_counter()
            plain(handle)
            watch.callbacks += 1
            took = time.perf_counter() - began
            if took > SLOW_S:
                entry = watch.slow.setdefault(describe(handle), [0, 0.0, 0.0])
                entry[0] += 1
                entry[1] = max(entry[1], took * 1000)
                entry[2] += took * 1000

        return run

    def on_gc(self, phase: str, info: dict[str, Any]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._began = now
        else:
            self.collections.append((time.monotonic() - self.started, int(info["generation"]), (now - self._began) * 1000,
                                     int(info["collected"])))

    def gc_ms_between(self, lo: float, hi: float) -> float:
        """Collection time overlapping [lo, hi]: a collection may end after the loop woke (finalizers let it run)."""
        total = 0.0
        for end, _, ms, _ in reversed(self.collections[-200:]):
            begin = end - ms / 1000
            if end < lo:
                break
            total += max(0.0, min(end, hi) - max(begin, lo)) * 1000
        return total

    async def tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(TICK_S)
            late = loop.time() - before - TICK_S
            if late > LATE_S:
                now = time.monotonic() - self.started
                self.lags.append((round(now, 3), round(late * 1000, 1), round(self.gc_ms_between(now - late - TICK_S, now), 1)))

    def summary(self) -> dict[str, Any]:
        by_gen: dict[int, list[float]] = {}
        for _, gen, ms, _ in self.collections:
            by_gen.setdefault(gen, []).append(ms)
        lags = list(self.lags)
        return {
            "seconds": round(time.monotonic() - self.started),
            "collections": {str(g): {"n": len(v), "max_ms": round(max(v), 1), "over_20ms": sum(m > 20 for m in v),
                                     "total_s": round(sum(v) / 1000, 2)} for g, v in sorted(by_gen.items())},
            "loop_lags_over_30ms": len(lags),
            "loop_lags_with_gc_over_half": sum(1 for _, late, g in lags if g >= late / 2),
            "loop_lag_max_ms": max((late for _, late, _ in lags), default=0.0),
            "callbacks": self.callbacks,
            "slow_callbacks_over_15ms": sum(int(v[0]) for v in list(self.slow.values())),
            "slow_callbacks": [{"where": k, "n": int(v[0]), "max_ms": round(v[1], 1), "total_ms": round(v[2])}
                               for k, v in sorted(list(self.slow.items()), key=lambda kv: -kv[1][2])[:40]],
            "long_collections": [c for c in self.collections if c[2] > 20][-500:],
            "lags": lags[-1000:],
        }


def report(watch: Watch, out: Path, every_s: float) -> None:
    while True:
        time.sleep(every_s)
        out.write_text(json.dumps(watch.summary()), encoding="utf-8")


def main() -> None:
    out, every_s, separator, *rest = sys.argv[1:]
    if separator != "--":
        raise SystemExit("usage: gc_watched_serve.py OUT EVERY_S -- <voicebridge arguments>")
    watch = Watch()
    gc.callbacks.append(watch.on_gc)
    asyncio.events.Handle._run = watch.timed(asyncio.events.Handle._run)  # type: ignore[method-assign]  # TimerHandle too
    from voicebridge.daemon import Daemon

    plain_start = Daemon.start

    async def start(self: Daemon) -> None:
        await plain_start(self)
        self._gc_watch = asyncio.create_task(watch.tick())  # type: ignore[attr-defined]  # held so it is not collected

    Daemon.start = start  # type: ignore[method-assign]
    threading.Thread(target=report, args=(watch, Path(out), float(every_s)), daemon=True).start()
    sys.argv = ["voicebridge", *rest]
    runpy.run_module("voicebridge", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
