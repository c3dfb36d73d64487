"""The call's turns as they are written to the store: numbered, timed against the call's clock, logged without content.

The transcript text reaches the log only when privacy.log_content asks for it.
"""

from __future__ import annotations

import logging

from voicebridge.call_session.context import CallContext
from voicebridge.store.call_store import TurnRecord

log = logging.getLogger(__name__)


class TurnLog:
    def __init__(self, ctx: CallContext) -> None:
        self._ctx = ctx
        self._seq = 0
        self.transcript: list[tuple[str, str]] = []

    async def add(self, role: str, text: str, start_ms: float, end_ms: float | None, timings: dict[str, float]) -> int:
        """Store one turn (an agent turn still playing has no end yet); returns its number."""
        ctx = self._ctx
        self._seq += 1
        seq = self._seq
        duration = int(end_ms - start_ms) if end_ms is not None else 0
        record = TurnRecord(
            ctx.info.call_id, seq, role, text, ctx.wall(start_ms),
            ctx.wall(end_ms) if end_ms is not None else "", int(start_ms), duration, timings,
        )
        store = ctx.svc.store
        await store.submit(store.store.add_turn, record)
        log.info("call %s turn %d %s", ctx.info.call_id, seq, role)
        if ctx.svc.config.privacy.log_content:  # off by default: transcript text reaches the log only when asked for
            log.debug("call %s turn %d %s said: %s", ctx.info.call_id, seq, role, text)
        return seq

    async def finish_agent(self, seq: int, start_ms: float, end_ms: float, played: bool, said: str) -> None:
        """Close an agent turn with what was really said (all of it, or the part heard before a barge-in)."""
        ctx = self._ctx
        self.transcript.append(("agent", said))
        store = ctx.svc.store
        await store.submit(store.store.finish_turn, ctx.info.call_id, seq, ctx.wall(end_ms), int(end_ms - start_ms), not played, said)
