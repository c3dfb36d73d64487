"""Transcription of the caller's words and replies drafted at a pause, before the caller has surely finished.

With incremental_stt, what an earlier pause of the same utterance already transcribed is reused.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

from voicebridge.call_session.context import CallContext
from voicebridge.dialogue.policy import ConversationPolicy, ModelRequest
from voicebridge.dialogue.receptionist import Reply
from voicebridge.models.scheduler import Timed
from voicebridge.speech.stt import Transcript
from voicebridge.speech.tts import speech_chunks
from voicebridge.turn.endpointer import UtteranceEnded
from voicebridge.turn.turn_completion import ends_on_digit


@dataclass
class Draft:
    """A caller turn worked out at a pause, before the caller has surely finished: the transcript, and the reply with its
    first audio, tried on a fork of the dialogue. The reply is used if nothing changed the dialogue since the fork;
    otherwise only the transcript is (and nothing at all if the caller went on speaking)."""

    stt: Timed[Transcript]
    base_revision: int = -1
    dialogue: ConversationPolicy | None = None
    request: ModelRequest | None = None
    reply: Reply | None = None
    dialogue_ms: float = 0.0
    first_audio: bytes | None = None  # the reply's first clause, synthesized (None: a cached fixed phrase)
    tts_first_ms: float = 0.0

    def usable_on(self, dialogue: ConversationPolicy) -> tuple[ConversationPolicy, Reply] | None:
        """The forked dialogue and its reply, if nothing changed `dialogue` since the fork; else None."""
        if self.dialogue is None or self.reply is None or self.base_revision != dialogue.revision:
            return None
        return self.dialogue, self.reply


@dataclass(frozen=True)
class _Heard:
    """The transcription of the first `audio_bytes` of utterance number `utterance`, started at a pause."""

    utterance: int
    audio_bytes: int
    task: asyncio.Task[Timed[Transcript]]


@dataclass
class Utterance:
    """A finished caller turn, with its draft already under way if a pause let us start early."""

    audio: UtteranceEnded
    speculative: asyncio.Task[Draft] | None = None


class Drafter:
    def __init__(self, ctx: CallContext, sample_rate: int) -> None:
        self._ctx = ctx
        self._rate = sample_rate  # the endpointer's rate, which the transcriber is given
        self._heard: _Heard | None = None  # the latest transcription of the current utterance, kept when the caller goes on

    async def draft(self, audio: bytes, utterance_no: int, on_words: Callable[[str], None] | None = None) -> Draft:
        """Transcribe what was said up to the pause and work out the reply on a fork of the dialogue, first audio included,
        so that when the hangover confirms the end of the turn the reply can start at once. `on_words` is told the
        transcript as soon as it is in ("" if transcription failed), before the reply is worked out."""
        ctx = self._ctx
        # Shielded: if the caller goes on, the draft is dropped but its transcription carries on, to be reused.
        try:
            stt = await asyncio.shield(self._transcribe_so_far(audio, utterance_no))
        except Exception:
            if on_words is not None:
                on_words("")
            raise
        text = stt.value.text
        if on_words is not None:
            on_words(text)
        if not text:
            return Draft(stt)
        base = ctx.dialogue.revision
        dialogue = ctx.dialogue.fork()
        started = time.perf_counter()
        request = dialogue.model_request(text)
        if request is not None and request.blocking:
            # The reply waits for the LLM (~0.5 s, not interruptible): not worth risking on a pause that may not be the end.
            return Draft(stt)
        reply = dialogue.respond(text)
        dialogue_ms = (time.perf_counter() - started) * 1000
        first, tts_ms = None, 0.0
        rate = ctx.info.sample_rate
        svc = ctx.svc
        if svc.phrases.get(reply.text, ctx.language, rate) is None:
            job = await svc.scheduler.run(svc.models.tts.synthesize, speech_chunks(reply.text)[0], ctx.language, rate)
            first, tts_ms = job.value.pcm, job.run_ms
        return Draft(stt, base, dialogue, request, reply, dialogue_ms, first, tts_ms)

    async def transcribe(self, audio: bytes) -> Timed[Transcript]:
        svc = self._ctx.svc
        return await svc.scheduler.run(svc.models.stt.transcribe, audio, self._rate, self._ctx.language)

    def _transcribe_so_far(self, audio: bytes, utterance_no: int) -> asyncio.Task[Timed[Transcript]]:
        """Transcribe the current utterance up to now. With incremental_stt, what an earlier pause of the same utterance
        already transcribed is reused and only the audio after it is new work, so little is left when the caller stops."""
        heard = self._heard
        if not self._ctx.svc.config.vad.incremental_stt or heard is None or heard.utterance != utterance_no:
            heard = None
        elif heard.audio_bytes >= len(audio):
            return heard.task
        task = asyncio.create_task(self._transcribe_after(audio, heard))
        task.add_done_callback(lambda t: None if t.cancelled() else t.exception())
        self._heard = _Heard(utterance_no, len(audio), task)
        return task

    async def _transcribe_after(self, audio: bytes, heard: _Heard | None) -> Timed[Transcript]:
        if heard is None:
            return await self.transcribe(audio)
        try:
            head = await heard.task
        except Exception:  # that pass failed: transcribe from the beginning (a lasting failure shows up there)
            return await self.transcribe(audio)
        if not head.value.text:  # dropped as noise or a hallucination: nothing to build on
            return await self.transcribe(audio)
        if ends_on_digit(head.value.text):
            # The caller paused inside a number ("... 0171." | "234 5678."): Whisper reads a number's groups right only
            # when it hears them together (alone, "234 5678." came out "234,678"), so this pass takes the whole turn.
            return await self.transcribe(audio)
        rest = await self.transcribe(audio[heard.audio_bytes:])
        joined = f"{head.value.text} {rest.value.text}".strip()
        value = dataclasses.replace(rest.value, text=joined, audio_ms=head.value.audio_ms + rest.value.audio_ms, rejected="",
                                    reused_ms=head.value.audio_ms)
        # Both passes' queueing is this turn's: a head that waited behind other work must show in stt_queue_ms.
        return Timed(value, head.queued_ms + rest.queued_ms, rest.run_ms)
