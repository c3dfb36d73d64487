"""The `voicebridge` command as an operator runs it: real processes, a real daemon, real signals, one-line errors."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from voicebridge.audio.pcm import rms_dbfs
from voicebridge.audio.wavfile import read_wav, write_wav
from voicebridge.transport.audiosocket_client import AsteriskPeer

pytestmark = pytest.mark.e2e

VOICEBRIDGE = [sys.executable, "-m", "voicebridge"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(tmp_path: Path, extra: str = "", port: int | None = None) -> Path:
    config = tmp_path / "voicebridge.toml"
    config.write_text(
        f"""
[server]
audiosocket_port = {port or free_port()}
[storage]
database = "{tmp_path / 'calls.db'}"
[business]
language = "en"
name = "Miller Plumbing"
{extra}
""",
        encoding="utf-8",
    )
    return config


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*VOICEBRIDGE, *args], capture_output=True, text=True, timeout=timeout)


class Served:
    def __init__(self, config: Path, log: Path) -> None:
        self.config, self.log = config, log
        self.proc = subprocess.Popen([*VOICEBRIDGE, "--config", str(config), "serve"], stderr=log.open("w"), stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while "voicebridge ready" not in log.read_text():
            assert self.proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "daemon did not start"
            time.sleep(0.1)

    @property
    def port(self) -> int:
        for line in self.config.read_text().splitlines():
            if line.startswith("audiosocket_port"):
                return int(line.split("=")[1])
        raise AssertionError("no port")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    running: list[Served] = []

    def start(config: Path) -> Served:
        served = Served(config, tmp_path / f"serve{len(running)}.log")
        running.append(served)
        return served

    yield start
    for served in running:
        served.stop(signal.SIGKILL)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    # `serve` may have logged its start first; the error itself must be one line.
    lines = [line for line in result.stderr.splitlines() if line.strip() and not re.match(r"^\d{4}-\d\d-\d\d .* INFO ", line)]
    assert len(lines) == 1, result.stderr
    assert "error:" in lines[-1]
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_serve_call_wav_then_inspect(tmp_path: Path, serve: Callable[..., Served], say: Callable[..., bytes]) -> None:
    config = write_config(tmp_path)
    served = serve(config)
    wav = tmp_path / "caller.wav"
    write_wav(wav, say("Hello, the radiator in my bedroom is leaking water.", rate=8000), 8000)
    result = run_cli("--config", str(config), "call", "--wav", str(wav), "--out", str(tmp_path / "agent.wav"), "--timeout", "60")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "agent answered" in result.stdout
    agent = read_wav(tmp_path / "agent.wav", 8000)
    assert len(agent) > 8000 * 2 * 3 and rms_dbfs(agent) > -40  # seconds of real speech, not silence

    deadline = time.monotonic() + 20
    while True:
        listing = run_cli("--config", str(config), "calls", "list")
        if "caller_hangup" in listing.stdout or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert listing.returncode == 0 and "caller_hangup" in listing.stdout
    call_id = listing.stdout.split()[0]
    shown = run_cli("--config", str(config), "calls", "show", call_id[:8])
    assert shown.returncode == 0
    assert "radiator" in shown.stdout.lower() and "stt_ms=" in shown.stdout and "AI assistant" in shown.stdout
    assert served.stop() == 0
    assert "Traceback" not in served.log.read_text()


def test_kill_mid_call_loses_nothing_and_restart_recovers(tmp_path: Path, serve: Callable[..., Served], say: Callable[..., bytes]) -> None:
    config = write_config(tmp_path)
    served = serve(config)
    speech = say("I am calling about a blocked drain in the kitchen.")
    db = tmp_path / "calls.db"

    def stored_caller_turns(call_id: str) -> int:
        conn = sqlite3.connect(db)
        try:
            return int(conn.execute("select count(*) from turns where call_id=? and role='caller'", [call_id]).fetchone()[0])
        finally:
            conn.close()

    async def until_stored(peer: AsteriskPeer) -> bool:
        await peer.connect()
        await peer.wait_for_speech(0, 10)
        await peer.wait_for_quiet(0.8, 20)
        await peer.say(speech)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if stored_caller_turns(peer.call_id):
                return True
            await asyncio.sleep(0.1)
        return False

    async def talk() -> list[str]:
        # Killed with four calls up, not one: every call's spoken turn must survive.
        peers = [AsteriskPeer("127.0.0.1", served.port) for _ in range(4)]
        stored = await asyncio.gather(*(until_stored(peer) for peer in peers))
        served.stop(signal.SIGKILL)  # no chance to clean up
        for peer in peers:
            await peer.hang_up()
        assert all(stored), stored
        return [peer.call_id for peer in peers]

    call_ids = asyncio.run(talk())
    conn = sqlite3.connect(db)
    for call_id in call_ids:
        texts = [r[0] for r in conn.execute("select text from turns where call_id=? order by seq", [call_id])]
        assert any("drain" in t.lower() for t in texts), texts
        assert conn.execute("select ended_at from calls where id=?", [call_id]).fetchone()[0] is None
        # A reply cut off by the kill is not stored as said in full: until it played to the end it is marked interrupted.
        playing = conn.execute("select count(*) from turns where call_id=? and role='agent' and ended_at='' and interrupted=0", [call_id])
        assert playing.fetchone()[0] == 0
    conn.close()

    restarted = serve(config)
    conn = sqlite3.connect(db)
    for call_id in call_ids:
        row = conn.execute("select end_reason, ended_at from calls where id=?", [call_id]).fetchone()
        assert row[0] == "daemon_restart" and row[1], call_id
    conn.close()
    assert restarted.stop() == 0


def test_sigterm_mid_call_closes_the_row(tmp_path: Path, serve: Callable[..., Served]) -> None:
    config = write_config(tmp_path)
    served = serve(config)

    async def connect_and_stop() -> tuple[str, bool]:
        peer = AsteriskPeer("127.0.0.1", served.port)
        await peer.connect()
        await asyncio.sleep(0.5)
        served.proc.send_signal(signal.SIGTERM)
        closed = await peer.wait_closed(10)
        hung_up = peer.agent_hung_up
        await peer.hang_up()
        return peer.call_id, closed and hung_up

    call_id, told = asyncio.run(connect_and_stop())
    assert told
    assert served.proc.wait(timeout=20) == 0
    row = sqlite3.connect(tmp_path / "calls.db").execute("select end_reason from calls where id=?", [call_id]).fetchone()
    assert row[0] == "daemon_shutdown"


@pytest.mark.parametrize(
    ("extra", "needles"),
    [
        ("[models.llm]\npath = \"/nonexistent/model.gguf\"", ("/nonexistent/model.gguf", "models.llm.path")),
        ("[models.stt]\npath = \"/nonexistent/whisper\"", ("/nonexistent/whisper", "models.stt.path")),
        ("[models.tts]\npiper_voice_en = \"/nonexistent/voice.onnx\"", ("/nonexistent/voice.onnx",)),
        ("[server]\nhost = \"127.0.0.1\"", ("server",)),  # duplicate table: invalid TOML
        ("[vad]\nhangover = 300", ("unknown key 'vad.hangover'",)),
    ],
)
def test_bad_config_and_missing_models_fail_in_one_line(tmp_path: Path, extra: str, needles: tuple[str, ...]) -> None:
    result = run_cli("--config", str(write_config(tmp_path, extra)), "serve")
    assert_one_line_error(result, *needles)


def test_broken_model_files_fail_in_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "broken.gguf"
    junk.write_bytes(b"GGUF" + os.urandom(4096))
    result = run_cli("--config", str(write_config(tmp_path, f'[models.llm]\npath = "{junk}"')), "serve")
    assert_one_line_error(result, str(junk), "cannot be loaded")
    voice = tmp_path / "voice.onnx"
    voice.write_bytes(os.urandom(2048))
    (tmp_path / "voice.onnx.json").write_text("{}")
    result = run_cli("--config", str(write_config(tmp_path, f'[models.tts]\npiper_voice_en = "{voice}"')), "serve")
    assert_one_line_error(result, str(voice), "cannot be loaded")


def test_wrong_arguments_and_unreachable_daemon(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("calls", "list", "--limit", "zero"), "not a whole number")
    assert_one_line_error(run_cli("call", "--wav", "x.wav", "--port", "99999"), "not a TCP port")
    assert_one_line_error(run_cli("frobnicate"), "invalid choice")
    config = write_config(tmp_path)
    wav = tmp_path / "a.wav"
    write_wav(wav, bytes(1600), 8000)
    assert_one_line_error(run_cli("--config", str(config), "call", "--wav", str(wav)), "cannot reach voicebridge")
    assert_one_line_error(run_cli("--config", str(config), "call", "--wav", str(tmp_path / "none.wav")), "does not exist")
    (tmp_path / "text.wav").write_text("not audio")
    assert_one_line_error(run_cli("--config", str(config), "call", "--wav", str(tmp_path / "text.wav")), "not a PCM WAV")
    assert_one_line_error(run_cli("--config", str(config), "calls", "list"), "no call database")


def test_doctor_reports_problems_with_fixes(tmp_path: Path) -> None:
    port = free_port()
    good = run_cli("--config", str(write_config(tmp_path, port=port)), "doctor")
    assert good.returncode == 0 and "all good" in good.stdout, good.stdout + good.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        bad = run_cli("--config", str(write_config(tmp_path, '[models.llm]\npath = "/nope/x.gguf"', port=port)), "doctor")
    assert bad.returncode == 1
    assert "port: PROBLEM" in bad.stdout and "change server.audiosocket_port" in bad.stdout
    assert "models: PROBLEM" in bad.stdout and "/nope/x.gguf" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


def test_config_example_is_a_valid_config(tmp_path: Path) -> None:
    example = run_cli("config-example")
    path = tmp_path / "example.toml"
    path.write_text(example.stdout)
    checked = run_cli("--config", str(path), "doctor", timeout=120)
    assert "config: ok" in checked.stdout


def run_as_another_user(argv: list[str]) -> tuple[int, str]:
    """`voicebridge ARGV` in a forked child that dropped to user nobody (when we are root), stderr captured."""
    from voicebridge import cli

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read_end)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            sys.stderr = os.fdopen(write_end, "w")  # pytest's capture replaced the real stderr
            code = cli.main(argv)
            sys.stderr.flush()
        finally:
            os._exit(locals().get("code", 99))
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read_end) as err:
        return os.waitstatus_to_exitcode(status), err.read()


def test_another_user_gets_one_line_about_permissions() -> None:
    import shutil
    import tempfile

    tmp_path = Path(tempfile.mkdtemp(prefix="vb-perm-"))  # pytest's own tmp dirs are closed to other users
    try:
        _another_user_reads(tmp_path)
    finally:
        shutil.rmtree(tmp_path)


def _another_user_reads(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    private = tmp_path / "private"
    for directory, mode in ((tmp_path, 0o755), (shared, 0o755), (private, 0o700)):
        directory.mkdir(exist_ok=True)
        os.chmod(directory, mode)
    config = shared / "voicebridge.toml"
    config.write_text(f'[storage]\ndatabase = "{private / "calls.db"}"\n', encoding="utf-8")
    os.chmod(config, 0o644)
    if os.geteuid() != 0:
        os.chmod(private, 0o000)  # without root there is no other user: take the access away instead
    code, err = run_as_another_user(["--config", str(config), "calls", "list"])
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err and "internal error" not in err
    assert "permission denied for" in err and "calls.db" in err and "fix:" in err


def test_doctor_warns_about_a_readable_config_holding_secrets(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[ami]\nsecret = "s3cr3t-do-not-print"')
    os.chmod(config, 0o644)
    exposed = run_cli("--config", str(config), "doctor")
    assert "config: WARNING" in exposed.stdout and "ami.secret" in exposed.stdout and "chmod 600" in exposed.stdout
    assert "s3cr3t-do-not-print" not in exposed.stdout + exposed.stderr
    os.chmod(config, 0o600)
    private = run_cli("--config", str(config), "doctor")
    assert "config: ok" in private.stdout and "WARNING" not in private.stdout
