"""The voicebridge daemon: loads models once, opens the call store, serves AudioSocket (and FreeSWITCH) until told to stop."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import logging
import signal
import sys

from voicebridge.audio.pacer import OutgoingAudio
from voicebridge.call_services import CallServices, PhraseCache
from voicebridge.call_session import CallInfo, CallSession
from voicebridge.config import Config
from voicebridge.dialogue.receptionist import fixed_phrases
from voicebridge.models.malloc_tuning import GlibcMalloc, trim_every
from voicebridge.models.registry import Models, load_models, note_model_configured
from voicebridge.models.scheduler import LLM, NOTE, ModelScheduler
from voicebridge.models.worker import ModelWorker
from voicebridge.notify.notifier import Notifier
from voicebridge.pbx.ami_client import AmiClient, AmiSettings
from voicebridge.privacy.purge import PurgeSchedule
from voicebridge.privacy.recordings import RecordingStore
from voicebridge.store.call_store import CallStore, StoreWriter
from voicebridge.store.profiles import ProfileWatcher
from voicebridge.transport.audiosocket_server import AudioSocketServer
from voicebridge.transport.browser_server import BrowserPhoneLine
from voicebridge.transport.freeswitch_server import FreeswitchServer
from voicebridge.web.server import EmbeddedWebServer

log = logging.getLogger(__name__)

# Line rates whose fixed phrases are synthesized at start-up: AudioSocket() and c(slin16).
WARM_RATES = (8000, 16000)


class Daemon:
    def __init__(self, config: Config, models: Models | None = None, phrases: PhraseCache | None = None) -> None:
        """`phrases`: fixed phrases already synthesized by these same voices (a daemon started again in one process
        with the same models); what it lacks is synthesized at start."""
        self.config = config
        self._models = models
        self._phrases = phrases
        self.model_worker: ModelWorker | None = None  # the speech models' process, when this daemon loaded them there
        self.llm_worker: ModelWorker | None = None  # the language model's process, below the speech process
        self.note_worker: ModelWorker | None = None  # the note model's process, below everything (SCHED_IDLE)
        self.services: CallServices | None = None
        self.audiosocket: AudioSocketServer | None = None
        self.freeswitch: FreeswitchServer | None = None
        self.ami: AmiClient | None = None
        self._stopped = False
        self.purge: PurgeSchedule | None = None
        self.notifier: Notifier | None = None
        self.profiles: ProfileWatcher | None = None
        self.browser: BrowserPhoneLine | None = None  # the browser phone, when the web app runs inside the daemon
        self.web: EmbeddedWebServer | None = None

    async def start(self) -> None:
        cfg = self.config
        # Model threads hold the GIL between native calls; a short switch interval lets the 20 ms audio clock in.
        sys.setswitchinterval(0.001)
        loop = asyncio.get_running_loop()
        recordings = RecordingStore.from_config(cfg)  # a bad recording key stops start-up here, before any call
        store = CallStore(cfg.database_path)
        orphans = store.close_orphans()
        if orphans:
            log.warning("closed %d call(s) left open by a previous run (their turns were kept)", orphans)
        models = self._models
        if models is None:
            models = await loop.run_in_executor(None, self._load_models)
        scheduler = ModelScheduler()
        phrases = self._phrases if self._phrases is not None else PhraseCache()
        recording = cfg.privacy.record_audio
        for tenant in cfg.all_tenants:
            for text in fixed_phrases(tenant.name, tenant.language, welcome=tenant.greeting, recording=recording,
                                      refuse_digit=cfg.privacy.refuse_recording_digit):
                if all(phrases.get(text, tenant.language, rate) is not None for rate in WARM_RATES):
                    continue
                job = await scheduler.run(models.tts.synthesize_rates, text, tenant.language, WARM_RATES)
                for speech in job.value:
                    phrases.put(text, tenant.language, speech.sample_rate, speech.pcm)
        writer = StoreWriter(store)
        if cfg.ami.enabled:
            a = cfg.ami
            self.ami = AmiClient(AmiSettings(a.host, a.port, a.username, a.secret))
            await self.ami.start()  # connects in the background and keeps reconnecting; calls never wait for it
        # Call notes: stored, then sent in the background; what a previous run left pending is resumed now.
        self.notifier = Notifier(cfg, writer)
        await self.notifier.start()
        vad_model = None
        if cfg.vad.detector != "webrtc":  # loaded once off the loop; every call's detector shares the session
            from voicebridge.turn.silero import load_silero_session

            vad_model = await loop.run_in_executor(None, load_silero_session)
        self.services = CallServices(cfg, models, scheduler, writer, phrases, recordings, self.ami, notifier=self.notifier, vad_model=vad_model)
        # Retention is enforced by the daemon itself: at start, then every retention.purge_interval_s.
        self.purge = PurgeSchedule(writer, recordings, cfg)
        self.purge.start()
        # Profiles edited in the web app replace the config file's from the next call on.
        self.profiles = ProfileWatcher(writer, cfg, self._use_config)
        await self.profiles.refresh()
        self.profiles.start()
        self.audiosocket = AudioSocketServer(
            cfg.server.host,
            cfg.server.audiosocket_port,
            self._new_session,
            max_calls=cfg.server.max_calls,
            peer_timeout=cfg.server.peer_silence_timeout_s,
            active_calls=self._active_calls,
        )
        await self.audiosocket.start()
        if cfg.freeswitch.enabled:
            fs = cfg.freeswitch
            self.freeswitch = FreeswitchServer(
                fs.host, fs.port, self._new_session, max_calls=cfg.server.max_calls, peer_timeout=cfg.server.peer_silence_timeout_s,
                chunk_ms=fs.chunk_ms, first_chunk_ms=fs.first_chunk_ms, active_calls=self._active_calls,
            )
            await self.freeswitch.start()
        if cfg.web.enabled:
            self.browser = BrowserPhoneLine(self._new_session, max_calls=cfg.server.max_calls,
                                            peer_timeout=cfg.server.peer_silence_timeout_s, active_calls=self._active_calls)
            self.web = EmbeddedWebServer(cfg, self.browser, on_profile_saved=self.profiles.changed)
            await self.web.start()
        # What start-up built lives as long as the daemon, so the cyclic collector need not walk it again: a full
        # collection runs on the event loop that paces every call's audio (with the models in this process, 50k objects
        # and 23 ms; in a process that holds more, such as a test session, 2M objects and 230 ms). stop() unfreezes.
        gc.freeze()

    def _use_config(self, config: Config) -> None:
        """Calls from now on see `config` (edited profiles); calls in progress keep theirs."""
        if self.services is not None:
            self.services = dataclasses.replace(self.services, config=config)

    def _load_models(self) -> Models:
        """Blocking. By default the models run in a worker process, so this process only moves audio (models.isolation)."""
        if self.config.models.isolation == "thread":
            return load_models(self.config)
        # A process per role: a generation in the LLM process never holds the pipe (or the cores) a transcription
        # needs, and a note's seconds in the note process never hold the pipe a live reply's hint needs.
        self.model_worker = ModelWorker(self.config, role="speech")
        self.llm_worker = ModelWorker(self.config, role="llm")
        if self.config.models.note_llm.own_process and note_model_configured(self.config):
            self.note_worker = ModelWorker(self.config, role="note")
        for worker in (self.model_worker, self.llm_worker, self.note_worker):
            if worker is not None:
                worker.start()
        if self.note_worker is not None:
            return Models(self.model_worker.stt, self.model_worker.tts, self.llm_worker.notes, self.note_worker.writer, NOTE)
        return Models(self.model_worker.stt, self.model_worker.tts, self.llm_worker.notes, self.llm_worker.writer, LLM)

    def _active_calls(self) -> int:
        return sum(len(server.sessions) for server in (self.audiosocket, self.freeswitch, self.browser) if server is not None)

    def _new_session(self, info: CallInfo, output: OutgoingAudio) -> CallSession:
        assert self.services is not None
        return CallSession(info, self.services, output)

    async def stop(self) -> None:
        """End all calls and close the store; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        gc.unfreeze()  # what start() froze can be collected again once it is garbage
        if self.services is not None:  # the calls' post-call notes stop waiting for the LLM: the parsers' notes go out
            self.services.scheduler.abandon(LLM)
            self.services.scheduler.abandon(NOTE)
        if self.browser is not None:
            await self.browser.stop()
        if self.web is not None:
            await self.web.stop()
        if self.profiles is not None:
            await self.profiles.stop()
        if self.audiosocket is not None:
            await self.audiosocket.stop()
        if self.freeswitch is not None:
            await self.freeswitch.stop()
        if self.purge is not None:
            await self.purge.stop()
        if self.notifier is not None:  # after the calls ended (their notes are dispatched), before the store closes
            await self.notifier.stop()
        if self.ami is not None:
            await self.ami.stop()
        if self.services is not None:
            await self.services.store.close()
            self.services.scheduler.shutdown()
        loop = asyncio.get_running_loop()
        for worker in (self.model_worker, self.llm_worker, self.note_worker):  # after the scheduler: no model call comes
            if worker is not None:
                await loop.run_in_executor(None, worker.stop)

    async def serve_forever(self, allocator: GlibcMalloc | None = None) -> None:
        """Run until SIGTERM/SIGINT, then end calls cleanly so every row is closed. `allocator`: this process's glibc
        malloc, whose free heap is handed back to the kernel every models.malloc_trim_interval_s."""
        await self.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        trimmer = asyncio.create_task(trim_every(allocator, self.config.models.malloc_trim_interval_s)) if allocator else None
        log.info("voicebridge ready")
        try:
            await stop.wait()
        finally:
            log.info("stopping: ending active calls")
            if trimmer is not None:
                trimmer.cancel()
            await self.stop()
