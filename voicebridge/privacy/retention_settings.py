"""Retention per business: what the owner set in the web app, else [retention] of the config file.

The purge, `voicebridge purge` and the subject export all ask here, so the days a caller is told are the days applied.
"""

from __future__ import annotations

import json
import logging
import sqlite3

from voicebridge.config import Config, RetentionConfig, parse_retention
from voicebridge.errors import ConfigError
from voicebridge.privacy.retention import KINDS
from voicebridge.store.call_store import utc_now

log = logging.getLogger(__name__)


def retention_for(conn: sqlite3.Connection, config: Config, tenant: str) -> RetentionConfig:
    row = conn.execute("select json from retention_settings where tenant = ?", [tenant]).fetchone()
    if row is None:
        return config.retention
    days = json.loads(row[0])
    try:
        return parse_retention({**_days(config.retention), **days, "purge_interval_s": config.retention.purge_interval_s}, source="database")
    except ConfigError as exc:  # e.g. the config's bounds changed since: the file's settings hold
        log.error("retention of tenant %s from the web app ignored: %s", tenant, exc)
        return config.retention


def _days(retention: RetentionConfig) -> dict[str, int]:
    return {f"{k}_days": getattr(retention, f"{k}_days") for k in KINDS}


def save_retention(conn: sqlite3.Connection, config: Config, tenant: str, days: dict[str, int], by: str) -> RetentionConfig:
    """Check the days like [retention] (ConfigError names the key), then store them for this tenant."""
    retention = parse_retention({**days, "purge_interval_s": config.retention.purge_interval_s}, source="web")
    with conn:
        conn.execute("insert or replace into retention_settings (tenant, json, updated_at, updated_by) values (?, ?, ?, ?)",
                     [tenant, json.dumps(_days(retention)), utc_now(), by])
    return retention
