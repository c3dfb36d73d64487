"""What the caller hears is what we store: each turn's voice-to-voice gap stored by the daemon (end of the caller turn to
the start of the agent turn) against the same gap measured on the caller's MixMonitor recording of the real line."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from tests.callsim import store_of, wait_call_closed
from tests.pbx.asterisk import Asterisk
from tests.pbx.conftest import PbxDaemonFactory
from voicebridge.audio.line_gaps import LineGap, turn_gaps

CALLER_LINES = ["Hello, the shower in my bathroom is leaking.", "My name is Peter Brown.", "Yes, please call me on this number."]


def stored_gaps(turns: list[dict[str, Any]]) -> list[float]:
    """Stored voice-to-voice per answered caller turn: the next agent turn's start minus the caller turn's end."""
    gaps = []
    for turn, after in zip(turns, turns[1:], strict=False):
        if turn["role"] == "caller" and after["role"] == "agent":
            gaps.append(after["offset_ms"] - (turn["offset_ms"] + turn["duration_ms"]))
    return gaps


async def line_and_stored(pbx: Asterisk, daemon: Any, say: Callable[..., bytes]) -> tuple[list[LineGap], list[float]]:
    steps = ["n", "q"]
    for i, line in enumerate(CALLER_LINES):
        steps += [f"p{pbx.sound(f'line{i}', say(line, 'en'))}", "n", "q"]
    call = await pbx.place_call([*steps, "h"])
    await pbx.wait_hangup(call.caller_channel, 120)
    row = await wait_call_closed(daemon, store_of(daemon).list_calls(1)[0]["id"])
    heard, rate = call.heard()
    said, _ = call.said()
    return turn_gaps(said, heard, rate), stored_gaps(store_of(daemon).turns(row["id"]))


async def test_stored_voice_to_voice_matches_the_line(pbx: Asterisk, pbx_daemon: PbxDaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await pbx_daemon(business={"language": "en"})
    line, stored = await line_and_stored(pbx, daemon, say)
    assert len(line) == len(stored) == len(CALLER_LINES), (line, stored)
    # The agent's audio still travels the pacer, the socket and the Local channel into the recording, and a turn's end is
    # placed on the call's clock when the daemon processes it, so the two do not agree to the frame. Before the fixes the
    # stored gaps were 0.5-2.4 s off (turn times counted in received frames, which fell behind the line's clock) and
    # the turn's end was marked at VAD's last speech frame, after the sound had died away.
    differences = [g.gap_ms - s for g, s in zip(line, stored, strict=True)]
    # Measured after the fixes on the busy 2-core box: 61-470 ms per turn, median 111 (benchmarks/line_latency.py).
    assert all(-100 <= d <= 600 for d in differences), (differences, [g.gap_ms for g in line], stored)
    assert -50 <= statistics.median(differences) <= 200, differences
