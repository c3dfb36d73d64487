"""One call, transport-agnostic: inbound events in, paced agent audio out, every turn written to the store.

Everything that changes the call's course (audio, DTMF, hang-up, the agent's goodbye, a timeout) is a message on one queue.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from voicebridge.audio.pacer import OutgoingAudio
from voicebridge.call_services import CallServices
from voicebridge.dialogue.call_note import CallNote
from voicebridge.dialogue.note_extractor import UtteranceHints
from voicebridge.dialogue.policy import ConversationPolicy, ModelRequest
from voicebridge.dialogue.receptionist import Receptionist, Reply
from voicebridge.errors import ModelError
from voicebridge.models.scheduler import BACKGROUND, LIVE, LLM, Timed
from voicebridge.pbx.ami_client import TransferResult
from voicebridge.privacy.recordings import CallRecording, open_recording
from voicebridge.speech.stt import Transcript
from voicebridge.speech.tts import speech_chunks
from voicebridge.store.call_store import CallClosed, CallOpened, TurnRecord
from voicebridge.turn.barge_in import BargeInDetector, EchoGate, Verdict
from voicebridge.turn.endpointer import Endpointer, NoiseDiscarded, SpeechStarted, UtteranceEnded, VoiceDetector

log = logging.getLogger(__name__)

DRAIN_TIMEOUT_S = 30
HINT_MAX_WAIT_MS = 300  # a blocking LLM hint (~0.5 s) that cannot start this soon is skipped: the caller is not kept waiting
TRANSFER_FAILED = {
    "de": "Ich kann Sie gerade leider nicht verbinden. Ich nehme Ihr Anliegen auf, und wir rufen Sie zurück.",
    "en": "I am sorry, I cannot put you through right now. I will take your message and we will call you back.",
}


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


class CallSession:
    def __init__(self, info: CallInfo, services: CallServices, output: OutgoingAudio) -> None:
        self.info = info
        self._svc = services
        self._out = output
        cfg = services.config
        self._choose_tenant()
        self._recording = CallRecording.off()
        self._vad = VoiceDetector(info.sample_rate, cfg.vad.aggressiveness)
        self._endpointer = Endpointer(
            self._vad.rate,
            hangover_ms=cfg.vad.hangover_ms,
            min_speech_ms=cfg.vad.min_speech_ms,
            max_utterance_ms=int(cfg.vad.max_utterance_s * 1000),
        )
        bcfg = cfg.barge_in
        self._barge_in = BargeInDetector(bcfg.pause_ms, bcfg.confirm_ms, bcfg.resume_ms) if bcfg.enabled else None
        self._echo = EchoGate(bcfg.echo_margin_db)
        output.on_sent = self._echo.sent
        self._backchannel = False  # the current utterance was a "mhm" over the agent: not a turn
        self._speculation: tuple[int, asyncio.Task[Draft]] | None = None
        self._utterance_no = 0
        self._heard: _Heard | None = None  # the latest transcription of the current utterance, kept when the caller goes on
        self.barge_ins = 0
        self._events: asyncio.Queue[CallEvent] = asyncio.Queue()
        # None marks the end of the call: the responder stores what is left and stops.
        self._utterances: asyncio.Queue[Utterance | Reply | None] = asyncio.Queue()  # a Reply: to keys the caller pressed
        self._hint_tasks: set[asyncio.Task[None]] = set()
        self._seq = 0
        self._started_wall = datetime.now(UTC)
        self._started = time.monotonic()
        self.transcript: list[tuple[str, str]] = []
        self.dtmf: list[str] = []
        self.ended: CallEnded | None = None
        self._transferred: CallEnded | None = None

    def feed(self, event: CallEvent) -> None:
        """Called by the transport for every inbound message; never blocks."""
        self._events.put_nowait(event)

    def _wall(self, offset_ms: float) -> str:
        return (self._started_wall + timedelta(milliseconds=offset_ms)).isoformat(timespec="milliseconds")

    def _now_ms(self) -> float:
        return (time.monotonic() - self._started) * 1000

    def _choose_tenant(self) -> None:
        cfg = self._svc.config
        # Data protection: the dialled number picks the tenant (business); recording only with consent (privacy/recordings.py).
        self.tenant = cfg.tenant_for(self.info.called_number)
        self.language = self.tenant.language
        recording = cfg.privacy.record_audio and self._svc.recordings is not None
        self._dialogue = Receptionist(self.tenant.name, self.language, welcome=self.tenant.greeting, recording=recording,
                                      refuse_digit=cfg.privacy.refuse_recording_digit, profile=self.tenant.profile,
                                      caller_number=self.info.caller_number)

    async def _learn_from_pbx(self) -> None:
        """AudioSocket carries only a UUID: the caller's number, the DID (hence the tenant) and the channel come over AMI."""
        ami = self._svc.ami
        if ami is None or self.info.called_number is not None:
            return
        # Asterisk sets VB_UUID before AudioSocket() connects, so the events are normally here already;
        # with the AMI down the call goes on at once rather than waiting for it.
        found = await ami.wait_call_info(self.info.call_id, self._svc.config.ami.lookup_timeout_s if ami.connected else 0)
        if found is None:
            log.info("call %s: no AMI events for this UUID (is VB_UUID set in the dialplan?)", self.info.call_id)
            return
        self.info = dataclasses.replace(self.info, caller_number=found.caller_number, called_number=found.called_number, channel=found.channel)
        self._choose_tenant()

    async def run(self) -> CallEnded:
        store = self._svc.store
        await self._learn_from_pbx()
        self._recording = open_recording(self._svc.recordings, self._svc.config, self.tenant.id, self.info.call_id, self.info.sample_rate)
        await store.submit(
            store.store.open_call,
            CallOpened(self.info.call_id, self.info.transport, self.language, self.info.sample_rate,
                       self.info.caller_number, self.info.called_number, self.info.channel, self._wall(0),
                       tenant=self.tenant.id, recording=self._recording.state),
        )
        log.info("call %s opened (%s, %d Hz)", self.info.call_id, self.info.transport, self.info.sample_rate)
        limit = asyncio.get_running_loop().call_later(
            self._svc.config.server.max_call_duration_s, self.feed, CallEnded("max_duration", "call exceeded server.max_call_duration_s")
        )
        responder = asyncio.create_task(self._respond_loop(), name=f"respond-{self.info.call_id}")
        try:
            self.ended = await self._event_loop(responder)
            await self._drain(responder)
            if self._transferred is not None:
                self.ended = self._transferred
        finally:
            self._recording.close()
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
            self._utterances.put_nowait(Utterance(tail))
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
                if event.digit == self._recording.refuse_digit and not self._dialogue.typing_number:
                    await self._refuse_recording()
                    continue
                keyed = self._dialogue.dtmf(event.digit)  # a typed call-back number, or '0' for a person
                if keyed is not None:
                    self._utterances.put_nowait(keyed)
                continue
            self._recording.audio(event.pcm)
            for frame, is_speech in self._vad.frames(event.pcm):
                self._on_frame(frame, is_speech)
            if responder.done() and not responder.cancelled() and responder.exception():
                exc = responder.exception()
                log.error("call %s: dialogue failed: %s", self.info.call_id, exc)
                return CallEnded("internal_error", f"dialogue failed: {exc}")

    def _on_frame(self, frame: bytes, is_speech: bool) -> None:
        agent_speaking = self._out.speaking
        if is_speech and not self._echo.is_caller(frame):
            is_speech = False  # our own voice echoed back by the line or the handset, also just after we stopped
        if self._barge_in is not None:
            self._act_on(self._barge_in.process(agent_speaking, is_speech))
        for ev in self._endpointer.process(frame, is_speech):
            if isinstance(ev, SpeechStarted):
                self._backchannel = False
                self._utterance_no += 1
                log.debug("call %s: caller speaking at %d ms", self.info.call_id, ev.at_ms)
            elif isinstance(ev, UtteranceEnded):
                self._finish_utterance(ev)
            elif isinstance(ev, NoiseDiscarded):
                self._drop_speculation()
                log.debug("call %s: %d ms of noise ignored", self.info.call_id, ev.speech_ms)
        if self._speculation is not None and self._speculation[0] != self._endpointer.speech_frames:
            self._drop_speculation()  # the caller went on: free the model queue for calls that are waiting
        self._maybe_speculate()

    def _drop_speculation(self) -> None:
        if self._speculation is not None:
            self._speculation[1].cancel()
            self._speculation = None
            log.debug("call %s: draft discarded, the caller went on", self.info.call_id)

    def _act_on(self, verdict: Verdict) -> None:
        if verdict is Verdict.PAUSE:
            self._out.paused = True
        elif verdict is Verdict.RESUME:
            self._out.paused = False
            self._backchannel = True  # the words that paused us were a "mhm": no turn of their own
        elif verdict is Verdict.INTERRUPT:
            self.barge_ins += 1
            self._out.flush()
            self._out.paused = False
            log.info("call %s: caller barged in", self.info.call_id)

    def _finish_utterance(self, ev: UtteranceEnded) -> None:
        spec = self._speculation
        self._speculation = None
        if self._backchannel:
            self._backchannel = False
            log.debug("call %s: backchannel over the agent ignored", self.info.call_id)
            return
        # The speculative transcript is good if no voiced frame came after it was started.
        task = spec[1] if spec is not None and spec[0] == self._endpointer.speech_frames else None
        self._utterances.put_nowait(Utterance(ev, task))

    def _maybe_speculate(self) -> None:
        pause = self._svc.config.vad.speculative_pause_ms
        ep = self._endpointer
        if not pause or not ep.in_speech or ep.silence_ms < pause or self._backchannel:
            return
        version = ep.speech_frames
        if self._speculation is not None and self._speculation[0] == version:
            return
        self._drop_speculation()
        task = asyncio.create_task(self._draft(ep.snapshot()))
        # A speculation overtaken by more speech is never awaited; retrieve its outcome so nothing warns.
        task.add_done_callback(lambda t: None if t.cancelled() else t.exception())
        self._speculation = (version, task)

    async def _draft(self, audio: bytes) -> Draft:
        """Transcribe what was said up to the pause and work out the reply on a fork of the dialogue, first audio included,
        so that when the hangover confirms the end of the turn the reply can start at once."""
        # Shielded: if the caller goes on, the draft is dropped but its transcription carries on, to be reused.
        stt = await asyncio.shield(self._transcribe_so_far(audio))
        text = stt.value.text
        if not text:
            return Draft(stt)
        base = self._dialogue.revision
        dialogue = self._dialogue.fork()
        started = time.perf_counter()
        request = dialogue.model_request(text)
        if request is not None and request.blocking:
            # The reply waits for the LLM (~0.5 s, not interruptible): not worth risking on a pause that may not be the end.
            return Draft(stt)
        reply = dialogue.respond(text)
        dialogue_ms = (time.perf_counter() - started) * 1000
        first, tts_ms = None, 0.0
        rate = self.info.sample_rate
        if self._svc.phrases.get(reply.text, self.language, rate) is None:
            job = await self._svc.scheduler.run(self._svc.models.tts.synthesize, speech_chunks(reply.text)[0], self.language, rate)
            first, tts_ms = job.value.pcm, job.run_ms
        return Draft(stt, base, dialogue, request, reply, dialogue_ms, first, tts_ms)

    def _endpoint_wait_ms(self, speculative: bool) -> int:
        """How long after the caller's last word transcription began: the short pause if we speculated, else the hangover."""
        vad = self._svc.config.vad
        return vad.speculative_pause_ms if speculative else vad.hangover_ms

    async def _transcribe(self, audio: bytes) -> Timed[Transcript]:
        return await self._svc.scheduler.run(self._svc.models.stt.transcribe, audio, self._endpointer.sample_rate, self.language)

    def _transcribe_so_far(self, audio: bytes) -> asyncio.Task[Timed[Transcript]]:
        """Transcribe the current utterance up to now. With incremental_stt, what an earlier pause of the same utterance
        already transcribed is reused and only the audio after it is new work, so little is left when the caller stops."""
        heard = self._heard
        if not self._svc.config.vad.incremental_stt or heard is None or heard.utterance != self._utterance_no:
            heard = None
        elif heard.audio_bytes >= len(audio):
            return heard.task
        task = asyncio.create_task(self._transcribe_after(audio, heard))
        task.add_done_callback(lambda t: None if t.cancelled() else t.exception())
        self._heard = _Heard(self._utterance_no, len(audio), task)
        return task

    async def _transcribe_after(self, audio: bytes, heard: _Heard | None) -> Timed[Transcript]:
        if heard is None:
            return await self._transcribe(audio)
        try:
            head = await heard.task
        except Exception:  # that pass failed: transcribe from the beginning (a lasting failure shows up there)
            return await self._transcribe(audio)
        if not head.value.text:  # dropped as noise or a hallucination: nothing to build on
            return await self._transcribe(audio)
        rest = await self._transcribe(audio[heard.audio_bytes:])
        joined = f"{head.value.text} {rest.value.text}".strip()
        value = dataclasses.replace(rest.value, text=joined, audio_ms=head.value.audio_ms + rest.value.audio_ms, rejected="",
                                    reused_ms=head.value.audio_ms)
        # Both passes' queueing is this turn's: a head that waited behind other work must show in stt_queue_ms.
        return Timed(value, head.queued_ms + rest.queued_ms, rest.run_ms)

    async def _respond_loop(self) -> None:
        await self._speak(self._dialogue.greeting(), timings={})
        while True:
            utterance = await self._utterances.get()
            if utterance is None:
                return
            if isinstance(utterance, Reply):
                if self.ended is None and await self._deliver(utterance, {}, None):
                    return
                continue
            heard_at = self._now_ms()
            speculative = utterance.speculative is not None
            try:
                if utterance.speculative is not None:
                    draft = await utterance.speculative
                else:
                    draft = Draft(await self._transcribe(utterance.audio.audio))
            except ModelError as exc:
                # The worker already retried; the caller is asked to say it again (a cached phrase: no model needed)
                # rather than being hung up on.
                log.error("call %s: the caller's words could not be transcribed (%s); asking again", self.info.call_id, exc)
                if self.ended is None and await self._deliver(Reply(self._dialogue.phrase("not_understood")), {}, None):
                    return
                continue
            stt = draft.stt
            stt_wait_ms = self._now_ms() - heard_at  # the caller's silence spent on transcription, queueing included
            text = stt.value.text
            if not text:
                log.info("call %s: utterance dropped (%s)", self.info.call_id, stt.value.rejected or "empty")
                continue
            ended = utterance.audio
            await self._log_turn(
                "caller", text, ended.start_ms, ended.end_ms,
                {"stt_queue_ms": round(stt.queued_ms, 1), "stt_ms": round(stt.run_ms, 1), "stt_wait_ms": round(stt_wait_ms, 1),
                 "endpoint_wait_ms": self._endpoint_wait_ms(speculative), "audio_ms": round(stt.value.audio_ms),
                 "stt_reused_ms": round(stt.value.reused_ms),
                 "speculative": float(speculative)},
            )
            self.transcript.append(("caller", text))
            if self.ended is not None:
                continue
            adopted = draft.usable_on(self._dialogue)
            drafted = adopted is not None
            if adopted is not None:
                self._dialogue, reply = adopted  # nothing changed the dialogue since the fork: the drafted reply stands
                request, dialogue_ms = draft.request, draft.dialogue_ms
                first = (draft.first_audio, draft.tts_first_ms) if draft.first_audio is not None else None
            else:
                dialogue_started = time.perf_counter()
                request = self._dialogue.model_request(text)
                hints = await self._model_hints(request) if request is not None and request.blocking else None
                reply = self._dialogue.respond(text, hints)
                dialogue_ms = (time.perf_counter() - dialogue_started) * 1000
                first = None
            if request is not None and not request.blocking:
                # The emergency check needs no answer before we speak: it runs while the reply plays.
                task = asyncio.create_task(self._late_hints(request))
                self._hint_tasks.add(task)
                task.add_done_callback(self._hint_tasks.discard)
            self._dispatch_emergency()
            if reply.refuse_recording:
                await self._refuse_recording()
            # drafted: the dialogue and first audio were computed during the hangover, off the caller's wait
            timings = {"dialogue_ms": round(dialogue_ms, 1), "stt_ms": round(stt.run_ms, 1), "drafted": float(drafted)}
            if await self._deliver(reply, timings, heard_at, first):
                return

    async def _deliver(self, reply: Reply, timings: dict[str, float], since_ms: float | None,
                       first: tuple[bytes, float] | None = None) -> bool:
        """Say a reply and act on it; True when the call has left us (goodbye or transfer)."""
        completed = await self._speak(reply, timings, since_ms=since_ms, first=first)
        if reply.transfer_to and completed and await self._transfer(reply.transfer_to):
            return True
        if reply.end_call and completed:
            await self._tell_pbx_goodbye()
            self.feed(CallEnded("agent_goodbye"))
            return True
        return False

    async def _tell_pbx_goodbye(self) -> None:
        """AudioSocket() returns alike after our goodbye, a crash, a stop or a refusal, so the shipped dialplan sends every
        call to its fallback unless VB_END=goodbye was set on the channel (over AMI, before our hang-up message)."""
        ami = self._svc.ami
        if ami is None or not self.info.channel:
            return
        result = await ami.set_variable(self.info.channel, "VB_END", "goodbye")
        if not result.ok:
            log.warning("call %s: could not tell the dialplan about the goodbye (%s); the caller reaches its fallback", self.info.call_id, result.message)

    async def _model_hints(self, request: ModelRequest, priority: int = LIVE) -> UtteranceHints | None:
        """The LLM's reading of one utterance (about 0.6 s with the bundled model); None if the model has no hints or fails."""
        hints = getattr(self._svc.models.notes, "hints", None)
        if hints is None:
            return None
        try:
            # A caller waits on a LIVE hint: if the LLM lane is busy (a note generating), the parsers' reading stands.
            wait = HINT_MAX_WAIT_MS if priority == LIVE else None
            job = await self._svc.scheduler.run(hints, request.text, self.language, request.candidates, priority=priority,
                                                lane=LLM, max_wait_ms=wait)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the parsers' result stands
            log.warning("call %s: utterance extraction failed: %s", self.info.call_id, exc)
            return None
        result: UtteranceHints = job.value
        return result

    async def _late_hints(self, request: ModelRequest) -> None:
        hints = await self._model_hints(request, BACKGROUND)  # after the reply's speech synthesis
        if hints is not None:
            self._dialogue.apply_hints(hints)
            self._dispatch_emergency()

    def _current_note(self) -> CallNote:
        return self._dialogue.note(self.info.call_id, tenant=self.tenant.id, started_at=self._wall(0), caller_number=self.info.caller_number)

    def _dispatch_emergency(self) -> None:
        """An emergency is sent at once, flagged, while the call goes on; the final note follows after the call."""
        if not self._dialogue.take_emergency():
            return
        log.warning("call %s: emergency reported; the note is sent now", self.info.call_id)
        notifier = getattr(self._svc, "notifier", None)
        if notifier is not None:
            notifier.dispatch(self._current_note(), "emergency")

    async def _transfer(self, target: str) -> bool:
        """Hand the caller to a person: Redirect the caller's channel over AMI into the transfer context, whose dialplan
        dials the target and falls back to voicemail. Without AMI (or a known channel) there is no safe way to move the
        call, so the caller stays with us and leaves a message: a transfer never drops anyone. Each attempt and its
        outcome is stored as an event turn. True when the call has left us."""
        pbx = self._svc.config.pbx
        ami = self._svc.ami
        started = time.perf_counter()
        if ami is None or not self.info.channel:
            result = TransferResult(False, "no AMI connection or channel for this call")
        else:
            result = await ami.redirect(self.info.channel, pbx.transfer_context, target)
        took = {"transfer_ms": round((time.perf_counter() - started) * 1000, 1)}
        outcome = "ok" if result.ok else f"failed: {result.message}"
        await self._log_turn("event", f"transfer to {target}: {outcome}", self._now_ms(), self._now_ms(), took)
        if result.ok:
            # Asterisk closes our socket as the Redirect takes effect, often before its answer reaches us: that close
            # is this transfer, not the caller hanging up (run() prefers this end).
            self._transferred = CallEnded("transferred", f"{target} via AMI Redirect")
            self.feed(self._transferred)
            return True
        log.warning("call %s: transfer to %s failed: %s", self.info.call_id, target, result.message)
        await self._speak(Reply(TRANSFER_FAILED[self.language]), {})
        return False

    async def _speak(self, reply: Reply, timings: dict[str, float], since_ms: float | None = None,
                     first: tuple[bytes, float] | None = None) -> bool:
        """Synthesize sentence by sentence into the pacer; the turn is stored when its audio starts and corrected
        to what was really said if the caller barges in. Returns True if it was heard to the end.
        `first`: the first clause's audio and its synthesis time, when a draft made it ahead."""
        svc = self._svc
        rate = self.info.sample_rate
        cached = svc.phrases.get(reply.text, self.language, rate)
        chunks = [reply.text] if cached is not None else speech_chunks(reply.text)
        spans: list[tuple[str, int, int]] = []  # sentence, first byte, end byte in the pacer's stream
        last: asyncio.Future[bool] | None = None
        tts_total = 0.0
        seq = 0
        start_ms = 0.0
        for sentence in chunks:
            if self.ended is not None or (last is not None and last.done() and not last.result()):
                break  # hung up, or interrupted while the next sentence was being synthesized
            if cached is not None:
                pcm = cached
            elif first is not None and not spans:
                pcm, tts_ms = first
                tts_total += tts_ms
            else:
                job = await svc.scheduler.run(svc.models.tts.synthesize, sentence, self.language, rate)
                tts_total += job.run_ms
                pcm = job.value.pcm
                if self.ended is not None:
                    break  # hung up while this sentence was synthesized: the pacer is gone, its audio would never play
            ahead_ms = self._out.pending_ms
            begin = self._out.queued_bytes
            last = self._out.enqueue(pcm)
            spans.append((sentence, begin, self._out.queued_bytes))
            if len(spans) == 1:
                start_ms = self._now_ms() + ahead_ms
                timings = dict(timings, tts_first_ms=round(tts_total, 1))
                if since_ms is not None:
                    timings["response_ms"] = round(self._now_ms() - since_ms, 1)
                seq = await self._log_turn("agent", reply.text, start_ms, None, timings)
        if last is None:
            return False
        played = await last
        end_ms = self._now_ms()
        said = reply.text if played else _spoken_part(spans, self._out.played_bytes)
        self.transcript.append(("agent", said))
        store = svc.store
        await store.submit(store.store.finish_turn, self.info.call_id, seq, self._wall(end_ms), int(end_ms - start_ms), not played, said)
        return played

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
        if self._svc.config.privacy.log_content:  # off by default: transcript text reaches the log only when asked for
            log.debug("call %s turn %d %s said: %s", self.info.call_id, seq, role, text)
        return seq

    async def _refuse_recording(self) -> None:
        """The caller does not want to be recorded: the file is deleted at once and the refusal is kept with the call."""
        if self._recording.refuse():
            log.info("call %s: the caller refused the recording; it was deleted", self.info.call_id)
            await self._svc.store.submit(self._svc.store.store.set_recording, self.info.call_id, "refused")

    async def after_hangup(self) -> None:
        """Store the policy's call note (also for a caller who hung up mid-way: `missing` says what is not there) and send it."""
        if self._hint_tasks:  # a late emergency check still running: let it land in the note
            await asyncio.wait(set(self._hint_tasks), timeout=10)
        note = self._current_note()
        store = self._svc.store
        try:
            await store.submit(store.store.set_note, self.info.call_id, note.to_json())
        except asyncio.CancelledError:
            log.info("call %s: no call note, the daemon is stopping", self.info.call_id)
            return
        notifier = getattr(self._svc, "notifier", None)
        if notifier is not None:
            notifier.dispatch(note)


def _spoken_part(spans: list[tuple[str, int, int]], played: int) -> str:
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
