"""A fake Asterisk 22 AMI server on loopback for tests: real TCP, the real wire format, scripted events and restarts.

Responses and events are written as Asterisk's main/manager.c and main/manager_channels.c write them, header order included.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

BANNER = "Asterisk Call Manager/9.0.0\r\n"
EOL = "\r\n"

# ast_state2str()
STATE_DESC = {
    0: "Down",
    1: "Rsrvd",
    2: "OffHook",
    3: "Dialing",
    4: "Ring",
    5: "Ringing",
    6: "Up",
    7: "Busy",
    8: "Dialing Offhook",
    9: "Pre-ring",
}
# authority_to_str() of each event's class
_PRIVILEGE = {"Newexten": "dialplan,all", "VarSet": "dialplan,all", "FullyBooted": "system,all", "Shutdown": "system,all"}
_NO_LOGIN_NEEDED = ("login", "logoff", "challenge")


@dataclass
class FakeChannel:
    """A channel snapshot as AMI shows it; mutate it between events as the dialplan would."""

    name: str
    unique_id: str
    caller_number: str = ""
    caller_name: str = ""
    context: str = "default"
    exten: str = "s"
    priority: int = 1
    state: int = 0
    linked_id: str = ""
    language: str = "en"
    account_code: str = ""
    connected_number: str = ""
    connected_name: str = ""

    def snapshot(self) -> list[tuple[str, str]]:
        """ast_manager_build_channel_state_string(): the block every channel event carries."""
        return [
            ("Channel", self.name),
            ("ChannelState", str(self.state)),
            ("ChannelStateDesc", STATE_DESC[self.state]),
            ("CallerIDNum", self.caller_number or "<unknown>"),
            ("CallerIDName", self.caller_name or "<unknown>"),
            ("ConnectedLineNum", self.connected_number or "<unknown>"),
            ("ConnectedLineName", self.connected_name or "<unknown>"),
            ("Language", self.language),
            ("AccountCode", self.account_code),
            ("Context", self.context),
            ("Exten", self.exten),
            ("Priority", str(self.priority)),
            ("Uniqueid", self.unique_id),
            ("Linkedid", self.linked_id or self.unique_id),
        ]


def channel_event(event: str, channel: FakeChannel, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """`Event`, `Privilege`, the snapshot, then the event's own fields (e.g. Variable/Value, Cause/Cause-txt)."""
    fields = {"Event": event, "Privilege": _PRIVILEGE.get(event, "call,all")}
    fields.update(channel.snapshot())
    fields.update(extra or {})
    return fields


def newexten(channel: FakeChannel, application: str, app_data: str) -> dict[str, str]:
    return channel_event("Newexten", channel, {"Extension": channel.exten, "Application": application, "AppData": app_data})


def varset(channel: FakeChannel, variable: str, value: str) -> dict[str, str]:
    return channel_event("VarSet", channel, {"Variable": variable, "Value": value})


def hangup(channel: FakeChannel, cause: int = 16, cause_txt: str = "Normal Clearing") -> dict[str, str]:
    return channel_event("Hangup", channel, {"Cause": str(cause), "Cause-txt": cause_txt})


def header(message: Mapping[str, str], name: str) -> str:
    """Header lookup the way astman_get_header() does it: case-insensitive, first match."""
    lowered = name.lower()
    return next((value for key, value in message.items() if key.lower() == lowered), "")


@dataclass(eq=False)
class _Session:
    writer: asyncio.StreamWriter
    authenticated: bool = False
    event_classes: set[str] | None = field(default_factory=set)  # None: all classes ("Events: on")

    def wants(self, event: Mapping[str, str]) -> bool:
        if not self.authenticated:
            return False
        if self.event_classes is None:
            return True
        return header(event, "Privilege").split(",")[0] in self.event_classes

    def write(self, lines: list[tuple[str, str]]) -> None:
        if not self.writer.is_closing():
            self.writer.write(("".join(f"{key}: {value}{EOL}" for key, value in lines) + EOL).encode())


