"""One call, transport-agnostic: inbound events in, paced agent audio out, every turn written to the store.

Everything that changes the call's course (audio, DTMF, hang-up, the agent's goodbye, a timeout) is a message on one queue.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from voicebridge.audio.pacer import OutgoingAudio
from voicebridge.call_services import CallServices
from voicebridge.dialogue.receptionist import Receptionist, Reply
from voicebridge.speech.tts import split_sentences
from voicebridge.store.call_store import CallClosed, CallOpened, TurnRecord
from voicebridge.turn.endpointer import Endpointer, NoiseDiscarded, SpeechStarted, UtteranceEnded, VoiceDetector

log = logging.getLogger(__name__)

DRAIN_TIMEOUT_S = 30


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


class CallSession:
    def __init__(self, info: CallInfo, services: CallServices, output: OutgoingAudio) -> None:
        self.info = info
        self._svc = services
        self._out = output
        cfg = services.config
        self.language = cfg.business.language
        self._dialogue = Receptionist(cfg.business.name, self.language)
        self._vad = VoiceDetector(info.sample_rate, cfg.vad.aggressiveness)
        self._endpointer = Endpointer(
            self._vad.rate,
            hangover_ms=cfg.vad.hangover_ms,
            min_speech_ms=cfg.vad.min_speech_ms,
            max_utterance_ms=int(cfg.vad.max_utterance_s * 1000),
        )
        self._events: asyncio.Queue[CallEvent] = asyncio.Queue()
        # None marks the end of the call: the responder stores what is left and stops.
        self._utterances: asyncio.Queue[UtteranceEnded | None] = asyncio.Queue()
        self._seq = 0
        self._started_wall = datetime.now(UTC)
        self._started = time.monotonic()
        self.transcript: list[tuple[str, str]] = []
        self.dtmf: list[str] = []
        self.ended: CallEnded | None = None

    def feed(self, event: CallEvent) -> None:
        """Called by the transport for every inbound message; never blocks."""
        self._events.put_nowait(event)

    def _wall(self, offset_ms: float) -> str:
        return (self._started_wall + timedelta(milliseconds=offset_ms)).isoformat(timespec="milliseconds")

    def _now_ms(self) -> float:
        return (time.monotonic() - self._started) * 1000

    async def run(self) -> CallEnded:
        store = self._svc.store
        await store.submit(
            store.store.open_call,
            CallOpened(self.info.call_id, self.info.transport, self.language, self.info.sample_rate,
                       self.info.caller_number, self.info.called_number, self.info.channel, self._wall(0)),
        )
        log.info("call %s opened (%s, %d Hz)", self.info.call_id, self.info.transport, self.info.sample_rate)
        limit = asyncio.get_running_loop().call_later(
            self._svc.config.server.max_call_duration_s, self.feed, CallEnded("max_duration", "call exceeded server.max_call_duration_s")
        )
        responder = asyncio.create_task(self._respond_loop(), name=f"respond-{self.info.call_id}")
        try:
            self.ended = await self._event_loop(responder)
            await self._drain(responder)
        finally:
            limit.cancel()
            responder.cancel()
            await asyncio.gather(responder, return_exceptions=True)
            ended = self.ended or CallEnded("internal_error", "session ended unexpectedly")
            await store.submit(
                store.store.close_call,
                CallClosed(self.info.call_id, ended.reason, ended.detail, asdict(self._out.stats())),
            )
            log.info("call %s closed: %s %s", self.info.call_id, ended.reason, ended.detail)
        return ended

    async def _drain(self, responder: asyncio.Task[None]) -> None:
        """After the end, still transcribe and store what the caller said (a hang-up mid-sentence included), but say nothing."""
        tail = self._endpointer.flush()
        if isinstance(tail, UtteranceEnded):
            self._utterances.put_nowait(tail)
        self._out.flush()
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
        while True:
            event = await self._events.get()
            if isinstance(event, CallEnded):
                return event
            if isinstance(event, DtmfIn):
                self.dtmf.append(event.digit)
                continue
            for frame, is_speech in self._vad.frames(event.pcm):
                for ev in self._endpointer.process(frame, is_speech):
                    if isinstance(ev, UtteranceEnded):
                        self._utterances.put_nowait(ev)
                    elif isinstance(ev, NoiseDiscarded):
                        log.debug("call %s: %d ms of noise ignored", self.info.call_id, ev.speech_ms)
                    elif isinstance(ev, SpeechStarted):
                        log.debug("call %s: caller speaking at %d ms", self.info.call_id, ev.at_ms)
            if responder.done() and not responder.cancelled() and responder.exception():
                exc = responder.exception()
                log.error("call %s: dialogue failed: %s", self.info.call_id, exc)
                return CallEnded("internal_error", f"dialogue failed: {exc}")

    async def _respond_loop(self) -> None:
        await self._speak(self._dialogue.greeting(), timings={})
        while True:
            utterance = await self._utterances.get()
            if utterance is None:
                return
            heard_at = self._now_ms()
            stt = await self._svc.scheduler.run(
                self._svc.models.stt.transcribe, utterance.audio, self._endpointer.sample_rate, self.language
            )
            text = stt.value.text
            if not text:
                log.info("call %s: utterance dropped (%s)", self.info.call_id, stt.value.rejected or "empty")
                continue
            await self._log_turn(
                "caller", text, utterance.start_ms, utterance.end_ms,
                {"stt_queue_ms": round(stt.queued_ms, 1), "stt_ms": round(stt.run_ms, 1),
                 "endpoint_wait_ms": self._svc.config.vad.hangover_ms, "audio_ms": round(stt.value.audio_ms)},
            )
            self.transcript.append(("caller", text))
            if self.ended is not None:
                continue
            dialogue_started = time.perf_counter()
            reply = self._dialogue.respond(text)
            timings = {"dialogue_ms": round((time.perf_counter() - dialogue_started) * 1000, 1),
                       "stt_ms": round(stt.run_ms, 1)}
            await self._speak(reply, timings, since_ms=heard_at)
            if reply.end_call:
                self.feed(CallEnded("agent_goodbye"))
                return

    async def _speak(self, reply: Reply, timings: dict[str, float], since_ms: float | None = None) -> None:
        """Synthesize sentence by sentence into the pacer; the turn is stored as soon as its audio starts."""
        svc = self._svc
        rate = self.info.sample_rate
        first: asyncio.Future[bool] | None = None
        last: asyncio.Future[bool] | None = None
        tts_total = 0.0
        cached = svc.phrases.get(reply.text, self.language, rate)
        chunks = [reply.text] if cached is not None else split_sentences(reply.text)
        seq = 0
        start_ms = 0.0
        for i, sentence in enumerate(chunks):
            if self.ended is not None:
                break
            if cached is not None:
                pcm = cached
            else:
                job = await svc.scheduler.run(svc.models.tts.synthesize, sentence, self.language, rate)
                tts_total += job.run_ms
                pcm = job.value.pcm
            ahead_ms = self._out.pending_ms
            last = self._out.enqueue(pcm)
            if i == 0:
                first = last
                start_ms = self._now_ms() + ahead_ms
                timings = dict(timings, tts_first_ms=round(tts_total, 1))
                if since_ms is not None:
                    timings["response_ms"] = round(self._now_ms() - since_ms, 1)
                seq = await self._log_turn("agent", reply.text, start_ms, None, timings)
        self.transcript.append(("agent", reply.text))
        if last is None or first is None:
            return
        played = await last
        end_ms = self._now_ms()
        store = svc.store
        await store.submit(store.store.finish_turn, self.info.call_id, seq, self._wall(end_ms), int(end_ms - start_ms), not played)

    async def _log_turn(self, role: str, text: str, start_ms: float, end_ms: float | None, timings: dict[str, float]) -> int:
        self._seq += 1
        seq = self._seq
        duration = int(end_ms - start_ms) if end_ms is not None else 0
        record = TurnRecord(
            self.info.call_id, seq, role, text, self._wall(start_ms),
            self._wall(end_ms) if end_ms is not None else "", int(start_ms), duration, timings,
        )
        store = self._svc.store
        await store.submit(store.store.add_turn, record)
        log.info("call %s turn %d %s", self.info.call_id, seq, role)
        return seq

    async def after_hangup(self) -> None:
        """Write the call note once the line is free; a model failure leaves the transcript intact."""
        caller_text = [text for role, text in self.transcript if role == "caller"]
        if not caller_text:
            return
        lines = "\n".join(f"{'Caller' if role == 'caller' else 'Agent'}: {text}" for role, text in self.transcript)
        try:
            job = await self._svc.scheduler.run(self._svc.models.notes.extract, lines, self.language)
        except Exception as exc:  # the note is a bonus; the call record is already complete
            log.error("call %s: call note extraction failed: %s", self.info.call_id, exc)
            return
        store = self._svc.store
        await store.submit(store.store.set_note, self.info.call_id, job.value.to_json())

