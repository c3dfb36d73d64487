"""What every transport does around one call's session: the pacer sends while the session runs, the reader feeds it,
and both stop with the call, however it ends."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from voicebridge.audio.pacer import OutgoingAudio
from voicebridge.call_session import CallEnded, CallSession


async def run_call(session: CallSession, output: OutgoingAudio, call_id: str,
                   reading: Coroutine[Any, Any, None] | None) -> CallEnded:
    """Run the session to its end with `output` paced alongside and `reading` (None: nothing more to read, as for a
    refused call) feeding it; the pacer and reader are cancelled and awaited before this returns or raises."""
    tasks = [asyncio.create_task(output.run(), name=f"pacer-{call_id}")]
    if reading is not None:
        tasks.append(asyncio.create_task(reading, name=f"reader-{call_id}"))
    try:
        return await session.run()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
