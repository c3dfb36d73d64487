"""Business profiles edited in the web app: stored per tenant as TOML-shaped JSON, checked by the config's own rules,
and laid over the config file's profiles so the next call uses them without a restart."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from voicebridge.config import BusinessProfile, Config, parse_profile
from voicebridge.errors import ConfigError
from voicebridge.store.call_store import StoreWriter, utc_now

log = logging.getLogger(__name__)
POLL_S = 1.0


@dataclass(frozen=True)
class StoredProfile:
    tenant: str
    data: dict[str, Any]
    updated_at: str
    updated_by: str


def profile_data(profile: BusinessProfile) -> dict[str, Any]:
    """The profile as its TOML table would hold it (lists, nested tables)."""
    def plain(value: Any) -> Any:
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return plain(dataclasses.asdict(profile))


def load_profiles(conn: sqlite3.Connection) -> list[StoredProfile]:
    rows = conn.execute("select tenant, json, updated_at, updated_by from profiles order by tenant").fetchall()
    return [StoredProfile(str(r[0]), json.loads(r[1]), str(r[2]), str(r[3])) for r in rows]


def save_profile(conn: sqlite3.Connection, tenant: str, data: dict[str, Any], by: str) -> BusinessProfile:
    """Check `data` exactly as the config file's profile is checked (ConfigError names the key), then store it."""
    profile = parse_profile(data, key="profile", source="web")
    with conn:
        conn.execute("insert or replace into profiles (tenant, json, updated_at, updated_by) values (?, ?, ?, ?)",
                     [tenant, json.dumps(profile_data(profile), ensure_ascii=False), utc_now(), by])
    return profile


def reset_profile(conn: sqlite3.Connection, tenant: str) -> bool:
    """Back to the config file's profile; False if the tenant had no stored one."""
    with conn:
        return conn.execute("delete from profiles where tenant = ?", [tenant]).rowcount > 0


def with_profiles(config: Config, stored: list[StoredProfile]) -> Config:
    """The config with each stored profile in place of its tenant's; a stored profile that no longer passes is skipped."""
    profiles: dict[str, BusinessProfile] = {}
    for item in stored:
        try:
            profiles[item.tenant] = parse_profile(item.data, key=f"profiles[{item.tenant}]", source="database")
        except ConfigError as exc:
            log.error("stored profile of tenant %s ignored: %s", item.tenant, exc)
    if not profiles:
        return config
    business = config.business
    if "default" in profiles:
        business = dataclasses.replace(business, profile=profiles["default"])
    tenants = tuple(dataclasses.replace(t, profile=profiles[t.id]) if t.id in profiles else t for t in config.tenants)
    return dataclasses.replace(config, business=business, tenants=tenants)


class ProfileWatcher:
    """The daemon's view of edited profiles: read at start, then whenever they change (the web app inside the daemon says
    so at once; a separate `voicebridge web` process is noticed within POLL_S). Reads go through the store's writer thread."""

    def __init__(self, writer: StoreWriter, base: Config, on_change: Callable[[Config], None]) -> None:
        self._writer = writer
        self._base = base
        self._on_change = on_change
        self._seen: list[tuple[str, str]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="profile-watcher")

    def changed(self) -> None:
        """Thread-safe nudge: a profile was just saved."""
        loop = self._task.get_loop() if self._task else None
        if loop is not None:
            loop.call_soon_threadsafe(self._wake.set)

    async def refresh(self) -> None:
        stored = await self._writer.query(lambda: load_profiles(self._writer.store.db.conn))
        stamp = [(p.tenant, p.updated_at) for p in stored]
        if stamp != self._seen:
            self._seen = stamp
            self._on_change(with_profiles(self._base, stored))
            if stored:
                log.info("business profiles from the web app in use for: %s", ", ".join(p.tenant for p in stored))

    async def _run(self) -> None:
        while True:
            try:
                await self.refresh()
            except (sqlite3.Error, ValueError) as exc:
                log.error("reading edited profiles failed: %s", exc)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), POLL_S)
            except TimeoutError:
                pass

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