class FakeAmiServer:
    """Scriptable from tests: `emit_event`, `actions`, `channels`, `restart()`, `respond`, `wait_for(predicate)`."""

    def __init__(self, username: str, secret: str, *, host: str = "127.0.0.1", auth_failure_delay_s: float = 0.0) -> None:
        self.username = username
        self.secret = secret
        self.host = host
        self.port = 0
        # Asterisk sleeps 1 s before it answers a failed login; tests keep that short.
        self.auth_failure_delay_s = auth_failure_delay_s
        self.actions: list[dict[str, str]] = []
        self.channels: set[str] = set()
        self.login_attempts = 0
        self.logins = 0
        self.respond = True  # False: read and record actions but answer nothing, like a wedged Asterisk
        self._server: asyncio.Server | None = None
        self._sessions: set[_Session] = set()
        self._handlers: set[asyncio.Task[None]] = set()
        self._changed = asyncio.Event()
        self._booted_at = time.monotonic()

    @property
    def session_count(self) -> int:
        return len(self._sessions)

    def actions_named(self, name: str) -> list[dict[str, str]]:
        return [action for action in self.actions if header(action, "Action").lower() == name.lower()]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        self._booted_at = time.monotonic()

    async def stop(self) -> None:
        """Stop listening and drop every connection at once, as a crashing Asterisk does."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for session in list(self._sessions):
            session.writer.close()
        if server is not None:
            await server.wait_closed()
        if self._handlers:
            await asyncio.wait(self._handlers, timeout=2)
        self.channels.clear()

    async def restart(self, down_for: float = 0.2, *, graceful: bool = True) -> None:
        """An Asterisk restart: `Shutdown` event (if graceful), all connections dropped, refused for `down_for` s, same port."""
        if graceful:
            self.emit_event({"Event": "Shutdown", "Privilege": "system,all", "Shutdown": "Cleanly", "Restart": "True"})
        await self.stop()
        await asyncio.sleep(down_for)
        await self.start()

    def emit_event(self, fields: Mapping[str, str]) -> int:
        """Send an event to every logged-in session whose event mask takes its class; returns how many got it."""
        name = header(fields, "Event")
        channel = header(fields, "Channel")
        if name == "Newchannel" and channel:
            self.channels.add(channel)
        elif name == "Hangup":
            self.channels.discard(channel)
        delivered = 0
        for session in self._sessions:
            if session.wants(fields):
                session.write(list(fields.items()))
                delivered += 1
        return delivered

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 2.0) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        session = _Session(writer)
        self._sessions.add(session)
        self._changed.set()
        writer.write(BANNER.encode())
        try:
            while (action := await _read_message(reader)) is not None:
                self.actions.append(action)
                self._changed.set()
                if self.respond and not await self._answer(session, action):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._sessions.discard(session)
            self._handlers.discard(task)
            self._changed.set()
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, session: _Session, action: Mapping[str, str]) -> bool:
        """Answer one action; False ends the session (Logoff, failed Login), as process_message() returning -1 does."""
        name = header(action, "Action")
        action_id = header(action, "ActionID")

        def reply(response: str, message: str | None = None, *extra: tuple[str, str]) -> None:
            lines = [("Response", response)]
            if action_id:
                lines.append(("ActionID", action_id))
            if message is not None:
                lines.append(("Message", message))
            session.write(lines + list(extra))

        if not name:
            reply("Error", "Missing action in request")
            return True
        verb = name.lower()
        if not session.authenticated and verb not in _NO_LOGIN_NEEDED:
            reply("Error", "Permission denied")
            return True
        if verb == "login":
            return await self._login(session, action, reply)
        if verb == "logoff":
            reply("Goodbye", "Thanks for all the fish.")
            return False
        if verb == "ping":
            reply("Success", None, ("Ping", "Pong"), ("Timestamp", f"{time.time():.6f}"))
        elif verb == "redirect":
            self._redirect(action, reply)
        elif verb == "blindtransfer":
            self._blind_transfer(action, reply)
        elif verb == "setvar":
            self._setvar(action, reply)
        else:
            reply("Error", f"Invalid/unknown command: {name}. Use Action: ListCommands to show available commands.")
        return True

    async def _login(self, session: _Session, action: Mapping[str, str], reply: Callable[..., None]) -> bool:
        if session.authenticated:
            reply("Success", "Already authenticated")
            return True
        self.login_attempts += 1
        if header(action, "Username") != self.username or header(action, "Secret") != self.secret:
            await asyncio.sleep(self.auth_failure_delay_s)
            reply("Error", "Authentication failed")
            return False
        session.authenticated = True
        mask = header(action, "Events").lower()
        session.event_classes = None if mask in ("", "on") else set() if mask == "off" else {part.strip() for part in mask.split(",")}
        self.logins += 1
        self._changed.set()
        reply("Success", "Authentication accepted")
        if session.event_classes is None or "system" in session.event_classes:
            uptime = str(int(time.monotonic() - self._booted_at))
            session.write(
                [
                    ("Event", "FullyBooted"),
                    ("Privilege", "system,all"),
                    ("Uptime", uptime),
                    ("LastReload", uptime),
                    ("Status", "Fully Booted"),
                ]
            )
        return True

    def _redirect(self, action: Mapping[str, str], reply: Callable[..., None]) -> None:
        channel, context, exten, priority = (header(action, key) for key in ("Channel", "Context", "Exten", "Priority"))
        for value, missing in ((channel, "Channel"), (context, "Context"), (exten, "Exten"), (priority, "Priority")):
            if not value:
                reply("Error", f"{missing} not specified")
                return
        if not priority.isdigit() or int(priority) < 1:
            reply("Error", "Priority is invalid")
        elif channel not in self.channels:
            reply("Error", f"Channel does not exist: {channel}")
        else:
            reply("Success", "Redirect successful")

    def _setvar(self, action: Mapping[str, str], reply: Callable[..., None]) -> None:
        # action_setvar(): an empty Channel sets a global; an unknown channel is an error; success is an ack.
        channel, variable = header(action, "Channel"), header(action, "Variable")
        if not variable:
            reply("Error", "No variable specified")
        elif channel and channel not in self.channels:
            reply("Error", "Channel not found")
        else:
            reply("Success", "Variable Set")

    def _blind_transfer(self, action: Mapping[str, str], reply: Callable[..., None]) -> None:
        channel, exten = header(action, "Channel"), header(action, "Exten")
        if not channel:
            reply("Error", "No channel specified")
        elif not exten:
            reply("Error", "No extension specified")
        elif channel not in self.channels:
            reply("Error", "Channel specified does not exist")
        else:
            reply("Success", "Transfer succeeded")


async def _read_message(reader: asyncio.StreamReader) -> dict[str, str] | None:
    """One `Key: Value` block up to its empty line; None when the client closed. Accepts \\n alone, as get_input() does."""
    message: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if not raw:
            return None
        line = raw.decode(errors="replace").rstrip("\r\n")
        if not line:
            if message:
                return message
            continue
        key, sep, value = line.partition(":")
        if sep:
            message.setdefault(key.strip(), value.lstrip())
