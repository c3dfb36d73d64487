"""What every request handler shares: the config, the database, the templates, the login throttle, the browser phone line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import jinja2

from voicebridge.config import Config
from voicebridge.privacy.recordings import RecordingStore
from voicebridge.web.db import WebDatabase
from voicebridge.web.throttle import LoginThrottle

if TYPE_CHECKING:
    from voicebridge.transport.browser_server import BrowserPhoneLine


@dataclass(frozen=True)
class WebContext:
    config: Config
    db: WebDatabase
    templates: jinja2.Environment
    throttle: LoginThrottle
    recordings: RecordingStore
    phone: BrowserPhoneLine | None = None  # the browser transport, when the app runs inside `voicebridge serve`
    on_profile_saved: Callable[[], None] | None = None  # inside the daemon: pick up an edited profile at once

    @property
    def tls(self) -> bool:
        return bool(self.config.web.tls_cert_file)

    @property
    def secure_cookies(self) -> bool:
        return self.tls or self.config.web.secure_cookies
