"""The agent's side of the conversation: each finished utterance stored, answered (the drafted reply when it still
stands), acted on (goodbye, transfer, emergency), and the call note sent after the call."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from voicebridge.call_session.context import CallContext
from voicebridge.call_session.drafts import Draft, Drafter
from voicebridge.call_session.events import CallEnded
from voicebridge.call_session.note_draft import NoteDrafter
from voicebridge.call_session.speaker import Speaker
from voicebridge.call_session.turn_log import TurnLog
from voicebridge.call_session.turn_taking import ResponderInput
from voicebridge.dialogue.call_note import CallNote
from voicebridge.dialogue.note_extractor import UtteranceHints
from voicebridge.dialogue.policy import ModelRequest
from voicebridge.dialogue.receptionist import Reply
from voicebridge.errors import ModelError, StoreError
from voicebridge.models.scheduler import BACKGROUND, LIVE, LLM, QueueTimeout
from voicebridge.pbx.ami_client import TransferResult
from voicebridge.post_call_note import post_call_note

log = logging.getLogger(__name__)

CallEndSink = Callable[[CallEnded], None]  # ends the call: the session's feed

HINT_MAX_WAIT_MS = 300  # a blocking LLM hint (~0.5 s) that cannot start this soon is skipped: the caller is not kept waiting
# ...and one that started is waited for this long at most. In the 2-hour soak a started hint once ran 10 s (the LLM
# process at the lowest CPU priority behind 8 calls' speech): past this the parsers' reading stands, the hint runs out unheard.
HINT_MAX_RUN_MS = 1500
HINT_CAP_MS = HINT_MAX_WAIT_MS + HINT_MAX_RUN_MS  # the longest a caller waits on a hint, queued and running
TRANSFER_FAILED = {
    "de": "Ich kann Sie gerade leider nicht verbinden. Ich nehme Ihr Anliegen auf, und wir rufen Sie zurück.",
    "en": "I am sorry, I cannot put you through right now. I will take your message and we will call you back.",
}


class Responder:
    def __init__(self, ctx: CallContext, utterances: asyncio.Queue[ResponderInput], drafter: Drafter,
                 turns: TurnLog, end: CallEndSink) -> None:
        self._ctx = ctx
        self._utterances = utterances
        self._drafter = drafter
        self._turns = turns
        self._speaker = Speaker(ctx, turns)
        self._end = end
        self._hint_tasks: set[asyncio.Task[None]] = set()
        self._note_draft = NoteDrafter(ctx.svc, ctx.info.call_id, ctx.language)

    async def run(self) -> None:
        ctx = self._ctx
        await self._speaker.speak(ctx.dialogue.greeting(), timings={})
        while True:
            utterance = await self._utterances.get()
            if utterance is None:
                return
            if isinstance(utterance, Reply):
                if ctx.ended is None and await self._deliver(utterance, {}, None):
                    return
                continue
            heard_at = ctx.now_ms()
            speculative = utterance.speculative is not None
            try:
                if utterance.speculative is not None:
                    draft = await utterance.speculative
                else:
                    draft = Draft(await self._drafter.transcribe(utterance.audio.audio))
            except ModelError as exc:
                # The worker already retried; the caller is asked to say it again (a cached phrase: no model needed)
                # rather than being hung up on.
                log.error("call %s: the caller's words could not be transcribed (%s); asking again", ctx.info.call_id, exc)
                if ctx.ended is None and await self._deliver(Reply(ctx.dialogue.phrase("not_understood")), {}, None):
                    return
                continue
            stt = draft.stt
            stt_wait_ms = ctx.now_ms() - heard_at  # the caller's silence spent on transcription, queueing included
            text = stt.value.text
            if not text:
                log.info("call %s: utterance dropped (%s)", ctx.info.call_id, stt.value.rejected or "empty")
                continue
            ended = utterance.audio
            await self._turns.add(
                "caller", text, ended.start_ms, ended.end_ms,
                {"stt_queue_ms": round(stt.queued_ms, 1), "stt_ms": round(stt.run_ms, 1), "stt_wait_ms": round(stt_wait_ms, 1),
                 "endpoint_wait_ms": self._endpoint_wait_ms(speculative), "audio_ms": round(stt.value.audio_ms),
                 "stt_reused_ms": round(stt.value.reused_ms), "hangover_ms": ended.hangover_ms,
                 "speculative": float(speculative)},
            )
            self._turns.caller_heard(text)
            if ctx.ended is not None:
                continue
            if await self._answer(text, draft, heard_at):
                return

    async def _answer(self, text: str, draft: Draft, heard_at: float) -> bool:
        """Reply to one caller turn; True when the call has left us."""
        ctx = self._ctx
        adopted = draft.usable_on(ctx.dialogue)
        drafted = adopted is not None
        if adopted is not None:
            ctx.dialogue, reply = adopted  # nothing changed the dialogue since the fork: the drafted reply stands
            request, dialogue_ms = draft.request, draft.dialogue_ms
            first = (draft.first_audio, draft.tts_first_ms) if draft.first_audio is not None else None
        else:
            dialogue_started = time.perf_counter()
            request = ctx.dialogue.model_request(text)
            hints = await self._model_hints(request) if request is not None and request.blocking else None
            reply = ctx.dialogue.respond(text, hints)
            dialogue_ms = (time.perf_counter() - dialogue_started) * 1000
            first = None
        if request is not None and not request.blocking:
            # The emergency check needs no answer before we speak: it runs while the reply plays.
            task = asyncio.create_task(self._late_hints(request))
            self._hint_tasks.add(task)
            task.add_done_callback(self._hint_tasks.discard)
        self._dispatch_emergency()
        if ctx.dialogue.asking == "anything_else":  # the note is as good as complete: draft it while the caller answers
            self._note_draft.start(self.current_note(), list(self._turns.transcript))
        if reply.refuse_recording:
            await ctx.refuse_recording()
        # drafted: the dialogue and first audio were computed during the hangover, off the caller's wait
        timings = {"dialogue_ms": round(dialogue_ms, 1), "stt_ms": round(draft.stt.run_ms, 1), "drafted": float(drafted)}
        return await self._deliver(reply, timings, heard_at, first)

    def _endpoint_wait_ms(self, speculative: bool) -> int:
        """How long after the caller's last word transcription began: the short pause if we speculated, else the hangover."""
        vad = self._ctx.svc.config.vad
        return vad.speculative_pause_ms if speculative else vad.hangover_ms

    async def _deliver(self, reply: Reply, timings: dict[str, float], since_ms: float | None,
                       first: tuple[bytes, float] | None = None) -> bool:
        """Say a reply and act on it; True when the call has left us (goodbye or transfer)."""
        completed = await self._speaker.speak(reply, timings, since_ms=since_ms, first=first)
        if reply.transfer_to and completed and await self._transfer(reply.transfer_to):
            return True
        if reply.end_call and completed:
            await self._tell_pbx_goodbye()
            self._end(self._ctx.goodbye_reason or CallEnded("agent_goodbye"))
            return True
        return False

    async def _tell_pbx_goodbye(self) -> None:
        """AudioSocket() returns alike after our goodbye, a crash, a stop or a refusal, so the shipped dialplan sends every
        call to its fallback unless VB_END=goodbye was set on the channel (over AMI, before our hang-up message)."""
        ctx = self._ctx
        ami = ctx.svc.ami
        if ami is None or not ctx.info.channel:
            return
        result = await ami.set_variable(ctx.info.channel, "VB_END", "goodbye")
        if not result.ok:
            log.warning("call %s: could not tell the dialplan about the goodbye (%s); the caller reaches its fallback", ctx.info.call_id, result.message)

    async def _model_hints(self, request: ModelRequest, priority: int = LIVE) -> UtteranceHints | None:
        """The LLM's reading of one utterance (about 0.6 s with the bundled model); None if the model has no hints or fails."""
        svc = self._ctx.svc
        hints = getattr(svc.models.notes, "hints", None)
        if hints is None:
            return None
        try:
            # A caller waits on a LIVE hint: if the LLM lane is busy (another call's hint, or a note where the note model
            # shares this lane: models.note_llm.own_process = false), the parsers' reading stands.
            wait = HINT_MAX_WAIT_MS if priority == LIVE else None
            run = svc.scheduler.run(hints, request.text, self._ctx.language, request.candidates, priority=priority,
                                    lane=LLM, max_wait_ms=wait)
            job = await (asyncio.wait_for(run, HINT_CAP_MS / 1000) if priority == LIVE else run)
        except asyncio.CancelledError:
            raise
        except TimeoutError:
            log.info("call %s: the model's reading took over %d ms; the parsers' reading stands", self._ctx.info.call_id, HINT_CAP_MS)
            return None
        except QueueTimeout:  # the lane is on other work: expected at busy times, not a failure
            log.info("call %s: the model's reading could not start in time; the parsers' reading stands", self._ctx.info.call_id)
            return None
        except Exception as exc:  # the parsers' result stands
            log.warning("call %s: utterance extraction failed: %s", self._ctx.info.call_id, exc)
            return None
        result: UtteranceHints = job.value
        return result

    async def _late_hints(self, request: ModelRequest) -> None:
        hints = await self._model_hints(request, BACKGROUND)  # after the reply's speech synthesis
        if hints is not None:
            self._ctx.dialogue.apply_hints(hints)
            self._dispatch_emergency()

    def current_note(self) -> CallNote:
        ctx = self._ctx
        return ctx.dialogue.note(ctx.info.call_id, tenant=ctx.tenant.id, started_at=ctx.wall(0), caller_number=ctx.info.caller_number)

    def _dispatch_emergency(self) -> None:
        """An emergency is sent at once, flagged, while the call goes on; the final note follows after the call."""
        ctx = self._ctx
        if not ctx.dialogue.take_emergency():
            return
        log.warning("call %s: emergency reported; the note is sent now", ctx.info.call_id)
        notifier = getattr(ctx.svc, "notifier", None)
        if notifier is not None:
            notifier.dispatch(self.current_note(), "emergency")

    async def _transfer(self, target: str) -> bool:
        """Hand the caller to a person: Redirect the caller's channel over AMI into the transfer context, whose dialplan
        dials the target and falls back to voicemail. Without AMI (or a known channel) there is no safe way to move the
        call, so the caller stays with us and leaves a message: a transfer never drops anyone. Each attempt and its
        outcome is stored as an event turn. True when the call has left us."""
        ctx = self._ctx
        pbx = ctx.svc.config.pbx
        ami = ctx.svc.ami
        started = time.perf_counter()
        if ami is None or not ctx.info.channel:
            result = TransferResult(False, "no AMI connection or channel for this call")
        else:
            result = await ami.redirect(ctx.info.channel, pbx.transfer_context, target)
        took = {"transfer_ms": round((time.perf_counter() - started) * 1000, 1)}
        outcome = "ok" if result.ok else f"failed: {result.message}"
        await self._turns.add("event", f"transfer to {target}: {outcome}", ctx.now_ms(), ctx.now_ms(), took)
        if result.ok:
            # Asterisk closes our socket as the Redirect takes effect, often before its answer reaches us: that close
            # is this transfer, not the caller hanging up (run() prefers this end).
            ctx.transferred = CallEnded("transferred", f"{target} via AMI Redirect")
            self._end(ctx.transferred)
            return True
        log.warning("call %s: transfer to %s failed: %s", ctx.info.call_id, target, result.message)
        await self._speaker.speak(Reply(TRANSFER_FAILED[ctx.language]), {})
        return False

    async def send_note(self) -> None:
        """Store the policy's call note at once (also for a caller who hung up mid-way: `missing` says what is not there),
        then let the instruct model read the whole call, store the reconciled note and send it (post_call_note.py)."""
        if self._hint_tasks:  # a late emergency check still running: let it land in the note
            await asyncio.wait(set(self._hint_tasks), timeout=10)
        ctx = self._ctx
        note = self.current_note()
        if self._turns.caller_turns == 0 and not _has_content(note):
            # A scanner, a misdial or a broken peer: nobody spoke and nothing was keyed, so nobody gets an e-mail.
            log.info("call %s: no call note (no caller speech, nothing keyed)", ctx.info.call_id)
            self._note_draft.cancel()
            return
        store = ctx.svc.store
        try:
            await store.submit(store.store.set_note, ctx.info.call_id, note.to_json(), "parsers (note model pending)")
            draft = await self._note_draft.usable(note, wait_s=ctx.svc.config.models.note_llm.timeout_s)
            note = await post_call_note(ctx.svc, note, list(self._turns.transcript), ctx.language,
                                        drafted=draft)
            await store.submit(store.store.set_note, ctx.info.call_id, note.to_json(), note.extra.get("note_source", ""))
        except asyncio.CancelledError:
            log.info("call %s: no call note, the daemon is stopping", ctx.info.call_id)
            return
        except StoreError as exc:  # the store closed under a note still being made: what was stored before stands
            log.error("call %s: the call note was not stored (%s); the note stored at hang-up stands", ctx.info.call_id, exc)
            return
        notifier = getattr(ctx.svc, "notifier", None)
        if notifier is not None:
            notifier.dispatch(note)


def _has_content(note: CallNote) -> bool:
    """Whether the note holds anything the caller gave (keyed digits included) or a transfer."""
    return any((note.name, note.company, note.callback_number, note.address, note.concern, note.transferred_to,
                note.preferred_window is not None))
