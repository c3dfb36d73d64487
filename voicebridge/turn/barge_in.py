"""Barge-in decisions while the agent speaks: pause fast on caller speech, resume after a mere "mhm", cut on real speech.

Pure and clock-free (counted in 20 ms frames), fed with echo-gated speech flags; the session acts on its verdicts.
"""

from __future__ import annotations

import enum
from collections import deque

from voicebridge.audio.pcm import rms_dbfs


class Verdict(enum.Enum):
    NONE = "none"
    PAUSE = "pause"  # stop the agent's audio now, keep the rest queued
    RESUME = "resume"  # it was a backchannel or a cough: play on from where it paused
    INTERRUPT = "interrupt"  # the caller really took the turn: drop what was not said


class BargeInDetector:
    def __init__(self, pause_ms: int = 100, confirm_ms: int = 500, resume_ms: int = 300, frame_ms: int = 20) -> None:
        self._pause = max(1, pause_ms // frame_ms)
        self._confirm = max(1, confirm_ms // frame_ms)
        self._resume = max(1, resume_ms // frame_ms)
        self._window: deque[bool] = deque(maxlen=self._pause + 1)
        self.paused = False
        self._speech = 0
        self._silence = 0
        self._cut = False  # interrupted: nothing more to decide until the agent starts a new reply

    def reset(self) -> None:
        self._window.clear()
        self.paused = False
        self._speech = self._silence = 0

    def process(self, agent_speaking: bool, is_speech: bool) -> Verdict:
        if not agent_speaking and not self.paused:
            self.reset()
            self._cut = False
            return Verdict.NONE
        if self._cut:
            return Verdict.NONE
        self._window.append(is_speech)
        if not self.paused:
            # All but one of the last frames voiced: robust to one dropped VAD frame, still fast.
            if sum(self._window) >= self._pause:
                self.paused = True
                self._speech, self._silence = sum(self._window), 0
                return Verdict.PAUSE
            return Verdict.NONE
        if is_speech:
            self._speech += 1
            self._silence = 0
        else:
            self._silence += 1
        if self._speech >= self._confirm:
            self.reset()
            self._cut = True
            return Verdict.INTERRUPT
        if self._silence >= self._resume:
            self.reset()
            return Verdict.RESUME
        return Verdict.NONE


class EchoGate:
    """Inbound audio much quieter than what we just sent is our own voice coming back, not the caller."""

    def __init__(self, margin_db: float = 15.0, memory_frames: int = 25) -> None:
        self.margin_db = margin_db
        self._sent: deque[float] = deque(maxlen=memory_frames)  # 500 ms covers line and jitter-buffer echo delays

    def sent(self, frame: bytes) -> None:
        self._sent.append(rms_dbfs(frame))

    def is_caller(self, frame: bytes) -> bool:
        loudest = max(self._sent, default=float("-inf"))
        return rms_dbfs(frame) > loudest - self.margin_db
