"""Clock-free VAD endpointing: feed 20 ms frames with a speech flag, get utterance events back.

Time is counted in frames, so the state machine is tested without audio, sockets or models.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import webrtcvad

from voicebridge.audio.pcm import audible_end_ms, frame_bytes, resample_pcm
from voicebridge.turn.silero import SileroStream

VAD_RATES = (8000, 16000, 32000, 48000)


@dataclass(frozen=True)
class SpeechStarted:
    at_ms: int


@dataclass(frozen=True)
class UtteranceEnded:
    audio: bytes  # PCM at the endpointer's sample rate, pre-roll included
    start_ms: int  # first speech frame, relative to the first frame fed
    end_ms: int  # where the last audible sound of the turn ends (VAD's last speech frame often runs on past it)
    forced: bool = False  # cut at max length rather than by silence
    hangover_ms: int = 0  # the silence that ended it (the default, or what the draft's words set for this pause)


@dataclass(frozen=True)
class NoiseDiscarded:
    start_ms: int
    speech_ms: int


Event = SpeechStarted | UtteranceEnded | NoiseDiscarded


class Endpointer:
    def __init__(
        self,
        sample_rate: int,
        hangover_ms: int = 600,
        min_speech_ms: int = 200,
        max_utterance_ms: int = 20000,
        frame_ms: int = 20,
        start_frames: int = 3,
        pre_roll_ms: int = 200,
        tail_ms: int = 200,
        quiet_is_silence: bool = False,
    ) -> None:
        """`quiet_is_silence`: inside an utterance, a frame the VAD calls speech with nothing audible in it counts as
        silence, so the hangover runs from where the voice stops, not from where webrtcvad stops (100-120 ms later)."""
        self.sample_rate = sample_rate
        self.frame_ms = frame_ms
        self._hangover = max(1, hangover_ms // frame_ms)
        self._min_speech = max(1, min_speech_ms // frame_ms)
        self._max_frames = max(1, max_utterance_ms // frame_ms)
        self._start_frames = start_frames
        self._tail = max(0, tail_ms // frame_ms)
        self._quiet_is_silence = quiet_is_silence
        self._pre_roll: deque[bytes] = deque(maxlen=max(start_frames, pre_roll_ms // frame_ms))
        self._recent: deque[bool] = deque(maxlen=start_frames)
        self._frames = 0
        self._in_speech = False
        self._audio: list[bytes] = []
        self._speech_frames = 0
        self._silence_run = 0
        self._start_frame = 0
        self._last_speech_frame = 0
        self._last_audible_ms: float | None = None  # end of the last audible sound in a speech frame of this utterance
        self._pause_hangover: int | None = None  # frames, for the current pause only (set_pause_hangover)

    def set_pause_hangover(self, hangover_ms: int | None) -> None:
        """Change the silence that ends the turn, for the current pause only: the next voiced frame restores the default.
        Shorter than the silence so far ends the turn at the next frame. None restores the default now."""
        self._pause_hangover = None if hangover_ms is None else max(1, hangover_ms // self.frame_ms)

    @property
    def hangover_ms(self) -> int:
        """The silence that ends the turn at the current pause."""
        return (self._pause_hangover or self._hangover) * self.frame_ms

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    @property
    def silence_ms(self) -> int:
        """Silence since the caller's last speech frame, inside an utterance (0 outside one)."""
        return self._silence_run * self.frame_ms if self._in_speech else 0

    @property
    def speech_frames(self) -> int:
        """Grows with every voiced frame of the current utterance: a version number for speculative work."""
        return self._speech_frames

    def snapshot(self) -> bytes:
        """The utterance so far without its trailing silence, for speculative transcription at a pause."""
        keep = len(self._audio) - max(0, self._silence_run - self._tail)
        return b"".join(self._audio[:keep])

    @property
    def now_ms(self) -> int:
        return self._frames * self.frame_ms

    def process(self, frame: bytes, is_speech: bool) -> list[Event]:
        self._frames += 1
        events: list[Event] = []
        if not self._in_speech:
            self._pre_roll.append(frame)
            self._recent.append(is_speech)
            if len(self._recent) == self._start_frames and all(self._recent):
                self._in_speech = True
                self._start_frame = self._frames - self._start_frames
                self._audio = list(self._pre_roll)
                self._speech_frames = self._start_frames
                self._silence_run = 0
                self._last_speech_frame = self._frames
                self._last_audible_ms = None
                self._mark_audible(audible_end_ms(frame, self.sample_rate))
                events.append(SpeechStarted(self._start_frame * self.frame_ms))
            return events
        self._audio.append(frame)
        audible = audible_end_ms(frame, self.sample_rate) if is_speech else None
        if is_speech and (audible is not None or not self._quiet_is_silence):
            self._speech_frames += 1
            self._silence_run = 0
            self._last_speech_frame = self._frames
            self._pause_hangover = None
            self._mark_audible(audible)
        else:
            self._silence_run += 1
        length = self._frames - self._start_frame
        hangover = self._pause_hangover or self._hangover
        if self._silence_run >= hangover or length >= self._max_frames:
            events.append(self._close(forced=self._silence_run < hangover))
        return events

    def _mark_audible(self, end: float | None) -> None:
        """webrtcvad keeps calling frames speech for 100-300 ms after the voice has died away; the turn's end is marked
        where the sound really stops (`end`: audible_end_ms of the latest frame), so stored timings match the line."""
        if end is not None:
            self._last_audible_ms = (self._frames - 1) * self.frame_ms + end

    def flush(self) -> Event | None:
        """End an utterance in progress (the caller hung up mid-sentence) so what was said is not lost."""
        if not self._in_speech:
            return None
        return self._close(forced=True)

    def _close(self, forced: bool) -> Event:
        self._in_speech = False
        hangover_ms = self.hangover_ms
        self._pause_hangover = None
        self._pre_roll.clear()
        self._recent.clear()
        start_ms = self._start_frame * self.frame_ms
        if self._speech_frames < self._min_speech:
            return NoiseDiscarded(start_ms, self._speech_frames * self.frame_ms)
        # Most of the trailing hangover silence is dropped (it only costs STT time); a short tail is kept because
        # VAD often calls the soft end of the last word ("boil-er") silence.
        keep = len(self._audio) - max(0, self._silence_run - self._tail)
        audio = b"".join(self._audio[:keep])
        self._audio = []
        end_ms = self._last_speech_frame * self.frame_ms
        if self._last_audible_ms is not None and start_ms < self._last_audible_ms < end_ms:
            end_ms = int(self._last_audible_ms)
        return UtteranceEnded(audio, start_ms, end_ms, forced, hangover_ms)


