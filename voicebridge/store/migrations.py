"""Schema versions, applied in order and recorded in PRAGMA user_version."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from sqlite_utils import Database


def _v1(db: Database) -> None:
    db.table("calls").create(
        {
            "id": str,
            "transport": str,
            "started_at": str,
            "ended_at": str,
            "duration_s": float,
            "caller_number": str,
            "called_number": str,
            "channel": str,
            "language": str,
            "sample_rate": int,
            "end_reason": str,
            "end_detail": str,
            "note": str,
            "audio_stats": str,
        },
        pk="id",
        not_null={"started_at", "transport"},
    )
    db.table("turns").create(
        {
            "id": int,
            "call_id": str,
            "seq": int,
            "role": str,
            "text": str,
            "started_at": str,
            "ended_at": str,
            "offset_ms": int,
            "duration_ms": int,
            "timings": str,
            "interrupted": int,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "seq", "role"},
    )
    db.table("turns").create_index(["call_id", "seq"], unique=True)
    db.table("calls").create_index(["started_at"])


def _v2(db: Database) -> None:
    """Data protection: a tenant per call, the recording state, and the hash-chained, append-only audit log."""
    db.execute("alter table calls add column tenant text not null default 'default'")
    db.execute("alter table calls add column recording text not null default 'off'")  # off | on | refused
    db.execute("create index idx_calls_tenant_started_at on calls (tenant, started_at)")
    db.execute("create index idx_calls_caller_number on calls (caller_number)")
    db.execute(
        "create table audit_log (seq integer primary key autoincrement, at text not null, tenant text not null, actor text not null, "
        "action text not null, target text not null, detail text not null, prev_hash text not null, hash text not null)"
    )
    db.execute("create index idx_audit_log_tenant_seq on audit_log (tenant, seq)")
    # The newest entry's hash per tenant: the next entry links to it, and deleting the newest entries is noticed.
    db.execute("create table audit_head (tenant text primary key, seq integer not null, hash text not null)")
    # Rows may leave the audit log only through the retention purge, which holds a permit inside its transaction.
    db.execute("create table audit_purge_permit (tenant text primary key, up_to_seq integer not null)")
    db.execute(
        "create trigger audit_log_no_update before update on audit_log "
        "begin select raise(abort, 'audit_log is append-only'); end"
    )
    db.execute(
        "create trigger audit_log_no_delete before delete on audit_log "
        "when not exists (select 1 from audit_purge_permit p where p.tenant = old.tenant and old.seq <= p.up_to_seq) "
        "begin select raise(abort, 'audit_log is append-only; only the retention purge removes old entries'); end"
    )


def _v3(db: Database) -> None:
    """Notifications: call notes as they were sent (one per call and kind) and the delivery log, one row per attempt."""
    db.execute(
        "create table notes (id integer primary key autoincrement, call_id text not null, tenant text not null, kind text not null, "
        "created_at text not null, urgency text not null, emergency integer not null, json text not null, subject text not null, "
        "body text not null, unique (call_id, kind))"
    )
    db.execute("create index idx_notes_tenant_created_at on notes (tenant, created_at)")
    db.execute(
        "create table deliveries (id integer primary key autoincrement, note_id integer not null, call_id text not null, "
        "channel text not null, recipient text not null, attempt integer not null, status text not null, error text not null default '', "
        "at text not null)"
    )
    db.execute("create index idx_deliveries_note on deliveries (note_id, channel, recipient, attempt)")
    db.execute("create index idx_deliveries_call_id on deliveries (call_id)")
    # The retention purge clears calls.note when notes expire; the stored notes (which mirror it) go with it.
    db.execute(
        "create trigger notes_follow_call_note after update of note on calls when new.note is null and old.note is not null "
        "begin delete from notes where call_id = new.id; end"
    )


def _v4(db: Database) -> None:
    """The web app: accounts and their sessions, each call's state (open/done, assignee) and remarks, edited profiles.

    call_state and call_remarks have a call_id, so purge, export and erasure take them with the call."""
    db.execute(
        "create table web_users (id integer primary key autoincrement, name text not null unique collate nocase, "
        "password_hash text not null, role text not null, tenants text not null, language text not null default 'de', "
        "created_at text not null, failed_logins integer not null default 0, locked_until text, last_login_at text)"
    )
    db.execute(
        "create table web_sessions (token_hash text primary key, user_id integer not null, csrf text not null, "
        "created_at text not null, last_seen_at text not null)"
    )
    db.execute("create index idx_web_sessions_user on web_sessions (user_id)")
    db.execute(
        "create table call_state (call_id text primary key, state text not null default 'open', assignee text not null default '', "
        "updated_at text not null, updated_by text not null)"
    )
    db.execute("create table call_remarks (id integer primary key autoincrement, call_id text not null, author text not null, "
               "text text not null, at text not null)")
    db.execute("create index idx_call_remarks_call_id on call_remarks (call_id)")
    # A profile saved in the web app replaces the config file's [business.profile] / [tenants.profile] from the next call on.
    db.execute("create table profiles (tenant text primary key, json text not null, updated_at text not null, updated_by text not null)")


def _v5(db: Database) -> None:
    """Retention days a business's owner set in the web app, over [retention] of the config file, per tenant."""
    db.execute("create table retention_settings (tenant text primary key, json text not null, updated_at text not null, updated_by text not null)")


def _v6(db: Database) -> None:
    """Post-call note: who wrote the stored note (the parsers, the parsers with an instruct model, or why not the model);
    each field's provenance (confirmed / heard / inferred) travels inside the note's JSON."""
    db.execute("alter table calls add column note_source text not null default ''")


MIGRATIONS: list[Callable[[Database], None]] = [_v1, _v2, _v3, _v4, _v5, _v6]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: Database) -> int:
    """Bring the schema up to date; refuses a database written by a newer voicebridge."""
    conn: sqlite3.Connection = db.conn
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise RuntimeError(f"database schema version {current} is newer than this voicebridge ({SCHEMA_VERSION})")
    for version in range(current, SCHEMA_VERSION):
        with conn:
            MIGRATIONS[version](db)
            conn.execute(f"PRAGMA user_version = {version + 1}")
    return SCHEMA_VERSION
