"""What the parts of one call share: its info, services, outgoing audio, tenant, dialogue, recording, clock and end.

The session owns it; turn taking, drafting, the responder, the speaker and the turn log read and update it.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from voicebridge.audio.pacer import OutgoingAudio
from voicebridge.call_services import CallServices
from voicebridge.call_session.events import CallEnded, CallInfo
from voicebridge.config import TenantConfig
from voicebridge.dialogue.policy import ConversationPolicy
from voicebridge.dialogue.receptionist import Receptionist
from voicebridge.privacy.recordings import CallRecording

log = logging.getLogger(__name__)


class CallContext:
    def __init__(self, info: CallInfo, services: CallServices, output: OutgoingAudio) -> None:
        self.info = info
        self.svc = services
        self.out = output
        self.recording = CallRecording.off()
        self.ended: CallEnded | None = None
        self.goodbye_reason: CallEnded | None = None  # why the agent's goodbye ends the call, when not the dialogue's
        self.transferred: CallEnded | None = None  # a Redirect succeeded: that is how the call ended, whatever closed the socket
        self.started_wall = datetime.now(UTC)
        self.started = time.monotonic()
        self.tenant: TenantConfig
        self.language: str
        self.dialogue: ConversationPolicy
        self.choose_tenant()

    def choose_tenant(self) -> None:
        cfg = self.svc.config
        # Data protection: the dialled number picks the tenant (business); recording only with consent (privacy/recordings.py).
        self.tenant = cfg.tenant_for(self.info.called_number)
        self.language = self.tenant.language
        recording = cfg.privacy.record_audio and self.svc.recordings is not None
        self.dialogue = Receptionist(self.tenant.name, self.language, welcome=self.tenant.greeting, recording=recording,
                                     refuse_digit=cfg.privacy.refuse_recording_digit, profile=self.tenant.profile,
                                     caller_number=self.info.caller_number)

    def wall(self, offset_ms: float) -> str:
        return (self.started_wall + timedelta(milliseconds=offset_ms)).isoformat(timespec="milliseconds")

    def now_ms(self) -> float:
        return (time.monotonic() - self.started) * 1000

    async def refuse_recording(self) -> None:
        """The caller does not want to be recorded: the file is deleted at once and the refusal is kept with the call."""
        if self.recording.refuse():
            log.info("call %s: the caller refused the recording; it was deleted", self.info.call_id)
            self.svc.store.write(self.svc.store.store.set_recording, self.info.call_id, "refused")
