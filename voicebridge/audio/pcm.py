"""Signed 16-bit mono PCM helpers: resampling, levels, framing.

Pure numpy so it runs anywhere the models run, without scipy.
"""

from __future__ import annotations

import math

import numpy as np


def to_float(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def to_pcm(samples: np.ndarray) -> bytes:
    clipped = np.clip(samples, -1.0, 32767 / 32768)
    return (clipped * 32768.0).astype("<i2").tobytes()


def _lowpass_kernel(cutoff: float, taps: int = 63) -> np.ndarray:
    """Windowed-sinc low-pass; cutoff as a fraction of the sample rate (0..0.5)."""
    n = np.arange(taps) - (taps - 1) / 2
    kernel = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(taps)
    return (kernel / kernel.sum()).astype(np.float32)


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Band-limit when going down (so 22 kHz TTS does not alias into a phone line), then interpolate."""
    if src_rate == dst_rate or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    if dst_rate < src_rate:
        samples = np.convolve(samples, _lowpass_kernel(0.45 * dst_rate / src_rate), mode="same")
    duration = len(samples) / src_rate
    n_out = max(1, int(round(duration * dst_rate)))
    positions = np.arange(n_out, dtype=np.float64) * (src_rate / dst_rate)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def resample_pcm(pcm: bytes, src_rate: int, dst_rate: int) -> bytes:
    if src_rate == dst_rate:
        return pcm
    return to_pcm(resample(to_float(pcm), src_rate, dst_rate))


def rms_dbfs(pcm: bytes) -> float:
    samples = to_float(pcm)
    if len(samples) == 0:
        return -math.inf
    power = float(np.mean(samples.astype(np.float64) ** 2))
    return 10 * math.log10(power) if power > 0 else -math.inf


AUDIBLE_DBFS = -45.0  # quieter than this is not heard as speech on a phone line (the test peers use the same level)


def _loud_windows(pcm: bytes, sample_rate: int, window_ms: int, level_dbfs: float) -> np.ndarray:
    """Indexes of the whole `window_ms` windows of `pcm` whose power is above `level_dbfs`."""
    n = sample_rate * window_ms // 1000
    x = np.frombuffer(pcm[: len(pcm) // (2 * n) * 2 * n], dtype="<i2").astype(np.float64)
    if not len(x):
        return np.zeros(0, dtype=np.intp)
    power = (x.reshape(-1, n) ** 2).mean(axis=1)
    return np.flatnonzero(power > (32768.0 * 10 ** (level_dbfs / 20)) ** 2)


def audible_end_ms(pcm: bytes, sample_rate: int, window_ms: int = 5) -> float | None:
    """Where the last audible sound in `pcm` ends (the end of its last `window_ms` window above AUDIBLE_DBFS), in ms
    from the start of `pcm`; None if nothing in it is audible."""
    loud = _loud_windows(pcm, sample_rate, window_ms, AUDIBLE_DBFS)
    return float((loud[-1] + 1) * window_ms) if len(loud) else None


def trim_leading_silence(pcm: bytes, sample_rate: int, keep_ms: int = 10, floor_dbfs: float = -55.0) -> bytes:
    """Drop the silence a synthesized sentence starts with (Piper joe: 40-60 ms), keeping `keep_ms` before the first
    5 ms window above `floor_dbfs` (below the audible level, so a soft onset stays whole). Unchanged if all quiet."""
    loud = _loud_windows(pcm, sample_rate, 5, floor_dbfs)
    if not len(loud):
        return pcm
    start = max(0, int(loud[0]) * (sample_rate * 5 // 1000) - sample_rate * keep_ms // 1000)
    return pcm[start * 2 :]


def frame_bytes(sample_rate: int, ms: int = 20) -> int:
    return sample_rate * ms // 1000 * 2


def silence(sample_rate: int, ms: int = 20) -> bytes:
    return bytes(frame_bytes(sample_rate, ms))


def split_frames(pcm: bytes, sample_rate: int, ms: int = 20) -> list[bytes]:
    """Cut into whole frames, padding the last one with silence."""
    size = frame_bytes(sample_rate, ms)
    frames = [pcm[i : i + size] for i in range(0, len(pcm), size)]
    if frames and len(frames[-1]) < size:
        frames[-1] = frames[-1] + bytes(size - len(frames[-1]))
    return frames
