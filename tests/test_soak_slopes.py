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
