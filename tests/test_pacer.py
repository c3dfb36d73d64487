"""The outgoing pacer keeps real time: one frame per 20 ms, no bursts, silence while idle, flush on demand."""

from __future__ import annotations

import asyncio
import time

from voicebridge.audio.pacer import OutgoingAudio


async def run_pacer(seconds: float, setup) -> tuple[list[tuple[float, bytes]], OutgoingAudio]:  # type: ignore[no-untyped-def]
    sent: list[tuple[float, bytes]] = []

    async def send(frame: bytes) -> None:
        sent.append((time.monotonic(), frame))

    out = OutgoingAudio(send, 8000)
    task = asyncio.create_task(out.run())
    await setup(out)
    await asyncio.sleep(seconds)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return sent, out


async def test_idle_pacer_sends_silence_at_real_time() -> None:
    async def nothing(out: OutgoingAudio) -> None:
        return None

    sent, out = await run_pacer(1.0, nothing)
    assert 45 <= len(sent) <= 52
    assert all(frame == bytes(320) for _, frame in sent)
    span = sent[-1][0] - sent[0][0]
    assert abs(span / (len(sent) - 1) - 0.020) < 0.002
    assert out.stats().gaps_over_40ms == 0


async def test_queued_audio_is_metered_not_burst() -> None:
    speech = b"\x10\x00" * 8000  # 1 s of audio queued at once

    async def queue(out: OutgoingAudio) -> None:
        out.enqueue(speech)

    sent, out = await run_pacer(1.3, queue)
    audio = [t for t, frame in sent if frame != bytes(320)]
    assert len(audio) == 50
    gaps = [b - a for a, b in zip(audio, audio[1:], strict=False)]
    assert min(gaps) > 0.010 and max(gaps) < 0.040
    assert out.stats().audio_frames_sent == 50


async def test_enqueue_future_resolves_when_played_and_flush_cuts() -> None:
    results: dict[str, asyncio.Future[bool]] = {}

    async def queue(out: OutgoingAudio) -> None:
        results["short"] = out.enqueue(bytes(640))
        results["long"] = out.enqueue(b"\x01\x00" * 16000)
        await asyncio.sleep(0.2)
        assert out.speaking
        dropped = out.flush()
        assert dropped > 0 and not out.speaking

    await run_pacer(0.1, queue)
    assert results["short"].result() is True
    assert results["long"].result() is False


async def test_blocked_loop_restarts_clock_instead_of_bursting() -> None:
    async def block(out: OutgoingAudio) -> None:
        await asyncio.sleep(0.1)
        time.sleep(0.3)  # noqa: ASYNC251 - a deliberate stall of the loop

    sent, _ = await run_pacer(0.5, block)
    times = [t for t, _ in sent]
    after_stall = [b - a for a, b in zip(times, times[1:], strict=False) if a > times[0] + 0.35]
    # Catching up after the 300 ms stall would send its 15 missed frames back to back. One frame a busy machine made
    # 15 ms late is followed by the next on its slot, 5 ms after it: catching up on that is what absolute deadlines are for.
    back_to_back = sum(gap < 0.002 for gap in after_stall)
    assert after_stall and back_to_back <= 1, after_stall
