"""Real-PBX tier fixtures: one Asterisk build per session, a fresh Asterisk per test, and daemons wired to it.

Without ../shared or a compiler the tier is skipped with one line naming why; under CI=true that is a failure instead.
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DaemonFactory
from tests.pbx.asterisk import AUDIOSOCKET_PORT, SHIPPED_AMI_SECRET, Asterisk, build_asterisk, why_no_asterisk
from voicebridge.daemon import Daemon


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/pbx/" in item.nodeid:
            item.add_marker(pytest.mark.pbx)
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def asterisk_binary() -> Path:
    why = why_no_asterisk()
    if why is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{why}; CI=true needs the real-PBX tier")
        pytest.skip(why)
    return build_asterisk()


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture
async def pbx(asterisk_binary: Path, tmp_path: Path) -> AsyncIterator[Asterisk]:
    """A running Asterisk with our dialplan; the shipped dialplan connects to 127.0.0.1:9092, so that port must be ours."""
    if not _port_free(AUDIOSOCKET_PORT):
        pytest.fail(f"port {AUDIOSOCKET_PORT} (the shipped dialplan's AudioSocket address) is in use by another program")
    server = Asterisk(asterisk_binary, tmp_path / "asterisk")
    await server.start()
    yield server
    await server.stop()


def pbx_sections(pbx: Asterisk, **sections: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Config for a daemon behind this Asterisk: the shipped port and AMI user, German, test transfer targets."""
    base: dict[str, dict[str, Any]] = {
        "server": {"audiosocket_port": AUDIOSOCKET_PORT},
        "ami": {"enabled": True, "port": pbx.ami_port, "username": "voicebridge", "secret": SHIPPED_AMI_SECRET},
        "business": {"language": "de", "name": "Sanitär Huber"},
        "pbx": {"transfer_context": "vb-test-transfer"},
    }
    for name, values in sections.items():
        base.setdefault(name, {}).update(values)
    return base


PbxDaemonFactory = Callable[..., Any]


@pytest.fixture
async def pbx_daemon(pbx: Asterisk, start_daemon: DaemonFactory) -> AsyncIterator[PbxDaemonFactory]:
    async def factory(**sections: dict[str, Any]) -> Daemon:
        daemon = await start_daemon(**pbx_sections(pbx, **sections))
        assert daemon.ami is not None and await daemon.ami.wait_connected(10), "the daemon did not log in to Asterisk's AMI"
        return daemon

    yield factory


def daemon_toml(pbx: Asterisk, tmp_path: Path, extra: str = "", language: str = "de") -> Path:
    """A config file for a `voicebridge serve` process behind this Asterisk (the subprocess tests: SIGTERM, SIGKILL)."""
    path = tmp_path / "voicebridge.toml"
    path.write_text(f"""
[server]
audiosocket_port = {AUDIOSOCKET_PORT}
[storage]
database = "{tmp_path / 'calls.db'}"
[business]
language = "{language}"
name = "Sanitär Huber"
[ami]
enabled = true
port = {pbx.ami_port}
username = "voicebridge"
secret = "{SHIPPED_AMI_SECRET}"
[pbx]
transfer_context = "vb-test-transfer"
{extra}
""", encoding="utf-8")
    return path
