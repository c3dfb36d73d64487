"""What every transport does around one call's session: the pacer sends while the session runs, the reader feeds it,
and both stop with the call, however it ends."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from voicebridge.audio.pacer import OutgoingAudio
from voicebridge.call_session import CallEnded, CallSession

log = logging.getLogger(__name__)


async def run_call(session: CallSession, output: OutgoingAudio, call_id: str,
                   reading: Coroutine[Any, Any, None] | None) -> CallEnded:
    """Run the session to its end with `output` paced alongside and `reading` (None: nothing more to read, as for a
    refused call) feeding it; the pacer and reader are cancelled and awaited before this returns or raises."""
    tasks = [asyncio.create_task(output.run(), name=f"pacer-{call_id}")]
    if reading is not None:
        reader = asyncio.create_task(reading, name=f"reader-{call_id}")
        reader.add_done_callback(lambda t: _reader_done(session, t))
        tasks.append(reader)
    try:
        return await session.run()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _reader_done(session: CallSession, task: asyncio.Task[None]) -> None:
    """A reader that failed (a bug, not the peer's doing: peers' faults are protocol errors) still ends its call, so the
    row is closed now and not at shutdown."""
    if task.cancelled() or task.exception() is None:
        return
    exc = task.exception()
    log.error("call %s: reading from the peer failed: %s: %s", session.info.call_id, type(exc).__name__, exc)
    session.feed(CallEnded("internal_error", f"reader failed: {type(exc).__name__}"))
