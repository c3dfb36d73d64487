"""The soak benchmark's memory slopes: a heap that swings with each model job must not read as growth, a leak must."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))  # soak.py imports its sibling latency.py

from benchmarks.soak import envelope_slopes, note_sources, slope_mb_per_h  # noqa: E402


def _samples(minutes: int, base: float, growth_mb_per_h: float, busy_share_rises: bool) -> list[tuple[float, float]]:
    # One sample every 5 s; the heap is 150 MB higher while a note is written. With busy_share_rises the worker spends
    # 10% of each block in a note at the start and 60% by the end: the same peak and floor, a rising mean.
    points = []
    for i in range(minutes * 12):
        at = i * 5.0
        share = (0.1 + 0.5 * at / (minutes * 60)) if busy_share_rises else 0.3
        busy = (i % 60) < share * 60
        points.append((at, base + growth_mb_per_h * at / 3600 + (150.0 if busy else 0.0)))
    return points


def test_a_rising_share_of_busy_time_raises_the_fit_but_not_the_envelope() -> None:
    points = _samples(120, 1000.0, 0.0, busy_share_rises=True)
    assert slope_mb_per_h(points) > 20.0  # what the plain fit reported for a flat heap
    peak, floor = envelope_slopes(points)
    assert abs(peak) < 1.0 and abs(floor) < 1.0


def test_a_leak_raises_peak_and_floor_alike() -> None:
    peak, floor = envelope_slopes(_samples(120, 1000.0, 30.0, busy_share_rises=False))
    assert 28.0 < peak < 32.0 and 28.0 < floor < 32.0


def test_no_samples_gives_no_slope() -> None:
    peak, floor = envelope_slopes([])
    assert peak != peak and floor != floor  # NaN: nothing measured, not a flat line


def test_note_sources_count_who_wrote_each_stored_note() -> None:
    from voicebridge.dialogue.call_note import CallNote

    notes = [CallNote("a", extra={"note_source": "parsers+qwen (drafted during the call)"}).to_json(),
             CallNote("b", extra={"note_source": "parsers; qwen busy"}).to_json(),
             CallNote("c", extra={"note_source": "parsers; qwen busy"}).to_json(), None]
    assert note_sources(notes) == {"parsers; qwen busy": 2, "parsers+qwen (drafted during the call)": 1}


def test_drift_tells_a_trend_from_window_noise() -> None:
    import random

    from benchmarks.soak import drift

    rng = random.Random(1)
    steady = [{"at_s": i * 2.0, "v2v_ms": rng.lognormvariate(7.0, 0.4)} for i in range(1800)]  # an hour, one turn per 2 s
    rising = [{"at_s": t["at_s"], "v2v_ms": t["v2v_ms"] * (1 + t["at_s"] / 3600)} for t in steady]  # doubles over the hour
    calm, worse = drift(steady, 3600, 300), drift(rising, 3600, 300)
    lo, hi = calm["interval_90"]
    assert lo < 1.0 < hi and abs(calm["trend_ms_per_h"]) < 300
    assert worse["interval_90"][0] > 1.4 and worse["trend_ms_per_h"] > 1000
    assert len(calm["window_p95_ms"]) == 12


def test_cores_by_window_is_cpu_time_over_wall_time_per_window() -> None:
    from benchmarks.soak import cores_by_window

    busy_then_idle = [{"at_s": t, "cpu_s": min(t, 300) * 0.8} for t in range(0, 601, 10)]  # 0.8 core, then idle
    assert cores_by_window(busy_then_idle, 300) == [0.8, 0.0]
    assert cores_by_window([{"at_s": 0, "cpu_s": 0.0}, {"at_s": 400, "cpu_s": 9.0}], 300) == [None, None]  # one sample each
    assert cores_by_window([{"at_s": 0, "anon_mb": 1.0}], 300) == []  # a result from before cpu_s was sampled
