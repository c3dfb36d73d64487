"""Asterisk AMI client: learns who called and which number they dialled for each AudioSocket call, and moves calls on.

Built on panoramisk's Manager; adds back-off reconnects, a Pong-checked keepalive, and transfers that fail soft.

Dialplan contract (extensions.conf). The UUID must be a channel variable named VB_UUID so that its `VarSet` event
tells us which channel the AudioSocket call belongs to; set VB_DID (optional) before VB_UUID::

    exten => _X.,1,Answer()
     same => n,Set(VB_DID=${EXTEN})
     same => n,Set(VB_UUID=${UUID()})
     same => n,AudioSocket(${VB_UUID},127.0.0.1:9092)
     same => n,Hangup()

With `Dial(AudioSocket/127.0.0.1:9092/${VB_UUID}/c(slin))` instead of the application, the same Set line applies and the
call info names the caller's channel (BlindTransfer wants the bridged AudioSocket/ channel instead).

manager.conf: the user needs `read = system,call,dialplan` (FullyBooted; Newchannel/NewCallerid/Hangup; VarSet/Newexten)
and `write = call` (Redirect, BlindTransfer, Setvar of VB_END before our goodbye hang-up).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from panoramisk import Manager
from panoramisk.ami_protocol import AMIProtocol

log = logging.getLogger(__name__)

# Only the classes we read: a busy PBX also sends cdr, cel, rtcp and agent traffic we would parse for nothing.
_EVENT_MASK = "system,call,dialplan"
_TRACKED_EVENTS = ("Newchannel", "NewCallerid", "Newexten", "VarSet", "Hangup")
# A transfer replayed after a reconnect would act on a call that has moved on, so nothing we send is replayed.
_NEVER_REPLAY = ("login", "logoff", "ping", "redirect", "blindtransfer", "setvar")
_UNKNOWN = "<unknown>"  # what Asterisk writes for an empty caller id


@dataclass(frozen=True)
class AmiSettings:
    host: str
    port: int
    username: str
    secret: str = field(repr=False)
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 30.0
    action_timeout_s: float = 5.0
    ping_interval_s: float = 10.0
    # Keep a hung-up call's metadata this long: a very short call may hang up before its session asks for it.
    hangup_grace_s: float = 30.0

    def __post_init__(self) -> None:
        if not 0 < self.reconnect_min_s <= self.reconnect_max_s:
            raise ValueError(f"AMI reconnect delays must satisfy 0 < min <= max, got {self.reconnect_min_s} and {self.reconnect_max_s}")
        if self.action_timeout_s <= 0 or self.ping_interval_s <= 0:
            raise ValueError("AMI action_timeout_s and ping_interval_s must be positive")


@dataclass(frozen=True)
class AmiCallInfo:
    uuid: str
    channel: str
    caller_number: str | None
    called_number: str | None
    unique_id: str
    linked_id: str = ""


@dataclass(frozen=True)
class TransferResult:
    ok: bool
    message: str


def reconnect_delay(failures: int, min_s: float, max_s: float) -> float:
    """Seconds to wait before the next attempt, after `failures` failed attempts in a row (0: a live session just ended)."""
    return min(max_s, min_s * 2 ** min(failures, 32))


class AmiClient:
    def __init__(self, settings: AmiSettings) -> None:
        self._settings = settings
        self._calls = _CallTable(settings.hangup_grace_s)
        self._up = asyncio.Event()
        self._manager: Any = None
        self._lost: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_error: str | None = None

    @property
    def connected(self) -> bool:
        return self._up.is_set()

    @property
    def last_error(self) -> str | None:
        """Why the latest connection attempt failed (unreachable, login rejected), or None once logged in."""
        return self._last_error

    async def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="ami-client")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        if self._manager is not None and self._lost is not None:
            await self._request(self._manager, self._lost, {"Action": "Logoff"})
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self._calls.clear()

    async def wait_connected(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109 - a bool answer, not a cancellation
        """True once logged in; False if that did not happen within `timeout` seconds."""
        try:
            async with asyncio.timeout(timeout):
                await self._up.wait()
        except TimeoutError:
            return False
        return True

    async def wait_call_info(self, uuid: str, timeout: float) -> AmiCallInfo | None:  # noqa: ASYNC109 - None on timeout is the answer
        """The call behind an AudioSocket UUID, as soon as its VB_UUID VarSet is seen; None after `timeout` seconds."""
        return await self._calls.wait(uuid, timeout)

    async def redirect(self, channel: str, context: str, exten: str, priority: int = 1) -> TransferResult:
        action = {"Action": "Redirect", "Channel": channel, "Context": context, "Exten": exten, "Priority": str(priority)}
        return await self._transfer(action)

    async def set_variable(self, channel: str, variable: str, value: str) -> TransferResult:
        """Set a channel variable (AMI Setvar, `write = call`): how the dialplan learns how a call ended (VB_END)."""
        action = {"Action": "Setvar", "Channel": channel, "Variable": variable, "Value": value}
        return await self._act(action, f"Setvar {variable}={value} on {channel}")

    async def blind_transfer(self, channel: str, context: str, exten: str) -> TransferResult:
        return await self._transfer({"Action": "BlindTransfer", "Channel": channel, "Context": context, "Exten": exten})

    async def _transfer(self, action: dict[str, str]) -> TransferResult:
        return await self._act(action, f"{action['Action']} of {action['Channel']} to {action['Context']},{action['Exten']}")

    async def _act(self, action: dict[str, str], what: str) -> TransferResult:
        manager, lost = self._manager, self._lost
        if manager is None or lost is None:
            result = TransferResult(False, "not connected to the Asterisk AMI")
        else:
            answer = await self._request(manager, lost, action)
            if isinstance(answer, str):
                result = TransferResult(False, answer)
            else:
                result = TransferResult(bool(answer.success), answer.message or answer.response)
        log.log(logging.INFO if result.ok else logging.WARNING, "AMI %s: %s", what, "ok" if result.ok else f"failed: {result.message}")
        return result

    async def _run(self) -> None:
        s = self._settings
        failures = 0
        while True:
            try:
                logged_in = await self._session()
            except Exception:  # a bug here must not end reconnecting for the life of the daemon
                log.exception("AMI: session with %s:%d failed unexpectedly", s.host, s.port)
                logged_in = False
            if self._stopping:
                return
            failures = 0 if logged_in else failures + 1
            delay = reconnect_delay(failures, s.reconnect_min_s, s.reconnect_max_s)
            log.info("AMI: connecting to %s:%d again in %.2f s", s.host, s.port, delay)
            await asyncio.sleep(delay)

    async def _session(self) -> bool:
        """One connection from connect to loss; True if it got as far as a login."""
        s = self._settings
        loop = asyncio.get_running_loop()
        lost = asyncio.Event()
        manager: Any = _Manager(
            lost.set,
            loop=loop,
            host=s.host,
            port=s.port,
            username=s.username,
            secret=s.secret,
            events=_EVENT_MASK,
            forgetable_actions=_NEVER_REPLAY,
            log=_RedactingLog(logging.getLogger("panoramisk.manager"), s.secret),
        )
        for name in _TRACKED_EVENTS:
            manager.register_event(name, self._on_event)
        try:
            async with asyncio.timeout(s.action_timeout_s):
                transport, protocol = await loop.create_connection(AMIProtocol, s.host, s.port)
        except (OSError, TimeoutError) as exc:
            self._fail(f"cannot reach the Asterisk AMI at {s.host}:{s.port}: {exc or 'connect timed out'}")
            return False
        try:
            wired: asyncio.Future[tuple[Any, Any]] = loop.create_future()
            wired.set_result((transport, protocol))
            manager.connection_made(wired)  # panoramisk wires its protocol to the manager and sends Login
            answer = await self._answer(manager.authenticated_future, lost)
            if isinstance(answer, str):
                self._fail(f"Asterisk AMI at {s.host}:{s.port} did not answer the login: {answer}")
                return False
            if not answer.success:
                self._fail(
                    f"Asterisk AMI at {s.host}:{s.port} rejected the login as {s.username!r}: {answer.message or answer.response} "
                    "(check the AMI username and secret in the voicebridge config against manager.conf)",
                    logging.ERROR,  # retrying cannot help until someone fixes the configuration
                )
                return False
            self._last_error = None
            self._manager, self._lost = manager, lost
            self._up.set()
            log.info("AMI: logged in to %s:%d as %r (Asterisk Call Manager/%s)", s.host, s.port, s.username, protocol.version)
            await self._keep_alive(manager, lost)
            return True
        finally:
            self._up.clear()
            self._manager = self._lost = None
            self._calls.connection_lost()
            manager.close()

    async def _keep_alive(self, manager: Any, lost: asyncio.Event) -> None:
        """Return when the connection is gone, or when Asterisk stops answering Ping (a half-open TCP never closes)."""
        s = self._settings
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(s.ping_interval_s):
                    await lost.wait()
                    break
            answer = await self._request(manager, lost, {"Action": "Ping"})
            if isinstance(answer, str) and not lost.is_set():
                log.warning("AMI: Asterisk at %s:%d sent no Pong (%s); reconnecting", s.host, s.port, answer)
                return
        if not self._stopping:
            log.warning("AMI: connection to %s:%d lost", s.host, s.port)

    async def _request(self, manager: Any, lost: asyncio.Event, action: dict[str, str]) -> Any:
        return await self._answer(manager.send_action(action), lost)

    async def _answer(self, future: asyncio.Future[Any], lost: asyncio.Event) -> Any:
        """Asterisk's response, or a string saying why there is none."""
        gone = asyncio.ensure_future(lost.wait())
        try:
            done, _ = await asyncio.wait({future, gone}, timeout=self._settings.action_timeout_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
        if future in done:
            return future.result()
        future.cancel()
        if lost.is_set():
            return "the AMI connection was lost before Asterisk answered"
        return f"Asterisk did not answer within {self._settings.action_timeout_s:g} s"

    def _fail(self, reason: str, level: int = logging.WARNING) -> None:
        self._last_error = reason
        log.log(level, "AMI: %s", reason)

    def _on_event(self, _manager: Any, event: Mapping[str, Any]) -> None:
        try:
            self._calls.observe(event)
        except Exception:  # raising here would reach data_received, and asyncio drops a connection whose protocol raises
            log.exception("AMI: cannot use event %s", event.get("Event"))


class _Manager(Manager):
    """panoramisk's Manager, minus its fixed-delay reconnect and its unchecked pinger: AmiClient does both itself."""

    pinger: Any

    def __init__(self, on_lost: Any, **config: Any) -> None:
        super().__init__(**config)
        self._on_lost = on_lost

    def connection_lost(self, exc: object) -> None:
        self._connected = False
        if self.pinger is not None:
            self.pinger.cancel()
            self.pinger = None
        self._on_lost()

    def ping(self) -> None:
        pass

    def login(self, future: asyncio.Future[Any]) -> bool:
        # We cancel a login that timed out; panoramisk's callback would raise on it inside the event loop.
        if future.cancelled():
            self.authenticated_future = None
            return False
        return bool(super().login(future))


class _RedactingLog(logging.LoggerAdapter):
    """panoramisk formats whole actions into some log lines (a failed write, a requeued action); the secret must not follow."""

    def __init__(self, logger: logging.Logger, secret: str) -> None:
        super().__init__(logger, {})
        self._secret = secret

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        text = str(msg) % args if args else str(msg)
        if self._secret:
            text = text.replace(self._secret, "********")
        kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1  # point the record at panoramisk's line, not at this adapter
        self.logger.log(level, "%s", text, **kwargs)


@dataclass
class _Channel:
    unique_id: str
    channel: str = ""
    linked_id: str = ""
    caller_number: str | None = None
    first_exten: str | None = None
    did: str | None = None
    uuids: list[str] = field(default_factory=list)
    hung_up: bool = False
    forget: asyncio.TimerHandle | None = None

    def info(self, uuid: str) -> AmiCallInfo:
        return AmiCallInfo(uuid, self.channel, self.caller_number, self.did or self.first_exten, self.unique_id, self.linked_id)


class _CallTable:
    """Channels keyed by Uniqueid (a channel name can change, the Uniqueid cannot), plus AudioSocket UUID -> Uniqueid."""

    def __init__(self, grace_s: float) -> None:
        self._grace_s = grace_s
        self._channels: dict[str, _Channel] = {}
        self._by_uuid: dict[str, str] = {}
        self._waiters: dict[str, list[asyncio.Future[AmiCallInfo | None]]] = {}

    def get(self, uuid: str) -> AmiCallInfo | None:
        unique_id = self._by_uuid.get(uuid)
        entry = self._channels.get(unique_id) if unique_id else None
        return entry.info(uuid) if entry else None

    async def wait(self, uuid: str, timeout: float) -> AmiCallInfo | None:  # noqa: ASYNC109
        key = uuid.strip().lower()
        known = self.get(key)
        if known is not None or timeout <= 0:
            return known
        waiter: asyncio.Future[AmiCallInfo | None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(key, []).append(waiter)
        try:
            return await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            return None
        finally:
            pending = self._waiters.get(key)
            if pending is not None and waiter in pending:
                pending.remove(waiter)
                if not pending:
                    del self._waiters[key]

    def observe(self, event: Mapping[str, Any]) -> None:
        name, unique_id = _text(event, "Event"), _text(event, "Uniqueid")
        if not unique_id:
            return
        entry = self._channels.get(unique_id)
        if entry is None:
            if name == "Hangup":
                return
            entry = self._channels[unique_id] = _Channel(unique_id)
        # Every channel event carries the whole snapshot, so whichever event comes first fills the entry.
        entry.channel = _text(event, "Channel") or entry.channel
        entry.linked_id = _text(event, "Linkedid") or entry.linked_id
        number = _text(event, "CallerIDNum")
        if number and number != _UNKNOWN:
            entry.caller_number = number
        exten = _text(event, "Exten")
        # The first extension is the dialled number on an inbound trunk; later ones may be `s` after a Goto.
        if entry.first_exten is None and exten and exten != "s":
            entry.first_exten = exten
        if name == "VarSet":
            self._var_set(entry, _text(event, "Variable").lstrip("_"), _text(event, "Value"))
        elif name == "Hangup":
            entry.hung_up = True
            self._forget_later(entry)
        elif entry.forget is not None and not entry.hung_up:
            entry.forget.cancel()  # alive after all: it was only doomed because we lost sight of it while disconnected
            entry.forget = None

    def connection_lost(self) -> None:
        # While disconnected we miss Hangup events; whatever is not seen again is dropped after the grace period.
        for entry in self._channels.values():
            self._forget_later(entry)

    def clear(self) -> None:
        for entry in self._channels.values():
            if entry.forget is not None:
                entry.forget.cancel()
        for waiters in self._waiters.values():
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)  # a caller still waiting gets "unknown", never an exception
        self._channels.clear()
        self._by_uuid.clear()
        self._waiters.clear()

    def _var_set(self, entry: _Channel, variable: str, value: str) -> None:
        if variable == "VB_DID" and value:
            entry.did = value
        elif variable == "VB_UUID" and value:
            uuid = value.strip().lower()
            # First channel wins: a channel that inherits VB_UUID (Local, AudioSocket/) is not the caller's.
            if uuid in self._by_uuid:
                return
            self._by_uuid[uuid] = entry.unique_id
            entry.uuids.append(uuid)
            for waiter in self._waiters.pop(uuid, []):
                if not waiter.done():
                    waiter.set_result(entry.info(uuid))

    def _forget_later(self, entry: _Channel) -> None:
        if entry.forget is None:
            entry.forget = asyncio.get_running_loop().call_later(self._grace_s, self._forget, entry.unique_id)

    def _forget(self, unique_id: str) -> None:
        entry = self._channels.pop(unique_id, None)
        if entry is not None:
            for uuid in entry.uuids:
                if self._by_uuid.get(uuid) == unique_id:
                    del self._by_uuid[uuid]


def _text(event: Mapping[str, Any], key: str) -> str:
    # panoramisk turns a repeated header (ChanVariable) into a list; the headers we read are never repeated.
    value = event.get(key, "")
    return value.strip() if isinstance(value, str) else ""
