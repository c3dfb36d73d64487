"""One call, transport-agnostic: inbound events in, paced agent audio out, every turn written to the store.

The session (session.py) runs the call; turn taking, drafts, replies, speech and the turn log each have a module here.
"""

from voicebridge.call_session.events import AudioIn, CallEnded, CallEvent, CallInfo, DtmfIn
from voicebridge.call_session.session import CallSession

__all__ = ["AudioIn", "CallEnded", "CallEvent", "CallInfo", "CallSession", "DtmfIn"]
