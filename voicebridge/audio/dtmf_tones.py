"""In-band DTMF: key tones in the caller's audio (phones that send them as sound, not as RFC 4733 events), found per
20 ms frame with the Goertzel algorithm, so they become key presses instead of a caller turn. Pure: no clock, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LOW_HZ = (697.0, 770.0, 852.0, 941.0)
HIGH_HZ = (1209.0, 1336.0, 1477.0, 1633.0)
KEYS = ("123A", "456B", "789C", "*0#D")


@dataclass(frozen=True)
class ToneSettings:
    min_dbfs: float = -36.0  # quieter frames are not a key (ITU Q.24 receivers accept down to about -25 dBm0)
    purity: float = 0.75  # share of the frame's energy in the two tones: speech and noise spread theirs
    max_twist_db: float = 8.0  # the high tone may be this much louder or quieter than the low one
    min_frames: int = 2  # 40 ms of the same key, the shortest tone Q.24 requires a receiver to take


@dataclass(frozen=True)
class FrameTone:
    tone: bool  # this frame is a key tone (keep it out of speech detection)
    key: str | None = None  # a key press, once, when its tone has lasted min_frames


class ToneDetector:
    """Feed consecutive frames of 16-bit mono PCM; each answer says whether the frame is a key tone and names a key once
    per press (a key held for a second is one press; the same key again needs a frame without it in between)."""

    def __init__(self, sample_rate: int, settings: ToneSettings | None = None) -> None:
        self.sample_rate = sample_rate
        self.settings = settings or ToneSettings()
        self._basis: dict[int, np.ndarray] = {}
        self._candidate: str | None = None
        self._run = 0
        self._reported = False

    def process(self, frame: bytes) -> FrameTone:
        key = self.classify(frame)
        if key is None or key != self._candidate:
            self._candidate, self._run, self._reported = key, (1 if key else 0), False
        else:
            self._run += 1
        if key is not None and not self._reported and self._run >= self.settings.min_frames:
            self._reported = True
            return FrameTone(True, key)
        return FrameTone(key is not None)

    def classify(self, frame: bytes) -> str | None:
        """The key whose two tones this frame holds, or None."""
        x = np.frombuffer(frame[: len(frame) // 2 * 2], dtype="<i2").astype(np.float64)
        n = len(x)
        if n < 64:
            return None
        energy = float(np.dot(x, x))
        s = self.settings
        if energy <= 0 or 10 * math.log10(energy / n / 32768.0**2) < s.min_dbfs:
            return None
        # Goertzel at the eight exact frequencies (a DFT at non-bin frequencies): share of the frame's energy at each.
        spectrum = self._basis_for(n) @ x
        share = (spectrum.real**2 + spectrum.imag**2) * 2 / (n * energy)
        low, high = share[:4], share[4:]
        li, hi = int(np.argmax(low)), int(np.argmax(high))
        lo_p, hi_p = float(low[li]), float(high[hi])
        if lo_p + hi_p < s.purity or min(lo_p, hi_p) <= 0:
            return None
        if abs(10 * math.log10(hi_p / lo_p)) > s.max_twist_db:
            return None
        # Each tone must stand out in its group (a frequency between two rows is not a key).
        if np.sort(low)[-2] > lo_p / 4 or np.sort(high)[-2] > hi_p / 4:
            return None
        return KEYS[li][hi]

    def _basis_for(self, n: int) -> np.ndarray:
        basis = self._basis.get(n)
        if basis is None:
            t = np.arange(n) / self.sample_rate
            basis = np.exp(-2j * np.pi * np.outer(np.array(LOW_HZ + HIGH_HZ), t))
            self._basis[n] = basis
        return basis


def key_tones(keys: str, sample_rate: int = 8000, tone_ms: int = 100, gap_ms: int = 100, dbfs: float = -12.0) -> bytes:
    """The tones a phone's keypad plays for `keys` (both tones at `dbfs` each), for tests and the `call --wav` tool."""
    amp = 32767 * 10 ** (dbfs / 20)
    out = bytearray()
    gap = np.zeros(int(sample_rate * gap_ms / 1000), dtype="<i2").tobytes()
    t = np.arange(int(sample_rate * tone_ms / 1000)) / sample_rate
    for key in keys:
        row = next(i for i, r in enumerate(KEYS) if key in r)
        col = KEYS[row].index(key)
        wave = amp * (np.sin(2 * np.pi * LOW_HZ[row] * t) + np.sin(2 * np.pi * HIGH_HZ[col] * t))
        out += np.clip(wave, -32768, 32767).astype("<i2").tobytes() + gap
    return bytes(out)
