"""One call from open to close: the call row, the inbound event queue, the responder alongside, and the drain at the end.

Everything that changes the call's course (audio, DTMF, hang-up, the agent's goodbye, a timeout) is a message on one queue.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sqlite3
from collections import deque
from dataclasses import asdict

from voicebridge.audio.pacer import OutgoingAudio
from voicebridge.call_services import CallServices
from voicebridge.call_session.context import CallContext
from voicebridge.call_session.events import CallEnded, CallEvent, CallInfo, DtmfIn
from voicebridge.call_session.input_guard import InputGuard
from voicebridge.call_session.responder import Responder
from voicebridge.call_session.turn_log import TurnLog
from voicebridge.call_session.turn_taking import ResponderInput, TurnTaker
from voicebridge.dialogue.receptionist import Reply
from voicebridge.privacy.recordings import open_recording
from voicebridge.store.call_store import CallClosed, CallOpened

log = logging.getLogger(__name__)

DRAIN_TIMEOUT_S = 30
SILENCE_CHECK_S = 1.0
GOODBYE_GRACE_S = 15.0  # the polite goodbye to a silent caller gets this long to be said before the call is ended anyway
NO_SPEECH = {
    "de": "Ich höre Sie leider nicht. Bitte rufen Sie noch einmal an. Auf Wiederhören.",
    "en": "I am sorry, I cannot hear you. Please call again. Goodbye.",
}
DUPLICATE_CHECK_S = 1.0  # an unanswered check lets the call go on: a stored call is never written over either way


class CallSession:
    def __init__(self, info: CallInfo, services: CallServices, output: OutgoingAudio) -> None:
        self._ctx = CallContext(info, services, output)
        self._events: asyncio.Queue[CallEvent] = asyncio.Queue()
        self._utterances: asyncio.Queue[ResponderInput] = asyncio.Queue()
        self._turn_taking = TurnTaker(self._ctx, self._utterances)
        self._turns = TurnLog(self._ctx)
        self._responder = Responder(self._ctx, self._utterances, self._turn_taking.drafter, self._turns, self.feed)
        self._refused = False  # refused before it began: no row, no note
        server = services.config.server
        self._guard = InputGuard(info.sample_rate, server.max_audio_burst_ms, server.max_dtmf_burst)
        self._flooded = False

    @property
    def info(self) -> CallInfo:
        return self._ctx.info

    @property
    def ended(self) -> CallEnded | None:
        return self._ctx.ended

    @property
    def barge_ins(self) -> int:
        return self._turn_taking.barge_ins

    @property
    def transcript(self) -> deque[tuple[str, str]]:
        return self._turns.transcript

    @property
    def accepting(self) -> bool:
        """False once the peer flooded: its reader should stop reading, the call is ending."""
        return not self._flooded

    def feed(self, event: CallEvent) -> None:
        """Called by the transport for every inbound message; never blocks. A peer that floods (audio faster than real
        time, keys faster than a person types) has what it queued dropped and its call ended."""
        if self._flooded:
            return
        end = self._guard.check(event)
        if end is not None:
            self._flooded = True
            log.warning("call %s: %s: %s", self.info.call_id, end.reason, end.detail)
            while not self._events.empty():  # the flood's backlog goes at once: memory returns to what a call needs
                self._events.get_nowait()
            event = end
        self._events.put_nowait(event)

    async def _watch_silence(self) -> None:
        """A caller who says nothing for server.no_speech_timeout_s (only silence, or empty frames) is told goodbye."""
        ctx = self._ctx
        limit_ms = ctx.svc.config.server.no_speech_timeout_s * 1000
        while ctx.ended is None:
            await asyncio.sleep(SILENCE_CHECK_S)
            if ctx.out.speaking or self._turn_taking.endpointer.in_speech:
                self._turn_taking.last_voice_ms = ctx.now_ms()
            if ctx.now_ms() - self._turn_taking.last_voice_ms < limit_ms:
                continue
            log.info("call %s: no caller speech for %.0f s; saying goodbye", self.info.call_id, limit_ms / 1000)
            ctx.goodbye_reason = CallEnded("no_speech", "no caller speech for server.no_speech_timeout_s")
            self._utterances.put_nowait(Reply(NO_SPEECH[ctx.language], end_call=True))
            await asyncio.sleep(GOODBYE_GRACE_S)
            self.feed(ctx.goodbye_reason)
            return

    async def _learn_from_pbx(self) -> None:
        """AudioSocket carries only a UUID: the caller's number, the DID (hence the tenant) and the channel come over AMI."""
        ctx = self._ctx
        ami = ctx.svc.ami
        if ami is None or ctx.info.called_number is not None:
            return
        # Asterisk sets VB_UUID before AudioSocket() connects, so the events are normally here already;
        # with the AMI down the call goes on at once rather than waiting for it.
        found = await ami.wait_call_info(ctx.info.call_id, ctx.svc.config.ami.lookup_timeout_s if ami.connected else 0)
        if found is None:
            log.info("call %s: no AMI events for this UUID (is VB_UUID set in the dialplan?)", ctx.info.call_id)
            return
        ctx.info = dataclasses.replace(ctx.info, caller_number=found.caller_number, called_number=found.called_number, channel=found.channel)
        ctx.choose_tenant()

    async def _reused_id(self) -> bool:
        """A peer that reconnects with the id of a stored call is refused: its writes would land on the old call."""
        store = self._ctx.svc.store.store
        try:
            return await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(None, store.has_call, self.info.call_id),
                                          DUPLICATE_CHECK_S)
        except (TimeoutError, sqlite3.Error) as exc:
            log.warning("call %s: could not check the call id against the store (%s); taking it as new", self.info.call_id, exc)
            return False

    async def run(self) -> CallEnded:
        ctx = self._ctx
        store = ctx.svc.store
        if await self._reused_id():
            log.warning("call %s refused: a call with this id is already stored (a peer reusing a UUID)", self.info.call_id)
            ctx.ended = CallEnded("duplicate_call_id", "a call with this id is already stored")
            self._refused = True
            return ctx.ended
        await self._learn_from_pbx()
        info = ctx.info
        ctx.recording = open_recording(ctx.svc.recordings, ctx.svc.config, ctx.tenant.id, info.call_id, info.sample_rate)
        store.write(
            store.store.open_call,
            CallOpened(info.call_id, info.transport, ctx.language, info.sample_rate,
                       info.caller_number, info.called_number, info.channel, ctx.wall(0),
                       tenant=ctx.tenant.id, recording=ctx.recording.state),
        )
        log.info("call %s opened (%s, %d Hz)", info.call_id, info.transport, info.sample_rate)
        limit = asyncio.get_running_loop().call_later(
            ctx.svc.config.server.max_call_duration_s, self.feed, CallEnded("max_duration", "call exceeded server.max_call_duration_s")
        )
        responder = asyncio.create_task(self._responder.run(), name=f"respond-{info.call_id}")
        watcher = asyncio.create_task(self._watch_silence(), name=f"silence-{info.call_id}")
        try:
            ctx.ended = await self._event_loop(responder)
            await self._drain(responder)
            if ctx.transferred is not None:
                ctx.ended = ctx.transferred
        finally:
            ctx.recording.close()
            limit.cancel()
            responder.cancel()
            watcher.cancel()
            await asyncio.gather(responder, watcher, return_exceptions=True)
            ended = ctx.ended or CallEnded("internal_error", "session ended unexpectedly")
            store.write(
                store.store.close_call,
                CallClosed(info.call_id, ended.reason, ended.detail, asdict(ctx.out.stats())),
            )
            log.info("call %s closed: %s %s", info.call_id, ended.reason, ended.detail)
        return ended

    async def _drain(self, responder: asyncio.Task[None]) -> None:
        """After the end, still transcribe and store what the caller said (a hang-up mid-sentence included), but say nothing."""
        self._turn_taking.flush()
        self._ctx.out.flush()
        self._utterances.put_nowait(None)
        if responder.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(responder), DRAIN_TIMEOUT_S)
        except TimeoutError:
            log.warning("call %s: gave up transcribing the last words after %d s", self.info.call_id, DRAIN_TIMEOUT_S)
        except Exception as exc:  # logged; the call row is still closed by run()
            log.error("call %s: dialogue failed while ending: %s", self.info.call_id, exc)

    async def _event_loop(self, responder: asyncio.Task[None]) -> CallEnded:
        ctx = self._ctx
        while True:
            event = await self._events.get()
            if isinstance(event, CallEnded):
                return event
            if isinstance(event, DtmfIn):
                await self._key(event.digit)
                continue
            ctx.recording.audio(event.pcm)
            for key in self._turn_taking.audio(event.pcm):  # keys sent as tones in the audio count as key presses
                log.info("call %s: in-band key tone", self.info.call_id)
                await self._key(key)
            if responder.done() and not responder.cancelled() and responder.exception():
                exc = responder.exception()
                log.error("call %s: dialogue failed: %s", self.info.call_id, exc)
                return CallEnded("internal_error", f"dialogue failed: {exc}")

    async def _key(self, digit: str) -> None:
        ctx = self._ctx
        if digit == ctx.recording.refuse_digit and not ctx.dialogue.typing_number:
            await ctx.refuse_recording()
            return
        keyed = ctx.dialogue.dtmf(digit)  # a typed call-back number, or '0' for a person
        if keyed is not None:
            self._utterances.put_nowait(keyed)

    async def after_hangup(self) -> None:
        """Store the policy's call note (also for a caller who hung up mid-way: `missing` says what is not there) and send it."""
        if not self._refused:
            await self._responder.send_note()
