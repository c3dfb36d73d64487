"""Recordings: owner-only files, AES-GCM at rest with a key file, tamper and truncation detected, refusal deletes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.privacy_helpers import add_call, voiced
from voicebridge.config import parse_config
from voicebridge.errors import ConfigError, VoicebridgeError
from voicebridge.privacy.recordings import CallRecording, RecordingStore, load_key, open_recording
from voicebridge.store.call_store import CallStore

KEY = bytes.fromhex("11" * 32)


def record(store: RecordingStore, pcm: bytes, call_id: str = "c1") -> Path:
    rec = store.start("default", call_id, 8000)
    for i in range(0, len(pcm), 320):  # 20 ms frames, as they arrive
        rec.write(pcm[i : i + 320])
    rec.close()
    return rec.path


def test_plain_recording_is_an_owner_only_wav(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path / "rec", None)
    pcm = voiced(2.5)
    path = record(store, pcm)
    assert path.name == "c1.wav"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    audio = store.read(path)
    assert audio.pcm == pcm and audio.sample_rate == 8000 and audio.complete


def test_encrypted_recording_round_trip_and_nothing_readable_at_rest(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path / "rec", KEY)
    pcm = voiced(2.5)
    path = record(store, pcm)
    assert path.name == "c1.wav.enc"
    raw = path.read_bytes()
    assert pcm[1000:1064] not in raw and b"RIFF" not in raw
    assert store.read(path).pcm == pcm
    with pytest.raises(VoicebridgeError, match="wrong key"):
        RecordingStore(tmp_path / "rec", bytes(32)).read(path)
    with pytest.raises(VoicebridgeError, match="no privacy.recording_key_file"):
        RecordingStore(tmp_path / "rec", None).read(path)


def test_tampering_and_truncation_are_detected(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path / "rec", KEY)
    path = record(store, voiced(2.5))
    raw = bytearray(path.read_bytes())
    raw[60] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(VoicebridgeError, match="altered"):
        store.read(path)
    # A recording cut off by a crash keeps what was flushed and says it is incomplete.
    rec = store.start("default", "c2", 8000)
    pcm = voiced(1.5)
    for i in range(0, len(pcm), 320):
        rec.write(pcm[i : i + 320])
    rec._file.flush()  # the daemon dies here, before close()
    partial = store.read(rec.path)
    assert not partial.complete and partial.pcm == pcm[:16000]  # the one full second that was sealed


def test_key_file_must_be_private_and_well_formed(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("ab" * 32)
    os.chmod(key, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_key(key)
    os.chmod(key, 0o600)
    assert load_key(key) == bytes.fromhex("ab" * 32)
    key.write_text("short")
    with pytest.raises(ConfigError, match="64 hex characters"):
        load_key(key)
    with pytest.raises(ConfigError, match="does not exist"):
        load_key(tmp_path / "missing")


def test_refusal_deletes_the_file_and_stops_recording(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path / "rec", KEY)
    recording = CallRecording(store.start("default", "c3", 8000), "9")
    recording.audio(voiced(1.2))
    assert recording.state == "on" and len(list(store.files())) == 1
    assert not recording.dtmf("5")
    assert recording.dtmf("9")
    assert recording.state == "refused" and list(store.files()) == []
    recording.audio(voiced(1.2))  # later audio goes nowhere
    recording.close()
    assert list(store.files()) == [] and not recording.refuse()


def test_recording_is_off_unless_configured(tmp_path: Path) -> None:
    off = parse_config({"storage": {"database": str(tmp_path / "calls.db")}})
    assert open_recording(RecordingStore.from_config(off), off, "default", "c4", 8000).state == "off"
    on = parse_config({"storage": {"database": str(tmp_path / "calls.db")}, "privacy": {"record_audio": True}})
    store = RecordingStore.from_config(on)
    assert store.root == tmp_path / "recordings"
    rec = open_recording(store, on, "default", "c4", 8000)
    assert rec.state == "on"
    rec.close()
    assert [f.call_id for f in store.files()] == ["c4"]
    with pytest.raises(ValueError):
        store.start("default", "../escape", 8000)


def test_database_and_its_wal_are_owner_only(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "data" / "calls.db")
    add_call(store, "c1", texts=("hello",))
    modes = {suffix: stat.S_IMODE(Path(f"{store.path}{suffix}").stat().st_mode) for suffix in ("", "-wal", "-shm")}
    assert modes == {"": 0o600, "-wal": 0o600, "-shm": 0o600}
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
