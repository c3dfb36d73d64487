"""Recordings of the caller's audio: one owner-only file per call, AES-256-GCM encrypted at rest when a key is configured.

`CallRecording` is what a call holds: it writes audio while the caller consents and deletes the file the moment they refuse.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import struct
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from voicebridge.config import Config
from voicebridge.errors import ConfigError, VoicebridgeError

log = logging.getLogger(__name__)

KEY_BYTES = 32
MAGIC = b"VBREC1\n"
# header: magic, sample rate, 7-byte random nonce prefix; each chunk: length, then AES-GCM ciphertext with its tag.
_HEADER = struct.Struct("<7sI7s")
_CHUNK_LEN = struct.Struct("<I")
FLUSH_MS = 1000  # audio is encrypted and written once a second: a crash loses at most that much
PLAIN_SUFFIX = ".wav"
SEALED_SUFFIX = ".wav.enc"
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


def load_key(path: Path) -> bytes:
    """The recording key: 64 hex characters in a file only its owner can read (like an ssh private key)."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ConfigError(f"privacy.recording_key_file {path} does not exist; fix: `openssl rand -hex 32 > {path} && chmod 600 {path}`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"privacy.recording_key_file {path} cannot be read ({exc})") from None
    if stat.S_IMODE(mode) & 0o077:
        raise ConfigError(f"privacy.recording_key_file {path} can be read by other users; fix: chmod 600 {path}")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise ConfigError(f"privacy.recording_key_file {path} must hold 64 hex characters (a 32-byte key); fix: `openssl rand -hex 32 > {path}`")
    return key


def _nonce(prefix: bytes, counter: int, final: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if final else b"\x00")


def _create_private(path: Path) -> BinaryIO:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


class CallRecorder:
    """Writes one call's caller audio; plain WAV without a key, else the sealed format above (the final chunk is marked,
    so a cut-off file is noticed)."""

    def __init__(self, path: Path, sample_rate: int, key: bytes | None) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self._file = _create_private(path)
        self._buffer = bytearray()
        self._flush_bytes = sample_rate * 2 * FLUSH_MS // 1000
        self._closed = False
        self._wav: wave.Wave_write | None = None
        self._aead: AESGCM | None = None
        if key is None:
            self._wav = wave.open(self._file, "wb")
            self._wav.setnchannels(1)
            self._wav.setsampwidth(2)
            self._wav.setframerate(sample_rate)
        else:
            self._aead = AESGCM(key)
            self._prefix = os.urandom(7)
            self._header = _HEADER.pack(MAGIC, sample_rate, self._prefix)
            self._counter = 0
            self._file.write(self._header)

    def write(self, pcm: bytes) -> None:
        if self._closed:
            return
        self._buffer += pcm
        if len(self._buffer) >= self._flush_bytes:
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        data, self._buffer = bytes(self._buffer), bytearray()
        if self._wav is not None:
            self._wav.writeframes(data)  # patches the header's lengths each time, so the file is valid after a crash
        elif self._aead is not None:
            sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, final), data, self._header)
            self._counter += 1
            self._file.write(_CHUNK_LEN.pack(len(sealed)) + sealed)
        self._file.flush()

    def close(self) -> None:
        if self._closed:
            return
        self._flush(final=True)
        self._closed = True
        if self._wav is not None:
            self._wav.close()
        self._file.close()

    def discard(self) -> None:
        """The caller refused: nothing of the recording may remain."""
        if not self._closed:
            self._closed = True
            self._buffer = bytearray()
            if self._wav is not None:
                self._wav.close()
            self._file.close()
        shred(self.path)


@dataclass(frozen=True)
class RecordedAudio:
    sample_rate: int
    pcm: bytes
    complete: bool  # False: the file ends without its final chunk (the daemon died mid-call)


@dataclass(frozen=True)
class RecordingFile:
    tenant: str
    call_id: str
    path: Path


