"""The test and benchmark caller (`AsteriskPeer`) when the agent ends the call: audio it could not send fails at once
instead of waiting forever (a soak caller hung on a call the agent had ended)."""

from __future__ import annotations

import asyncio

import pytest

from voicebridge.transport.audiosocket_client import AsteriskPeer
from voicebridge.transport.audiosocket_codec import HEADER, Kind, encode


async def _hang_up_after_uuid(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    kind, length = HEADER.unpack(await reader.readexactly(HEADER.size))
    assert kind == Kind.UUID
    await reader.readexactly(length)
    await asyncio.sleep(0.1)  # a few frames of the caller's audio get through, then the agent hangs up
    writer.write(encode(Kind.HANGUP, b""))
    await writer.drain()
    writer.close()


async def test_audio_still_queued_when_the_agent_hangs_up_fails_instead_of_hanging() -> None:
    server = await asyncio.start_server(_hang_up_after_uuid, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    peer = AsteriskPeer("127.0.0.1", port)
    await peer.connect()
    try:
        three_seconds = bytes(8000 * 2 * 3)
        speaking, queued = peer.say(three_seconds), peer.say(three_seconds)
        with pytest.raises(ConnectionError, match="line closed"):
            await asyncio.wait_for(speaking, 2)  # well before its 3 s were sent
        with pytest.raises(ConnectionError):
            await asyncio.wait_for(queued, 1)
        assert peer.agent_hung_up
        with pytest.raises(ConnectionError):  # said after the close: fails at once
            await asyncio.wait_for(peer.say(bytes(320)), 1)
        ignored = peer.say(bytes(320))  # not awaited, as tests do with a cough: already settled, not left pending
        assert ignored.done()
    finally:
        await peer.hang_up()
        server.close()
        await server.wait_closed()
