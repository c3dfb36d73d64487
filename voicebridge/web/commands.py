"""The web app's commands: `voicebridge web` (serve the app alone) and `voicebridge users add|list|passwd|remove`.

The password is asked twice on a terminal, or read as one line from standard input (for scripts); never from an argument.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from voicebridge.config import Config
from voicebridge.errors import VoicebridgeError
from voicebridge.privacy.audit_log import AuditLog, current_actor
from voicebridge.web.db import WebDatabase
from voicebridge.web.roles import ROLES
from voicebridge.web.users import add_user, get_user, list_users, remove_user, set_password

COMMANDS = ("users", "web")


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    web = sub.add_parser("web", help="serve the web app (inbox, call pages, profile, accounts) on [web] host:port")
    web.add_argument("--port", type=int, help="override [web] port")
    users = sub.add_parser("users", help="web app accounts: add, list, set a password, remove")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="SUBCOMMAND")
    add = users_sub.add_parser("add", help="a new account; the password is asked (or read from stdin)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=ROLES, default="viewer", help="viewer reads; staff also works calls; owner also administers")
    add.add_argument("--tenant", dest="tenants", action="append", metavar="ID",
                     help="a business the account belongs to (repeatable; default: the --tenant before the command, else default)")
    add.add_argument("--language", choices=("de", "en"), default="de", help="the app's language for this account")
    users_sub.add_parser("list", help="all accounts with role, businesses and last sign-in")
    passwd = users_sub.add_parser("passwd", help="set a new password (signs the account out everywhere and lifts a lockout)")
    passwd.add_argument("name", metavar="NAME")
    remove = users_sub.add_parser("remove", help="delete an account and end its sessions")
    remove.add_argument("name", metavar="NAME")


def _password(prompt_twice: bool = True) -> str:
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise VoicebridgeError("no password on standard input; fix: pipe one line, or run on a terminal to be asked")
        return line.rstrip("\n")
    first = getpass.getpass("password: ")
    if prompt_twice and getpass.getpass("again: ") != first:
        raise VoicebridgeError("the two passwords differ; nothing was changed")
    return first


def run(config: Config, args: argparse.Namespace) -> int:
    if args.command == "web":
        from voicebridge.privacy.commands import check_private
        from voicebridge.web.server import serve_web

        os.umask(0o077)  # the WAL and shared-memory files it may create are the owner's only, as with `serve`
        if config.database_path.exists():
            check_private(config.database_path)  # personal data only in files no other account can read
        return serve_web(config, port=args.port)
    db = WebDatabase.open(config.database_path)
    min_length = config.web.password_min_length
    actor = current_actor()
    with db.connect() as conn:
        audit = AuditLog(conn)
        if args.users_command == "list":
            users = list_users(conn)
            if not users:
                print("no users yet; add one with `voicebridge users add NAME --role owner`")
            for u in users:
                locked = "  locked" if u.locked_until else ""
                print(f"{u.name:<24} {u.role:<7} {','.join(u.tenants):<24} last sign-in {(u.last_login_at or '-')[:19]}{locked}")
            return 0
        if args.users_command == "add":
            tenants = args.tenants or [args.tenant or config.all_tenants[0].id]
            for tenant in tenants:
                config.tenant(tenant)  # an unknown business is refused with the list of known ones
            user = add_user(conn, args.name, _password(), args.role, tenants, args.language, min_length)
            detail: dict[str, object] = {"action": "add", "role": user.role, "tenants": list(user.tenants)}
            print(f"added {user.name} ({user.role}; {', '.join(user.tenants)})")
        elif args.users_command == "passwd":
            if get_user(conn, args.name) is None:
                raise VoicebridgeError(f"no user named {args.name!r}; see `voicebridge users list`")
            user = set_password(conn, args.name, _password(), min_length)
            detail = {"action": "password"}
            print(f"new password set for {user.name}; their sessions were ended")
        else:
            user = remove_user(conn, args.name)
            detail = {"action": "remove"}
            print(f"removed {user.name}")
        for tenant in user.tenants:
            audit.append(tenant, actor, "change", f"user {user.name}", detail)
    return 0
