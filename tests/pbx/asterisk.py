"""A private real Asterisk 22 for tests: built by ../shared/asterisk/build.sh, run in the foreground on loopback with its
own directories, our dialplan/ files included unchanged, and a test caller context that plays WAVs and records both sides.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import shutil
import socket
import subprocess
import time
import wave
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DIALPLAN = REPO / "dialplan" / "asterisk"
TEST_USER, TEST_SECRET = "vbtest", "vbtest-driver-secret"
SHIPPED_AMI_SECRET = "change-me-to-a-long-random-string"  # manager_voicebridge.conf as shipped, loaded unchanged
AUDIOSOCKET_PORT = 9092  # the shipped dialplan connects here

# The test's side of the line. `Local/<DID>@vb-test-line` is the inbound trunk: it sets the DID and enters the agent context
# named in VB_TEST_AGENT (voicebridge-in or voicebridge-in-wideband). The originated ;1 leg runs vb-test-caller, which
# records both directions (r = what the caller heard, t = what the caller said) and works through VB_STEPS, '^'-separated:
# p<file> play a WAV (no extension), w<seconds> wait, d<digits> SendDTMF, n wait for the agent to start speaking,
# q wait for the agent to stop (1.2 s quiet; Q: 2 s, for read-backs with pauses), g wait until the test sets VB_GO on
# the caller channel (`Asterisk.go`), h hang up.
TEST_EXTENSIONS = """
[vb-test-line]
exten => _X.,1,Set(CALLERID(dnid)=${EXTEN})
 same => n,Goto(${VB_TEST_AGENT},s,1)

[vb-test-caller]
exten => s,1,MixMonitor(${VB_REC}-both.wav,r(${VB_REC}-heard.wav)t(${VB_REC}-said.wav))
 same => n(next),Set(STEP=${SHIFT(VB_STEPS,^)})
 same => n,GotoIf($["${STEP}" = ""]?hold)
 same => n,Set(ARG=${STEP:1})
 same => n,UserEvent(VbStep,Step: ${STEP})
 same => n,Goto(op-${STEP:0:1})
 same => n(op-p),Playback(${ARG})
 same => n,Goto(next)
 same => n(op-w),Wait(${ARG})
 same => n,Goto(next)
 same => n(op-d),SendDTMF(${ARG},150)
 same => n,Goto(next)
 same => n(op-n),WaitForNoise(200,1,20)
 same => n,Goto(next)
 same => n(op-q),WaitForSilence(1200,1,40)
 same => n,Goto(next)
 same => n(op-Q),WaitForSilence(2000,1,60)
 same => n,Goto(next)
 same => n(op-g),GotoIf($["${VB_GO}" != ""]?next)
 same => n,Wait(0.05)
 same => n,Goto(op-g)
 same => n(op-h),Hangup()
 same => n(hold),Wait(${IF($["${VB_HOLD}" = ""]?60:${VB_HOLD})})
 same => n,Hangup()

[vb-test-transfer]
; Like the shipped voicebridge-transfer, with people reachable over Local channels (this build has no SIP stack).
exten => office,1,Dial(Local/s@vb-test-person,20)
 same => n,Goto(voicebridge-voicemail,s,1)
exten => nobody,1,Dial(Local/s@vb-test-nobody,3)
 same => n,Goto(voicebridge-voicemail,s,1)
exten => oncall,1,Dial(Local/s@vb-test-nobody,3)
 same => n,Goto(voicebridge-voicemail,s,1)

[vb-test-person]
exten => s,1,Answer()
 same => n,UserEvent(VbPersonAnswered)
 same => n,Playback(${VB_PERSON_SAYS})
 same => n,Wait(30)
 same => n,Hangup()

