"""Voice-to-voice gaps measured on a two-sided call recording (e.g. Asterisk MixMonitor's r() and t() files): from the
end of the caller's speech to the start of the agent's answer, as the caller hears it. Pure: PCM in, gaps out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voicebridge.audio.pcm import AUDIBLE_DBFS

WINDOW_MS = 5


@dataclass(frozen=True)
class LineGap:
    caller_end_ms: float  # end of the caller's last audible sound before the answer, from the recording's start
    agent_start_ms: float  # first audible sound of the agent after it

    @property
    def gap_ms(self) -> float:
        return self.agent_start_ms - self.caller_end_ms


def audible(pcm: bytes, rate: int) -> np.ndarray:
    """One flag per 5 ms window: louder than AUDIBLE_DBFS."""
    n = rate * WINDOW_MS // 1000
    x = np.frombuffer(pcm[: len(pcm) // (2 * n) * 2 * n], dtype="<i2").astype(np.float64)
    power = (x.reshape(-1, n) ** 2).mean(axis=1) if len(x) else np.zeros(0)
    return np.asarray(power > (32768.0 * 10 ** (AUDIBLE_DBFS / 20)) ** 2)


def segments(flags: np.ndarray, min_gap_ms: int = 400) -> list[tuple[float, float]]:
    """(start, end) ms of sound, pauses shorter than `min_gap_ms` bridged (a pause between words is not a turn's end)."""
    idx = np.flatnonzero(flags)
    if not len(idx):
        return []
    out: list[tuple[float, float]] = []
    start = prev = int(idx[0])
    for i in idx[1:]:
        if (i - prev) * WINDOW_MS > min_gap_ms:
            out.append((start * WINDOW_MS, (prev + 1) * WINDOW_MS))
            start = int(i)
        prev = int(i)
    out.append((start * WINDOW_MS, (prev + 1) * WINDOW_MS))
    return out


def turn_gaps(said: bytes, heard: bytes, rate: int) -> list[LineGap]:
    """For each stretch of caller speech that the agent answered: the gap until the agent's first sound after it.
    `said` and `heard` must be aligned (one recording's two directions)."""
    caller = segments(audible(said, rate))
    agent_on = np.flatnonzero(audible(heard, rate)) * WINDOW_MS
    gaps: list[LineGap] = []
    for i, (_, end) in enumerate(caller):
        later = agent_on[agent_on >= end]
        if not len(later):
            break
        answer = float(later[0])
        next_start = caller[i + 1][0] if i + 1 < len(caller) else float("inf")
        if answer < next_start:  # answered before the caller spoke again
            gaps.append(LineGap(end, answer))
    return gaps
