"""The agent's voice: a reply synthesized sentence by sentence into the pacer, stored as it starts and corrected to
what the caller really heard when it is cut off."""

from __future__ import annotations

import asyncio

from voicebridge.audio.pcm import trim_leading_silence
from voicebridge.call_session.context import CallContext
from voicebridge.call_session.turn_log import TurnLog
from voicebridge.dialogue.receptionist import Reply
from voicebridge.speech.tts import speech_chunks


class Speaker:
    def __init__(self, ctx: CallContext, turns: TurnLog) -> None:
        self._ctx = ctx
        self._turns = turns

    async def speak(self, reply: Reply, timings: dict[str, float], since_ms: float | None = None,
                    first: tuple[bytes, float] | None = None) -> bool:
        """Synthesize sentence by sentence into the pacer; the turn is stored when its audio starts and corrected
        to what was really said if the caller barges in. Returns True if it was heard to the end.
        `first`: the first clause's audio and its synthesis time, when a draft made it ahead."""
        ctx = self._ctx
        svc = ctx.svc
        out = ctx.out
        rate = ctx.info.sample_rate
        cached = svc.phrases.get(reply.text, ctx.language, rate)
        chunks = [reply.text] if cached is not None else speech_chunks(reply.text)
        spans: list[tuple[str, int, int]] = []  # sentence, first byte, end byte in the pacer's stream
        last: asyncio.Future[bool] | None = None
        tts_total = 0.0
        seq = 0
        start_ms = 0.0
        for sentence in chunks:
            if ctx.ended is not None or (last is not None and last.done() and not last.result()):
                break  # hung up, or interrupted while the next sentence was being synthesized
            if cached is not None:
                pcm = cached
            elif first is not None and not spans:
                pcm, tts_ms = first
                tts_total += tts_ms
            else:
                job = await svc.scheduler.run(svc.models.tts.synthesize, sentence, ctx.language, rate)
                tts_total += job.run_ms
                pcm = job.value.pcm
                if ctx.ended is not None:
                    break  # hung up while this sentence was synthesized: the pacer is gone, its audio would never play
            ahead_ms = out.pending_ms
            if not spans and not ahead_ms:
                pcm = trim_leading_silence(pcm, rate)  # the caller hears the voice, not the voice's lead-in, first
            begin = out.queued_bytes
            last = out.enqueue(pcm)
            spans.append((sentence, begin, out.queued_bytes))
            if len(spans) == 1:
                start_ms = ctx.now_ms() + ahead_ms
                timings = dict(timings, tts_first_ms=round(tts_total, 1))
                if since_ms is not None:
                    timings["response_ms"] = round(ctx.now_ms() - since_ms, 1)
                seq = await self._turns.add("agent", reply.text, start_ms, None, timings)
        if last is None:
            return False
        played = await last
        end_ms = ctx.now_ms()
        said = reply.text if played else spoken_part(spans, out.played_bytes)
        await self._turns.finish_agent(seq, start_ms, end_ms, played, said)
        return played


def spoken_part(spans: list[tuple[str, int, int]], played: int) -> str:
    """What the caller actually heard of a cut reply: whole sentences, then the share of words of the one cut off."""
    heard: list[str] = []
    for sentence, begin, end in spans:
        if played >= end:
            heard.append(sentence)
            continue
        if played > begin:
            words = sentence.split()
            share = len(words) * (played - begin) // (end - begin)  # floor: never claim a word not yet heard
            if share:
                heard.append(" ".join(words[:share]) + " …")
        break
    return " ".join(heard)
