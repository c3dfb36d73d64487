"""The call's turns as they are written to the store: numbered, timed against the call's clock, logged without content.

The transcript text reaches the log only when privacy.log_content asks for it.
"""

from __future__ import annotations

import logging
from collections import deque

from voicebridge.call_session.context import CallContext
from voicebridge.store.call_store import TurnRecord

log = logging.getLogger(__name__)

TRANSCRIPT_TURNS = 400  # far beyond a 15-minute call (server.max_call_duration_s); the note model reads them all


class TurnLog:
    def __init__(self, ctx: CallContext) -> None:
        self._ctx = ctx
        self._seq = 0
        self.caller_turns = 0
        # What the note model reads after the call; bounded so no peer can grow it without limit (the store has all).
        self.transcript: deque[tuple[str, str]] = deque(maxlen=TRANSCRIPT_TURNS)

    async def add(self, role: str, text: str, start_ms: float, end_ms: float | None, timings: dict[str, float]) -> int:
        """Store one turn; returns its number. An agent turn still playing has no end yet and is stored as interrupted
        until it is finished, so a crash mid-reply (kill -9) leaves a turn marked cut off, not one said in full."""
        ctx = self._ctx
        self._seq += 1
        seq = self._seq
        duration = int(end_ms - start_ms) if end_ms is not None else 0
        record = TurnRecord(
            ctx.info.call_id, seq, role, text, ctx.wall(start_ms),
            ctx.wall(end_ms) if end_ms is not None else "", int(start_ms), duration, timings, interrupted=end_ms is None,
        )
        store = ctx.svc.store
        store.write(store.store.add_turn, record)  # never waits: a locked or full database must not hold up the call
        log.info("call %s turn %d %s", ctx.info.call_id, seq, role)
        if ctx.svc.config.privacy.log_content:  # off by default: transcript text reaches the log only when asked for
            log.debug("call %s turn %d %s said: %s", ctx.info.call_id, seq, role, text)
        return seq

    def caller_heard(self, text: str) -> None:
        self.caller_turns += 1
        self.transcript.append(("caller", text))

    async def finish_agent(self, seq: int, start_ms: float, end_ms: float, played: bool, said: str) -> None:
        """Close an agent turn with what was really said (all of it, or the part heard before a barge-in)."""
        ctx = self._ctx
        self.transcript.append(("agent", said))
        store = ctx.svc.store
        store.write(store.store.finish_turn, ctx.info.call_id, seq, ctx.wall(end_ms), int(end_ms - start_ms), not played, said)