[vb-test-nobody]
exten => s,1,Wait(60)
"""


# autoload, minus what needs res_sorcery_config (not in the minimal build) and what these tests never use.
MODULES_CONF = """[modules]
autoload = yes
noload => res_websocket_client.so
noload => chan_websocket.so
"""


# The stock prompts VoiceMail() plays; the minimal build ships no sounds, so short tones stand in for them.
VOICEMAIL_PROMPTS = {"vm-intro": 500, "beep": 1000, "vm-msgsaved": 600, "vm-goodbye": 650, "auth-thankyou": 700}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def shared_dir() -> Path | None:
    """../shared beside the checkout (CI and /work/main), or VOICEBRIDGE_SHARED for a worktree elsewhere."""
    for candidate in (os.environ.get("VOICEBRIDGE_SHARED"), str(REPO.parent / "shared")):
        if candidate and (Path(candidate) / "asterisk" / "build.sh").is_file():
            return Path(candidate)
    return None


def why_no_asterisk() -> str | None:
    """One line naming why the real-PBX tier cannot run here, or None if it can."""
    if shared_dir() is None:
        return "real-PBX tier: no ../shared/asterisk/build.sh beside the checkout (set VOICEBRIDGE_SHARED to the directory holding asterisk/build.sh)"
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        return "real-PBX tier: no C compiler to build Asterisk (apt-get install build-essential)"
    return None


def build_asterisk() -> Path:
    """The asterisk binary, built (2-4 min the first time) or reused by the shared build script."""
    shared = shared_dir()
    assert shared is not None
    done = subprocess.run(["bash", str(shared / "asterisk" / "build.sh")], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"building Asterisk failed: {done.stderr.strip()[-2000:]}")
    return Path(done.stdout.strip().splitlines()[-1])


def write_wav(path: Path, pcm: bytes, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return path


def _tone(freq: float, seconds: float, rate: int = 8000, level: float = 0.3) -> bytes:
    n = int(rate * seconds)
    return b"".join(int(level * 32767 * math.sin(2 * math.pi * freq * i / rate)).to_bytes(2, "little", signed=True) for i in range(n))


def read_wav(path: Path) -> tuple[bytes, int]:
    with wave.open(str(path), "rb") as w:
        return w.readframes(w.getnframes()), w.getframerate()


@dataclass
class AmiDriver:
    """The test's own AMI connection (all rights): Originate, Setvar, and every event kept for assertions."""

    port: int
    events: list[dict[str, str]] = field(default_factory=list)
    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None
    _task: asyncio.Task[None] | None = None
    _responses: dict[str, asyncio.Future[dict[str, str]]] = field(default_factory=dict)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _next_id: int = 0

    async def connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        await self._reader.readline()  # banner
        self._task = asyncio.create_task(self._read())
        answer = await self.action("Login", Username=TEST_USER, Secret=TEST_SECRET, Events="on")
        assert answer.get("Response") == "Success", answer

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await self._task

    async def action(self, name: str, *variables: str, **headers: str) -> dict[str, str]:
        assert self._writer is not None
        self._next_id += 1
        action_id = f"t{self._next_id}"
        lines = [f"Action: {name}", f"ActionID: {action_id}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines += [f"Variable: {v}" for v in variables]
        future: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()
        self._responses[action_id] = future
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        return await asyncio.wait_for(future, 15)

    async def _read(self) -> None:
        assert self._reader is not None
        message: dict[str, str] = {}
        while raw := await self._reader.readline():
            line = raw.decode(errors="replace").rstrip("\r\n")
            if line:
                key, _, value = line.partition(":")
                message.setdefault(key.strip(), value.strip())
                continue
            if "Event" in message:
                self.events.append(message)
                self._changed.set()
            elif (future := self._responses.pop(message.get("ActionID", ""), None)) is not None and not future.done():
                future.set_result(message)
            message = {}

    def find(self, predicate: Callable[[Mapping[str, str]], bool], since: int = 0) -> list[dict[str, str]]:
        return [e for e in self.events[since:] if predicate(e)]

    async def wait_event(self, predicate: Callable[[Mapping[str, str]], bool], timeout: float = 30.0,  # noqa: ASYNC109
                         since: int = 0) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.find(predicate, since)
            if found:
                return found[0]
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no such AMI event within {timeout:g} s")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 1.0))


@dataclass
class PlacedCall:
    """One test call: the caller leg's channel, its recordings, and what the AMI showed of it."""

    rec: Path  # recordings prefix: -heard.wav (the agent as the caller heard it), -said.wav, -both.wav
    caller_channel: str = ""  # Local/<DID>@vb-test-line-XXXXXXXX;1
    agent_channel: str = ""  # ...;2, the channel that runs our dialplan

    def heard(self) -> tuple[bytes, int]:
        return read_wav(self.rec.with_name(self.rec.name + "-heard.wav"))

    def said(self) -> tuple[bytes, int]:
        return read_wav(self.rec.with_name(self.rec.name + "-said.wav"))


class Asterisk:
    """A foreground Asterisk on loopback: `start()`, `place_call()`, `restart()`, `stop()`; its log is `self.log_path`."""

    def __init__(self, binary: Path, workdir: Path, *, extra_dialplan: str = "") -> None:
        self.binary = binary
        self.prefix = binary.parent.parent
        self.dir = workdir
        self.ami_port = free_port()
        self.extra_dialplan = extra_dialplan
        self.proc: asyncio.subprocess.Process | None = None
        self.ami: AmiDriver | None = None
        self.log_path = workdir / "log" / "full"
        self._calls = 0

    @property
    def conf(self) -> Path:
        return self.dir / "etc" / "asterisk.conf"

    @property
    def spool(self) -> Path:
        return self.dir / "spool"

    def write_config(self) -> None:
        etc = self.dir / "etc"
        for sub in ("etc", "lib", "db", "spool", "run", "log", "rec", "sounds"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        p = self.prefix
        (etc / "asterisk.conf").write_text(f"""[directories]
astetcdir => {etc}
astmoddir => {p}/lib/asterisk/modules
astvarlibdir => {self.dir}/lib
astdbdir => {self.dir}/db
astkeydir => {self.dir}/lib
astdatadir => {self.dir}/data
astagidir => {self.dir}/lib/agi-bin
astspooldir => {self.spool}
astrundir => {self.dir}/run
astlogdir => {self.dir}/log
astsbindir => {p}/sbin
[options]
transmit_silence = yes
verbose = 3
nocolor = yes
""")
        (etc / "modules.conf").write_text(MODULES_CONF)
        (etc / "logger.conf").write_text("[general]\n[logfiles]\nfull => notice,warning,error,verbose,dtmf\n")
        (etc / "manager.conf").write_text(f"""[general]
enabled = yes
port = {self.ami_port}
bindaddr = 127.0.0.1

[{TEST_USER}]
secret = {TEST_SECRET}
read = all
write = all

#include {DIALPLAN}/manager_voicebridge.conf
""")
        (etc / "voicemail.conf").write_text("[general]\nformat = wav\nmaxsilence = 3\nminsecs = 0\n[default]\n100 => 1234,Office\n")
        # This build has no sound files: the mailbox's own greeting (and a beep) stand in for the stock prompts.
        box = self.spool / "voicemail" / "default" / "100"
        box.mkdir(parents=True, exist_ok=True)
        write_wav(box / "unavail.wav", _tone(440, 0.6))
        sounds = self.dir / "data" / "sounds" / "en"
        sounds.mkdir(parents=True, exist_ok=True)
        for prompt, freq in VOICEMAIL_PROMPTS.items():
            write_wav(sounds / f"{prompt}.wav", _tone(freq, 0.25))
        for sub in ("documentation", "moh", "keys", "rest-api", "static-http"):
            link = self.dir / "data" / sub
            if not link.exists():
                link.symlink_to(p / "var" / "lib" / "asterisk" / sub)
        (etc / "extensions.conf").write_text(
            f"[general]\nstatic = yes\nwriteprotect = yes\n\n#include {DIALPLAN}/extensions_voicebridge.conf\n"
            f"{TEST_EXTENSIONS}\n{self.extra_dialplan}\n"
        )

    async def start(self) -> None:
        self.write_config()
        log = (self.dir / "log" / "console").open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            str(self.binary), "-f", "-C", str(self.conf), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.returncode is not None:
                raise RuntimeError(f"Asterisk exited at start ({self.proc.returncode}); see {self.dir / 'log'}")
            try:
                self.ami = AmiDriver(self.ami_port)
                await self.ami.connect()
                break
            except (OSError, AssertionError, asyncio.IncompleteReadError, TimeoutError):
                if self.ami is not None:
                    await self.ami.close()
                if time.monotonic() > deadline:
                    raise RuntimeError("Asterisk AMI did not come up within 60 s") from None
                await asyncio.sleep(0.3)
        await self.wait_booted()

    async def wait_booted(self) -> None:
        assert self.ami is not None
        await self.ami.wait_event(lambda e: e.get("Event") == "FullyBooted", 60)

    async def stop(self, *, kill: bool = False) -> None:
        if self.ami is not None:
            await self.ami.close()
            self.ami = None
        if self.proc is None or self.proc.returncode is not None:
            return
        if not kill:
            await self.cli("core stop now")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.proc.wait(), 10)
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()

    async def clear(self) -> None:
        """Between tests: every call hung up, the mailbox emptied, the AMI events forgotten."""
        assert self.ami is not None
        await self.cli("channel request hangup all")
        deadline = time.monotonic() + 20
        while "0 active channels" not in await self.cli("core show channels count"):
            if time.monotonic() > deadline:
                raise RuntimeError("Asterisk still has channels 20 s after 'channel request hangup all'")
            await asyncio.sleep(0.1)
        inbox = self.spool / "voicemail" / "default" / "100" / "INBOX"
        for message in inbox.glob("msg*"):
            message.unlink()
        self.ami.events.clear()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def cli(self, command: str) -> str:
        """An Asterisk CLI command through the remote console (`asterisk -rx`)."""
        proc = await asyncio.create_subprocess_exec(str(self.binary), "-C", str(self.conf), "-rx", command,
                                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out, _ = await asyncio.wait_for(proc.communicate(), 20)
        return out.decode(errors="replace")

    def sound(self, name: str, pcm: bytes, rate: int = 8000) -> str:
        """A caller's speech as a file Asterisk can Playback; returns the name to play (path without extension)."""
        path = write_wav(self.dir / "sounds" / f"{name}.wav", pcm, rate)
        return str(path.with_suffix(""))

    async def place_call(
        self, steps: list[str], *, agent: str = "voicebridge-in", caller_id: str = "Test Caller <+4930123456>",
        did: str = "4930555000", hold_s: float = 60, extra_vars: Mapping[str, str] | None = None,
    ) -> PlacedCall:
        """Originate a Local call: ;2 enters `agent` (our dialplan, unchanged) as an inbound trunk call would, ;1 runs
        the caller script. Returns once both legs exist."""
        assert self.ami is not None
        self._calls += 1
        call = PlacedCall(self.dir / "rec" / f"call{self._calls}")
        variables = [f"VB_REC={call.rec}", f"VB_STEPS={'^'.join(steps)}", f"VB_TEST_AGENT={agent}",
                     f"VB_HOLD={hold_s:g}"]
        variables += [f"{k}={v}" for k, v in (extra_vars or {}).items()]
        seen = len(self.ami.events)
        answer = await self.ami.action(
            "Originate", *variables, Channel=f"Local/{did}@vb-test-line", Context="vb-test-caller", Exten="s", Priority="1",
            CallerID=caller_id, Async="true", Timeout="10000",
        )
        assert answer.get("Response") == "Success", answer
        event = await self.ami.wait_event(
            lambda e: e.get("Event") == "Newchannel" and e.get("Channel", "").startswith(f"Local/{did}@vb-test-line-")
            and e.get("Channel", "").endswith(";1"), 10, since=seen,
        )
        call.caller_channel = event["Channel"]
        call.agent_channel = call.caller_channel[:-1] + "2"
        return call

    async def go(self, call: PlacedCall) -> None:
        """Let the caller script past its `g` step."""
        assert self.ami is not None
        answer = await self.ami.action("Setvar", Channel=call.caller_channel, Variable="VB_GO", Value="1")
        assert answer.get("Response") == "Success", answer

    def in_context(self, call: PlacedCall, context: str, app: str | None = None) -> bool:
        assert self.ami is not None
        return bool(self.ami.find(lambda e: e.get("Event") == "Newexten" and e.get("Channel") == call.agent_channel
                                  and e.get("Context") == context and (app is None or e.get("Application") == app)))

    async def wait_context(self, call: PlacedCall, context: str, app: str | None = None, timeout: float = 30) -> None:  # noqa: ASYNC109
        assert self.ami is not None
        await self.ami.wait_event(lambda e: e.get("Event") == "Newexten" and e.get("Channel") == call.agent_channel
                                  and e.get("Context") == context and (app is None or e.get("Application") == app), timeout)

    async def wait_hangup(self, channel: str, timeout: float = 60) -> dict[str, str]:  # noqa: ASYNC109
        assert self.ami is not None
        return await self.ami.wait_event(lambda e: e.get("Event") == "Hangup" and e.get("Channel") == channel, timeout)

    def voicemails(self) -> list[Path]:
        return sorted((self.spool / "voicemail" / "default" / "100" / "INBOX").glob("msg*.wav"))
