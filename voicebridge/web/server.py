"""Running the web app on uvicorn: alone (`voicebridge web`) or inside the daemon's event loop (`[web] enabled`).

No access log: request paths carry call ids and search terms (phone numbers); the audit log records who read what.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

from voicebridge.config import Config
from voicebridge.errors import ConfigError
from voicebridge.web.app import build_context, create_app

if TYPE_CHECKING:
    from voicebridge.transport.browser_server import BrowserPhoneLine

log = logging.getLogger(__name__)


def _server_config(config: Config, phone: BrowserPhoneLine | None, port: int | None = None,
                   on_profile_saved: Callable[[], None] | None = None) -> uvicorn.Config:
    web = config.web
    for key in ("tls_cert_file", "tls_key_file"):
        value = getattr(web, key)
        if value and not Path(value).expanduser().is_file():
            raise ConfigError(f"{config.source}: 'web.{key}' names {value}, which is not a readable file; fix the path or leave it empty")
    app = create_app(build_context(config, phone, on_profile_saved))
    return uvicorn.Config(
        app, host=web.host, port=web.port if port is None else port, lifespan="off", access_log=False, log_level="warning",
        server_header=False, proxy_headers=False, ws="websockets-sansio", ws_max_size=65536,
        ssl_certfile=str(Path(web.tls_cert_file).expanduser()) if web.tls_cert_file else None,
        ssl_keyfile=str(Path(web.tls_key_file).expanduser()) if web.tls_key_file else None,
    )


def url_of(config: Config, port: int) -> str:
    return f"{'https' if config.web.tls_cert_file else 'http'}://{config.web.host}:{port}/"


def serve_web(config: Config, port: int | None = None) -> int:
    """`voicebridge web`: the app alone (no browser phone: that needs the daemon's call pipeline). Runs until SIGTERM/SIGINT."""
    server = uvicorn.Server(_server_config(config, None, port))
    print(f"voicebridge web app on {url_of(config, server.config.port)} (Ctrl-C stops it)", flush=True)
    server.run()
    return 0


class _Embedded(uvicorn.Server):
    """Inside the daemon, which owns SIGTERM/SIGINT and ends calls cleanly on them."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class EmbeddedWebServer:
    def __init__(self, config: Config, phone: BrowserPhoneLine | None, on_profile_saved: Callable[[], None] | None = None) -> None:
        self._server = _Embedded(_server_config(config, phone, on_profile_saved=on_profile_saved))
        self._config = config
        self._task: asyncio.Task[None] | None = None
        self.port = config.web.port

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(), name="web-app")
        while not self._server.started:
            if self._task.done():
                self._task.result()  # a bind error surfaces here
                raise OSError(f"web app could not listen on {self._config.web.host}:{self._config.web.port}")
            await asyncio.sleep(0.02)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        log.info("web app on %s", url_of(self._config, self.port))

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._task, 10)
        self._task = None
