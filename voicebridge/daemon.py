"""The voicebridge daemon: loads models once, opens the call store, serves AudioSocket until told to stop."""

from __future__ import annotations

import asyncio
import logging
import signal

from voicebridge.audio.pacer import OutgoingAudio
from voicebridge.call_services import CallServices, PhraseCache
from voicebridge.call_session import CallInfo, CallSession
from voicebridge.config import Config
from voicebridge.dialogue.receptionist import fixed_phrases
from voicebridge.models.registry import Models, load_models
from voicebridge.models.scheduler import ModelScheduler
from voicebridge.store.call_store import CallStore, StoreWriter
from voicebridge.transport.audiosocket_server import AudioSocketServer

log = logging.getLogger(__name__)

# Line rates whose fixed phrases are synthesized at start-up: AudioSocket() and c(slin16).
WARM_RATES = (8000, 16000)


class Daemon:
    def __init__(self, config: Config, models: Models | None = None) -> None:
        self.config = config
        self._models = models
        self.services: CallServices | None = None
        self.audiosocket: AudioSocketServer | None = None
        self._stopped = False

    async def start(self) -> None:
        cfg = self.config
        loop = asyncio.get_running_loop()
        store = CallStore(cfg.database_path)
        orphans = store.close_orphans()
        if orphans:
            log.warning("closed %d call(s) left open by a previous run (their turns were kept)", orphans)
        models = self._models
        if models is None:
            models = await loop.run_in_executor(None, load_models, cfg)
        scheduler = ModelScheduler()
        phrases = PhraseCache()
        for text in fixed_phrases(cfg.business.name, cfg.business.language):
            for rate in WARM_RATES:
                speech = await scheduler.run(models.tts.synthesize, text, cfg.business.language, rate)
                phrases.put(text, cfg.business.language, rate, speech.value.pcm)
        self.services = CallServices(cfg, models, scheduler, StoreWriter(store), phrases)
        self.audiosocket = AudioSocketServer(
            cfg.server.host,
            cfg.server.audiosocket_port,
            self._new_session,
            max_calls=cfg.server.max_calls,
            peer_timeout=cfg.server.peer_silence_timeout_s,
        )
        await self.audiosocket.start()

    def _new_session(self, info: CallInfo, output: OutgoingAudio) -> CallSession:
        assert self.services is not None
        return CallSession(info, self.services, output)

    async def stop(self) -> None:
        """End all calls and close the store; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        if self.audiosocket is not None:
            await self.audiosocket.stop()
        if self.services is not None:
            await self.services.store.close()
            self.services.scheduler.shutdown()

    async def serve_forever(self) -> None:
        """Run until SIGTERM/SIGINT, then end calls cleanly so every row is closed."""
        await self.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        log.info("voicebridge ready")
        try:
            await stop.wait()
        finally:
            log.info("stopping: ending active calls")
            await self.stop()
