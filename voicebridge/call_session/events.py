"""What a transport tells a call: who is calling, and every inbound message (audio, a key, the end).

Everything that changes the call's course (audio, DTMF, hang-up, the agent's goodbye, a timeout) is one of these on one queue.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CallInfo:
    call_id: str
    transport: str
    sample_rate: int
    caller_number: str | None = None
    called_number: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class AudioIn:
    pcm: bytes


@dataclass(frozen=True)
class DtmfIn:
    digit: str


@dataclass(frozen=True)
class CallEnded:
    """The call is over: the peer left, the agent said goodbye, a limit hit, or the daemon is stopping."""

    reason: str
    detail: str = ""


CallEvent = AudioIn | DtmfIn | CallEnded