class RecordingStore:
    """The recordings directory: <dir>/<tenant>/<call id>.wav or .wav.enc, directories 0700, files 0600."""

    def __init__(self, root: Path, key: bytes | None) -> None:
        self.root = root
        self.key = key

    @classmethod
    def from_config(cls, config: Config) -> RecordingStore:
        key_file = config.privacy.recording_key_file
        return cls(config.recordings_path, load_key(Path(key_file).expanduser()) if key_file else None)

    def start(self, tenant: str, call_id: str, sample_rate: int) -> CallRecorder:
        suffix = SEALED_SUFFIX if self.key is not None else PLAIN_SUFFIX
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        return CallRecorder(self.root / _safe(tenant) / f"{_safe(call_id)}{suffix}", sample_rate, self.key)

    def files(self, tenant: str | None = None) -> Iterator[RecordingFile]:
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir() or (tenant is not None and folder.name != tenant):
                continue
            for path in sorted(folder.iterdir()):
                for suffix in (SEALED_SUFFIX, PLAIN_SUFFIX):
                    if path.name.endswith(suffix):
                        yield RecordingFile(folder.name, path.name[: -len(suffix)], path)
                        break

    def for_call(self, call_id: str, tenant: str | None = None) -> list[RecordingFile]:
        return [f for f in self.files(tenant) if f.call_id == call_id]

    def read(self, path: Path) -> RecordedAudio:
        if path.name.endswith(PLAIN_SUFFIX) and not path.name.endswith(SEALED_SUFFIX):
            with wave.open(str(path), "rb") as wav:
                return RecordedAudio(wav.getframerate(), wav.readframes(wav.getnframes()), True)
        if self.key is None:
            raise VoicebridgeError(f"recording {path} is encrypted and no privacy.recording_key_file is configured")
        return _unseal(path.read_bytes(), self.key, path)


def _unseal(data: bytes, key: bytes, path: Path) -> RecordedAudio:
    if len(data) < _HEADER.size or data[: len(MAGIC)] != MAGIC:
        raise VoicebridgeError(f"recording {path} is not a voicebridge recording")
    header = data[: _HEADER.size]
    _, rate, prefix = _HEADER.unpack(header)
    aead = AESGCM(key)
    pos, counter, pcm, complete = _HEADER.size, 0, bytearray(), False
    while pos < len(data):
        if complete or pos + _CHUNK_LEN.size > len(data):
            raise VoicebridgeError(f"recording {path} has data after its end or a cut chunk: it was altered")
        (size,) = _CHUNK_LEN.unpack_from(data, pos)
        sealed = data[pos + _CHUNK_LEN.size : pos + _CHUNK_LEN.size + size]
        pos += _CHUNK_LEN.size + size
        try:
            pcm += aead.decrypt(_nonce(prefix, counter, False), sealed, header)
        except InvalidTag:
            try:
                pcm += aead.decrypt(_nonce(prefix, counter, True), sealed, header)
            except InvalidTag:
                raise VoicebridgeError(f"recording {path} cannot be decrypted: wrong key, or the file was altered") from None
            complete = True
        counter += 1
    return RecordedAudio(rate, bytes(pcm), complete)


def shred(path: Path) -> bool:
    """Overwrite with zeros, then unlink. Best effort: a journaling or flash file system may keep old blocks, which is why
    recordings should be encrypted (privacy.recording_key_file) on an encrypted disk."""
    try:
        size = path.stat().st_size
        with path.open("r+b") as f:
            f.write(bytes(size))
            f.flush()
            os.fsync(f.fileno())
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def _safe(name: str) -> str:
    if not _SAFE_ID.fullmatch(name):
        raise ValueError(f"{name!r} cannot name a recording file")
    return name


class CallRecording:
    """One call's recording and the caller's right to refuse it; state is "off", "on" or "refused"."""

    def __init__(self, recorder: CallRecorder | None, refuse_digit: str) -> None:
        self._recorder = recorder
        self.refuse_digit = refuse_digit
        self.state = "on" if recorder is not None else "off"

    @classmethod
    def off(cls) -> CallRecording:
        return cls(None, "")

    def audio(self, pcm: bytes) -> None:
        if self._recorder is not None:
            self._recorder.write(pcm)

    def dtmf(self, digit: str) -> bool:
        """True if this key press refused the recording (it is then already deleted)."""
        return digit == self.refuse_digit and self.refuse()

    def refuse(self) -> bool:
        if self._recorder is None:
            return False
        self._recorder.discard()
        self._recorder = None
        self.state = "refused"
        return True

    def close(self) -> None:
        if self._recorder is not None:
            self._recorder.close()
            self._recorder = None


def open_recording(store: RecordingStore | None, config: Config, tenant: str, call_id: str, sample_rate: int) -> CallRecording:
    """A call's recording: off unless privacy.record_audio; a recording that cannot start leaves the call unrecorded, not dropped."""
    if store is None or not config.privacy.record_audio:
        return CallRecording.off()
    try:
        return CallRecording(store.start(tenant, call_id, sample_rate), config.privacy.refuse_recording_digit)
    except (OSError, ValueError) as exc:
        log.error("call %s: the recording cannot start (%s); the call goes on unrecorded", call_id, exc)
        return CallRecording.off()
