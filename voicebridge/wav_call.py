"""`voicebridge call --wav`: hear the agent with no PBX, over the same AudioSocket protocol Asterisk speaks."""

from __future__ import annotations

import time
from pathlib import Path

from voicebridge.audio.wavfile import read_wav, write_wav
from voicebridge.errors import VoicebridgeError
from voicebridge.transport.audiosocket_client import AsteriskPeer

GREETING_WAIT_S = 15.0
QUIET_S = 1.5  # silence from the agent that means its turn is over


async def place_wav_call(host: str, port: int, wav: Path, out: Path, rate: int, timeout: float) -> int:
    caller_audio = read_wav(wav, rate)
    peer = AsteriskPeer(host, port, sample_rate=rate)
    try:
        await peer.connect()
    except OSError as exc:
        raise VoicebridgeError(
            f"cannot reach voicebridge at {host}:{port} ({exc.strerror or exc}); fix: start `voicebridge serve` or pass --host/--port"
        ) from None
    deadline = time.monotonic() + timeout
    print(f"call {peer.call_id} connected to {host}:{port} at {rate} Hz")
    try:
        greeting = await peer.wait_for_speech(0.0, min(GREETING_WAIT_S, timeout))
        if greeting is not None:
            await peer.wait_for_quiet(QUIET_S, max(0.0, deadline - time.monotonic()))
        reply = None
        try:
            sent = await peer.say(caller_audio)
        except ConnectionError:  # e.g. refused over max_calls: the agent ended the call while we spoke
            print("the agent hung up before all the caller audio was sent")
        else:
            print(f"sent {len(caller_audio) / 2 / rate:.1f} s of caller audio from {wav}")
            reply = await peer.wait_for_speech(sent.last_sample_at, max(0.0, deadline - time.monotonic()))
            if reply is not None:
                print(f"agent answered {1000 * (reply - sent.last_sample_at):.0f} ms after the caller stopped")
                await peer.wait_for_quiet(QUIET_S, max(0.0, deadline - time.monotonic()))
            else:
                print("the agent did not answer before the timeout" if not peer.agent_hung_up else "the agent hung up without answering")
    finally:
        await peer.hang_up()
    audio = peer.agent_audio()
    write_wav(out, audio, rate)
    print(f"saved {len(audio) / 2 / rate:.1f} s of agent audio to {out}")
    return 0 if reply is not None else 1
