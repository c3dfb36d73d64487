"""The `voicebridge` command: serve, inspect calls, check the installation, and place a test call from a WAV file.

Operator mistakes end in one line on stderr that says what is wrong and how to fix it, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from voicebridge import __version__
from voicebridge.config import Config, default_config_text, load_config, resolve_config_path
from voicebridge.config_secrets import exposed_secrets_warning
from voicebridge.errors import VoicebridgeError
from voicebridge.log_settings import LogSettings
from voicebridge.notify import commands as notes_commands
from voicebridge.privacy import commands as privacy_commands
from voicebridge.privacy.commands import add_commands as add_privacy_commands
from voicebridge.web import commands as web_commands

log = logging.getLogger("voicebridge")


class OneLineParser(argparse.ArgumentParser):
    """argparse prints the whole usage block on a mistake; an operator needs the one line that says what is wrong."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="voicebridge", description="Self-hosted AI phone receptionist for Asterisk and FreeSWITCH.")
    parser.add_argument("--config", metavar="FILE", help="TOML config file (default: $VOICEBRIDGE_CONFIG, else the shipped defaults)")
    parser.add_argument("--version", action="version", version=f"voicebridge {__version__}")
    parser.add_argument("--tenant", metavar="ID", help="the business whose data a command reads or changes (default: \"default\", the [business] one)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("serve", help="answer calls: AudioSocket server with the local speech pipeline")

    calls = sub.add_parser("calls", help="list calls or show one call's transcript")
    calls_sub = calls.add_subparsers(dest="calls_command", required=True, metavar="SUBCOMMAND")
    listing = calls_sub.add_parser("list", help="most recent calls first")
    listing.add_argument("--limit", type=_positive_int, default=20, help="how many calls (default 20)")
    show = calls_sub.add_parser("show", help="one call with its transcript and per-stage timings")
    show.add_argument("call_id", metavar="UUID", help="the call's UUID (a unique prefix is enough)")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    export = calls_sub.add_parser("export", help="all calls, pseudonymised for analysis: names, numbers, addresses, e-mail, IBANs replaced")
    export.add_argument("--out", type=Path, metavar="FILE", help="write the JSON here (owner-only) instead of stdout")
    add_privacy_commands(sub)
    notes_commands.add_commands(sub, _positive_int)
    web_commands.add_commands(sub)

    sub.add_parser("models", help="show which model files are used (assembling the bundled ones into the cache once)")
    sub.add_parser("doctor", help="check config, models, port and disk; say what is wrong and how to fix it")
    sub.add_parser("config-example", help="print the shipped default config (a starting point for your own)")

    call = sub.add_parser("call", help="play a WAV into a running daemon over AudioSocket, as Asterisk would, and record the answer")
    call.add_argument("--wav", required=True, type=Path, metavar="FILE", help="what the caller says (any PCM WAV; converted to the line rate)")
    call.add_argument("--out", type=Path, default=Path("agent.wav"), metavar="FILE", help="where to save what the agent said (default agent.wav)")
    call.add_argument("--host", help="daemon host (default: server.host from the config)")
    call.add_argument("--port", type=_port, help="daemon AudioSocket port (default: server.audiosocket_port from the config)")
    call.add_argument("--rate", type=int, choices=(8000, 16000), default=8000, help="line rate: 8000 like AudioSocket(), 16000 like c(slin16)")
    call.add_argument("--timeout", type=float, default=60.0, help="give up after this many seconds (default 60)")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port (1-65535)")
    return value


def setup_logging(config: Config) -> None:
    LogSettings.from_config(config).apply()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except VoicebridgeError as exc:
        print(f"voicebridge: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except PermissionError as exc:  # run as a user that may not read the config, database or models
        what = exc.filename or "a file voicebridge needs"
        print(f"voicebridge: error: permission denied for {what}; fix: run it as the daemon's user "
              f"(e.g. sudo -u voicebridge voicebridge ...) or give this user access", file=sys.stderr)
        return 2
    except Exception as exc:  # the operator gets one line; the traceback only on request
        if os.environ.get("VOICEBRIDGE_DEBUG"):
            traceback.print_exc()
        print(f"voicebridge: internal error: {type(exc).__name__}: {exc} (set VOICEBRIDGE_DEBUG=1 for details)", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "config-example":
        print(default_config_text(), end="")
        return 0
    config = load_config(resolve_config_path(args.config))
    if args.command == "serve":
        return _serve(config)
    if args.command == "calls":
        return _calls(config, args)
    if args.command == "notes":
        return notes_commands.run(config, args)
    if args.command in web_commands.COMMANDS:
        return web_commands.run(config, args)
    if args.command in privacy_commands.COMMANDS:
        return privacy_commands.run(config, args)
    if args.command == "models":
        from voicebridge.models.registry import describe_models

        for line in describe_models(config):
            print(line)
        return 0
    if args.command == "doctor":
        from voicebridge.doctor import run_doctor

        return run_doctor(config)
    if args.command == "call":
        from voicebridge.wav_call import place_wav_call

        host = args.host or config.server.host
        port = args.port or config.server.audiosocket_port
        return asyncio.run(place_wav_call(host, port, args.wav, args.out, args.rate, args.timeout))
    raise AssertionError(args.command)


def _serve(config: Config) -> int:
    from voicebridge.daemon import Daemon
    from voicebridge.models.malloc_tuning import glibc_malloc

    setup_logging(config)
    os.umask(0o077)  # everything the daemon creates (database, WAL, recordings, temp files) is for its own account only
    log.info("voicebridge %s starting with config %s", __version__, config.source)
    exposed = exposed_secrets_warning(config)
    if exposed:
        log.warning("config: %s", exposed)
    # Before asyncio and the daemon start their threads: each would take (and fragment) a malloc arena of its own.
    allocator = glibc_malloc()
    if allocator is not None:
        allocator.limit_arenas(config.models.malloc_arena_max)
    asyncio.run(Daemon(config).serve_forever(allocator))
    return 0


def _calls(config: Config, args: argparse.Namespace) -> int:
    from voicebridge.privacy.audit_log import AuditLog, current_actor

    store = privacy_commands.open_store(config)  # refuses a database other accounts can read
    try:
        tenant = privacy_commands.resolve_tenant(config, store, args.tenant)
        audit = AuditLog(store.db.conn)  # every read of personal data is recorded before it is shown
        if args.calls_command == "export":
            print(privacy_commands.export_calls(store, tenant, args.out), end="")
            return 0
        if args.calls_command == "list":
            rows = store.list_calls(args.limit, tenant.id)
            audit.append(tenant.id, current_actor(), "read", "calls list", {"calls": [r["id"] for r in rows]})
            if not rows:
                print("no calls yet")
            for listed in rows:
                duration = f"{listed['duration_s']:.0f}s" if listed["duration_s"] is not None else "open"
                print(f"{listed['id']}  {listed['started_at'][:19]}  {duration:>6}  {listed['turn_count']:>3} turns  "
                      f"{listed['caller_number'] or '-':<16} {listed['end_reason'] or 'in progress'}")
            return 0
        row = store.find_call(args.call_id, tenant.id)
        if row is None:
            raise VoicebridgeError(f"no single call of tenant {tenant.id} matches '{args.call_id}'; fix: copy a UUID from `voicebridge calls list`")
        turns = store.turns(row["id"])
        notes = notes_commands.note_store.notes_of_call(store.db.conn, row["id"])
        audit.append(tenant.id, current_actor(), "read", row["id"], {"turns": len(turns), "note": bool(row["note"]), "notes": [n.id for n in notes]})
        if args.json:
            print(json.dumps({"call": row, "turns": turns, "notes": notes_commands.notes_json(store.db.conn, notes)}, indent=2, ensure_ascii=False))
            return 0
        # A stored note is shown as it was sent, with its deliveries, instead of the raw JSON in calls.note.
        print(format_call({**row, "note": None} if notes else row, turns))
        if notes:
            print("\n" + notes_commands.format_notes(store.db.conn, notes))
        return 0
    finally:
        store.close()


def format_call(row: dict, turns: list[dict]) -> str:  # type: ignore[type-arg]
    lines = [
        f"call      {row['id']}",
        f"transport {row['transport']}  {row['sample_rate']} Hz  language {row['language']}",
        f"caller    {row['caller_number'] or '-'}  called {row['called_number'] or '-'}",
        f"started   {row['started_at']}",
        f"ended     {row['ended_at'] or 'in progress'}  ({row['duration_s'] if row['duration_s'] is not None else '-'} s)"
        f"  reason {row['end_reason'] or '-'} {row['end_detail'] or ''}".rstrip(),
        "",
    ]
    for turn in turns:
        timings = json.loads(turn["timings"] or "{}")
        shown = "  ".join(f"{k}={v:g}" for k, v in timings.items())
        cut = " [interrupted]" if turn["interrupted"] else ""
        lines.append(f"[{turn['offset_ms'] / 1000:7.2f}s] {turn['role']:>6}: {turn['text']}{cut}")
        if shown:
            lines.append(f"{'':12}{shown}")
    if row.get("note"):
        lines += ["", f"note      {row['note']}"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