class VoiceDetector:
    """Speech flags per 20 ms frame at any line rate: webrtcvad (re-framed to a rate it knows), Silero VAD, or both
    (webrtcvad's cheap flag confirmed by Silero, which ignores tones, music and hum that webrtcvad calls speech)."""

    def __init__(self, line_rate: int, aggressiveness: int, detector: str = "webrtc", silero_threshold: float = 0.5,
                 silero_session: object | None = None) -> None:
        self.line_rate = line_rate
        self.rate = line_rate if line_rate in VAD_RATES else 16000
        self._vad = webrtcvad.Vad(aggressiveness)
        self._size = frame_bytes(self.rate, 20)
        self._pending = bytearray()
        self.detector = detector
        self._threshold = silero_threshold
        self._silero: SileroStream | None = None
        if detector != "webrtc":
            self._silero = SileroStream(self.rate, silero_session)

    def _is_speech(self, frame: bytes) -> bool:
        if self._silero is None:
            return self._vad.is_speech(frame, self.rate)
        confirmed = self._silero.feed(frame) >= self._threshold
        return confirmed if self.detector == "silero" else confirmed and self._vad.is_speech(frame, self.rate)

    def frames(self, pcm: bytes) -> list[tuple[bytes, bool]]:
        """Split incoming line audio into 20 ms frames at `self.rate`, each with its speech flag."""
        self._pending += resample_pcm(pcm, self.line_rate, self.rate)
        out: list[tuple[bytes, bool]] = []
        while len(self._pending) >= self._size:
            frame = bytes(self._pending[: self._size])
            del self._pending[: self._size]
            out.append((frame, self._is_speech(frame)))
        return out
