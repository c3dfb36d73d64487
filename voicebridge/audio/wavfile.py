"""Read and write mono 16-bit WAV files, converting anything readable to the rate asked for."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from voicebridge.audio.pcm import resample_pcm
from voicebridge.errors import VoicebridgeError


def read_wav(path: Path, rate: int) -> bytes:
    """Mono 16-bit PCM at `rate`; stereo is mixed down. A bad file is an operator error, not a traceback."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, src_rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            data = wav.readframes(wav.getnframes())
    except FileNotFoundError:
        raise VoicebridgeError(f"WAV file {path} does not exist") from None
    except (wave.Error, EOFError) as exc:
        raise VoicebridgeError(f"{path} is not a PCM WAV file ({exc}); fix: convert it, e.g. `sox in.mp3 -b 16 out.wav`") from None
    if width != 2:
        raise VoicebridgeError(f"{path} has {8 * width}-bit samples; fix: `sox {path} -b 16 out.wav`")
    if channels > 1:
        samples = np.frombuffer(data, dtype="<i2").reshape(-1, channels).mean(axis=1)
        data = samples.astype("<i2").tobytes()
    return resample_pcm(data, src_rate, rate)


def write_wav(path: Path, pcm: bytes, rate: int) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm)
