"""Silero VAD v6 (the ONNX file faster-whisper ships, run by onnxruntime), streamed: one 32 ms window at a time.

Holds the recurrent state and 64 samples of context between windows, as the model was trained; 16 kHz input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from voicebridge.audio.pcm import resample, to_float
from voicebridge.errors import ModelError

SILERO_RATE = 16000
WINDOW = 512  # samples per model step at 16 kHz (32 ms)
CONTEXT = 64


def silero_path() -> Path:
    try:
        from faster_whisper.vad import get_assets_path
    except ImportError:
        raise ModelError("faster-whisper is not installed (it ships Silero VAD); fix: pip install faster-whisper") from None
    path = Path(get_assets_path()) / "silero_vad_v6.onnx"
    if not path.is_file():
        raise ModelError(f"Silero VAD model {path} missing; fix: reinstall faster-whisper (>= 1.2 ships silero_vad_v6.onnx)")
    return path


def load_silero_session() -> Any:
    """One onnxruntime session for all calls (loading takes ~30 ms, too long for the event loop at every call start)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # one small step per 32 ms: threads would only add overhead
    options.inter_op_num_threads = 1
    options.log_severity_level = 4
    return onnxruntime.InferenceSession(str(silero_path()), sess_options=options, providers=["CPUExecutionProvider"])


class SileroStream:
    """Speech probability of line audio as it arrives; `probability` is the newest window's."""

    def __init__(self, line_rate: int, session: Any = None) -> None:
        self._session = session if session is not None else load_silero_session()
        self.line_rate = line_rate
        self._state = np.zeros((2, 1, 1, 128), dtype=np.float32)  # h and c
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self.probability = 0.0

    def feed(self, pcm: bytes) -> float:
        samples = resample(to_float(pcm), self.line_rate, SILERO_RATE)
        self._pending = np.concatenate([self._pending, samples])
        while len(self._pending) >= WINDOW:
            window, self._pending = self._pending[:WINDOW], self._pending[WINDOW:]
            batch = np.concatenate([self._context, window])[None, :].astype(np.float32)
            probs, h, c = self._session.run(None, {"input": batch, "h": self._state[0], "c": self._state[1]})
            self._state = np.stack([h, c])
            self._context = window[-CONTEXT:]
            self.probability = float(np.ravel(probs)[-1])
        return self.probability
