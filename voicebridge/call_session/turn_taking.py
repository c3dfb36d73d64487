"""Who holds the turn: caller audio through VAD, echo gate, barge-in and the endpointer into finished utterances,
with a draft started at each pause long enough to be the end."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging

from voicebridge.audio.dtmf_tones import ToneDetector
from voicebridge.call_session.context import CallContext
from voicebridge.call_session.drafts import Draft, Drafter, Utterance
from voicebridge.dialogue.receptionist import Reply
from voicebridge.turn.barge_in import BargeInDetector, EchoGate, Verdict
from voicebridge.turn.endpointer import Endpointer, NoiseDiscarded, SpeechStarted, UtteranceEnded, VoiceDetector
from voicebridge.turn.turn_completion import HangoverSettings, decide_hangover

log = logging.getLogger(__name__)

# None marks the end of the call: the responder stores what is left and stops; a Reply answers keys the caller pressed.
ResponderInput = Utterance | Reply | None


class TurnTaker:
    def __init__(self, ctx: CallContext, utterances: asyncio.Queue[ResponderInput]) -> None:
        self._ctx = ctx
        self._utterances = utterances
        cfg = ctx.svc.config
        self._vad = VoiceDetector(ctx.info.sample_rate, cfg.vad.aggressiveness, cfg.vad.detector, cfg.vad.silero_threshold, ctx.svc.vad_model)
        self.endpointer = Endpointer(
            self._vad.rate,
            hangover_ms=cfg.vad.hangover_ms,
            min_speech_ms=cfg.vad.min_speech_ms,
            max_utterance_ms=int(cfg.vad.max_utterance_s * 1000),
            quiet_is_silence=cfg.vad.hangover_from_voice_end,
        )
        tcfg = cfg.turn
        self._slot_aware = tcfg.slot_aware
        self._hangovers = HangoverSettings(cfg.vad.hangover_ms, tcfg.complete_hangover_ms, tcfg.sentence_hangover_ms, tcfg.unfinished_hangover_ms)
        bcfg = cfg.barge_in
        self._barge_in = BargeInDetector(bcfg.pause_ms, bcfg.confirm_ms, bcfg.resume_ms) if bcfg.enabled else None
        self._echo = EchoGate(bcfg.echo_margin_db)
        ctx.out.on_sent = self._echo.sent
        self.drafter = Drafter(ctx, self._vad.rate)
        self._tones = ToneDetector(self._vad.rate)  # keys some phones send as sound instead of as DTMF events
        self._backchannel = False  # the current utterance was a "mhm" over the agent: not a turn
        self._words_after_mhm = 0  # voiced frames since then: a caller who goes on was not just saying "mhm"
        self._real_turn_frames = max(1, bcfg.confirm_ms // self.endpointer.frame_ms)
        self._speculation: tuple[int, asyncio.Task[Draft]] | None = None
        self._utterance_no = 0
        self.barge_ins = 0
        self.last_voice_ms = 0.0  # when the caller last started or stopped speaking (the call's clock)

    def audio(self, pcm: bytes) -> str:
        """Take the caller's audio; returns the keys pressed as in-band tones in it (usually none)."""
        keys = ""
        for frame, is_speech in self._vad.frames(pcm):
            tone = self._tones.process(frame)
            if tone.key is not None:
                keys += tone.key
            # A key tone is not speech: it must neither become a caller turn nor barge in on the agent.
            self._on_frame(frame, is_speech and not tone.tone)
        return keys

    def flush(self) -> None:
        """The call ended: what the caller was still saying becomes a last utterance."""
        tail = self.endpointer.flush()
        if isinstance(tail, UtteranceEnded):
            self._utterances.put_nowait(Utterance(tail))

    def _on_frame(self, frame: bytes, is_speech: bool) -> None:
        ctx = self._ctx
        agent_speaking = ctx.out.speaking
        if is_speech and not self._echo.is_caller(frame):
            is_speech = False  # our own voice echoed back by the line or the handset, also just after we stopped
        if self._backchannel and is_speech:
            self._words_after_mhm += 1
            if self._words_after_mhm >= self._real_turn_frames:
                # "Hallo? … Ja, ich rufe an wegen …": the first word over the greeting resumed it, the rest is the turn.
                self._backchannel = False
        if self._barge_in is not None:
            self._act_on(self._barge_in.process(agent_speaking, is_speech))
        for ev in self.endpointer.process(frame, is_speech):
            if isinstance(ev, SpeechStarted):
                self._backchannel = False
                self._utterance_no += 1
                self.last_voice_ms = ctx.now_ms()
                log.debug("call %s: caller speaking at %d ms", ctx.info.call_id, ev.at_ms)
            elif isinstance(ev, UtteranceEnded):
                self.last_voice_ms = ctx.now_ms()
                self._finish_utterance(ev)
            elif isinstance(ev, NoiseDiscarded):
                self._drop_speculation()
                log.debug("call %s: %d ms of noise ignored", ctx.info.call_id, ev.speech_ms)
        if self._speculation is not None and self._speculation[0] != self.endpointer.speech_frames:
            self._drop_speculation()  # the caller went on: free the model queue for calls that are waiting
        self._maybe_speculate()

    def _drop_speculation(self) -> None:
        if self._speculation is not None:
            self._speculation[1].cancel()
            self._speculation = None
            log.debug("call %s: draft discarded, the caller went on", self._ctx.info.call_id)

    def _act_on(self, verdict: Verdict) -> None:
        out = self._ctx.out
        if verdict is Verdict.PAUSE:
            out.paused = True
        elif verdict is Verdict.RESUME:
            out.paused = False
            ep = self.endpointer
            # Only a short burst is a "mhm". An utterance that already held more speech than a barge-in needs stays the
            # caller's turn: the agent's next chunk started over its last word (a stalled read-back, in the soak).
            if not (ep.in_speech and ep.speech_frames >= self._real_turn_frames):
                self._backchannel = True  # the words that paused us were a "mhm": no turn of their own
                self._words_after_mhm = 0
        elif verdict is Verdict.INTERRUPT:
            self.barge_ins += 1
            self._backchannel = False  # whatever paused us before, the caller has taken the turn now
            out.flush()
            out.paused = False
            log.info("call %s: caller barged in", self._ctx.info.call_id)

    def _finish_utterance(self, ev: UtteranceEnded) -> None:
        spec = self._speculation
        self._speculation = None
        if self._backchannel:
            self._backchannel = False
            log.debug("call %s: backchannel over the agent ignored", self._ctx.info.call_id)
            return
        # The speculative transcript is good if no voiced frame came after it was started.
        task = spec[1] if spec is not None and spec[0] == self.endpointer.speech_frames else None
        # The endpointer counts time in frames received; the line does not deliver exactly 50 a second (a real Asterisk
        # fell behind by a second in 20 s of call), so the turn is placed on the call's clock, counted back from now.
        lag = round(self._ctx.now_ms() - self.endpointer.now_ms)
        ev = dataclasses.replace(ev, start_ms=ev.start_ms + lag, end_ms=ev.end_ms + lag)
        self._utterances.put_nowait(Utterance(ev, task))

    def _maybe_speculate(self) -> None:
        pause = self._ctx.svc.config.vad.speculative_pause_ms
        ep = self.endpointer
        if not pause or not ep.in_speech or ep.silence_ms < pause or self._backchannel:
            return
        version = ep.speech_frames
        if self._speculation is not None and self._speculation[0] == version:
            return
        self._drop_speculation()
        on_words = None
        if self._slot_aware:
            # Until the draft's words are in, the turn does not end (at most the unfinished hangover): its reply needs
            # those words anyway, and a caller who goes on meanwhile stays in the same turn.
            ep.set_pause_hangover(self._hangovers.unfinished_ms)
            on_words = functools.partial(self._end_of_turn_from, version)
        task = asyncio.create_task(self.drafter.draft(ep.snapshot(), self._utterance_no, on_words))
        # A speculation overtaken by more speech is never awaited; retrieve its outcome so nothing warns.
        task.add_done_callback(lambda t: None if t.cancelled() else t.exception())
        self._speculation = (version, task)

    def _end_of_turn_from(self, version: int, text: str) -> None:
        """The draft's words at this pause set how long it must last to end the turn, by what the agent asked for:
        shorter when they give it, longer when they are visibly cut off (voicebridge/turn/turn_completion.py)."""
        ep = self.endpointer
        if not ep.in_speech or ep.speech_frames != version:
            return  # the turn already ended, or the caller went on and the next pause judges its own draft
        ctx = self._ctx
        decision = decide_hangover(ctx.dialogue.asking, text, ctx.language, self._hangovers)
        ep.set_pause_hangover(decision.hangover_ms)
        log.debug("call %s: end of turn after %d ms of silence (%s: %s)", ctx.info.call_id, decision.hangover_ms,
                  decision.completion.value, decision.reason)
