"""Real-PBX tier fixtures: one Asterisk build and one running Asterisk per session (cleared between tests), daemons wired to it.

Without ../shared or a compiler the tier is skipped with one line naming why; under CI=true that is a failure instead.
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.conftest import PhrasesOf, make_config
from tests.pbx.asterisk import AUDIOSOCKET_PORT, SHIPPED_AMI_SECRET, Asterisk, build_asterisk, why_no_asterisk
from voicebridge.daemon import Daemon
from voicebridge.models.registry import Models


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/pbx/" in item.nodeid:
            item.add_marker(pytest.mark.pbx)
            item.add_marker(pytest.mark.e2e)
            # One loop for the tier: the shared Asterisk's AMI connection (pbx_server) lives on it. Before auto mode's mark.
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)


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


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def pbx_server(asterisk_binary: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Asterisk]:
    """One Asterisk for the whole tier: starting and stopping one per test cost seconds each on a busy box."""
    server = Asterisk(asterisk_binary, tmp_path_factory.mktemp("asterisk"))
    await server.start()
    yield server
    await server.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def pbx(pbx_server: Asterisk) -> AsyncIterator[Asterisk]:
    """The running Asterisk with our dialplan, as a test finds it: no call up, an empty mailbox (a test that stopped it
    gets it started again). The shipped dialplan connects to 127.0.0.1:9092, so that port must be ours."""
    if not _port_free(AUDIOSOCKET_PORT):
        pytest.fail(f"port {AUDIOSOCKET_PORT} (the shipped dialplan's AudioSocket address) is in use by another program")
    if pbx_server.proc is None or pbx_server.proc.returncode is not None or pbx_server.ami is None:
        await pbx_server.start()
    await pbx_server.clear()
    yield pbx_server
    await pbx_server.clear()


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


@pytest_asyncio.fixture(loop_scope="session")
async def pbx_daemon(pbx: Asterisk, tmp_path: Path, models: Models, phrases: PhrasesOf) -> AsyncIterator[PbxDaemonFactory]:
    """Daemons behind this Asterisk with the session's models (tests/conftest.py's start_daemon, on the tier's loop)."""
    started: list[Daemon] = []

    async def factory(**sections: dict[str, Any]) -> Daemon:
        daemon = Daemon(make_config(tmp_path, **pbx_sections(pbx, **sections)), models, phrases(models))
        await daemon.start()
        started.append(daemon)
        assert daemon.ami is not None and await daemon.ami.wait_connected(10), "the daemon did not log in to Asterisk's AMI"
        return daemon

    yield factory
    for daemon in started:
        await daemon.stop()


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
