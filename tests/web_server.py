"""A real `voicebridge web` process on a free loopback port, over a config with two businesses and seeded accounts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.web_helpers import seed
from voicebridge.config import load_config
from voicebridge.web.app import build_context

CONFIG = """
[server]
audiosocket_port = {audiosocket_port}
[storage]
database = "{db}"
[business]
name = "Miller Plumbing"
language = "en"
[web]
port = {port}
login_max_failures = 3
{web_extra}
[[tenants]]
id = "weber"
name = "Praxis Weber"
language = "de"
numbers = ["+493012345678"]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"voicebridge exited with {proc.returncode}: {log.read_text()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port} after {timeout} s: {log.read_text()[-2000:]}")


@dataclass
class WebProcess:
    proc: subprocess.Popen[bytes]
    base: str
    config: Path
    db: Path
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def write_config(tmp_path: Path, web_extra: str = "", extra: str = "") -> tuple[Path, int]:
    port = free_port()
    path = tmp_path / "voicebridge.toml"
    path.write_text(CONFIG.format(audiosocket_port=free_port(), db=tmp_path / "calls.db", port=port, web_extra=web_extra) + extra)
    return path, port


def start(tmp_path: Path, command: str = "web", web_extra: str = "", extra: str = "", seeded: bool = True) -> WebProcess:
    config, port = write_config(tmp_path, web_extra, extra)
    if seeded:
        seed(build_context(load_config(config)))
    log = tmp_path / f"{command}.log"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([sys.executable, "-m", "voicebridge", "--config", str(config), command],
                            stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    wait_port(port, proc, log, timeout=180 if command == "serve" else 30)
    return WebProcess(proc, f"http://127.0.0.1:{port}", config, tmp_path / "calls.db", log)
