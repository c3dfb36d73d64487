"""Whether the config file itself exposes secrets: a password or key written into a file that others may read.

`doctor` and `serve` both warn; the fix is owner-only permissions or moving the secret into the environment.
"""

from __future__ import annotations

import stat
from pathlib import Path

from voicebridge.config import Config


def secrets_in(config: Config) -> list[str]:
    """The config keys that hold a secret here (their names only, never the values)."""
    held = {"ami.secret": config.ami.secret, "notify.smtp_password": config.notify.smtp_password,
            "notify.webhook_secret": config.notify.webhook_secret}
    return [key for key, value in held.items() if value]


def exposed_secrets_warning(config: Config) -> str | None:
    """One line when the config file holds secrets and is readable by other users; None when it is fine."""
    path = Path(config.source)
    if config.source.startswith("<") or not path.is_file():
        return None
    keys = secrets_in(config)
    mode = path.stat().st_mode
    if not keys or not mode & (stat.S_IRGRP | stat.S_IROTH):
        return None
    who = "every user" if mode & stat.S_IROTH else "its group"
    return (f"{path} holds {', '.join(keys)} and is readable by {who} (mode {stat.S_IMODE(mode):o}); "
            f"fix: chmod 600 {path} (and chown it to the daemon's user)")

