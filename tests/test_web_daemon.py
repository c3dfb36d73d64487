"""The web app inside the daemon ([web] enabled): the browser phone's websocket over a real loopback server with the
real call pipeline (scripted models, so it runs fast), and a profile edited over HTTP answering the next call."""

from __future__ import annotations

import asyncio
import html
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.privacy_helpers import fake_models, voiced
from tests.web_helpers import PASSWORD, seed, web_config
from voicebridge.daemon import Daemon
from voicebridge.web.app import build_context

FRAME = 640  # 20 ms at 16 kHz


async def _daemon(tmp_path: Path, script: list[str]) -> Daemon:
    config = web_config(tmp_path, enabled=True)
    seed(build_context(config))
    daemon = Daemon(config, fake_models(script))
    await daemon.start()
    return daemon


async def _sign_in(base: str, name: str) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=base, follow_redirects=False)
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = await client.post("/login", data={"csrf_token": token, "username": name, "password": PASSWORD, "next": "/"})
    assert response.status_code == 303
    return client, f"vb_session={client.cookies['vb_session']}"


async def _speak(ws: Any, pcm: bytes) -> None:
    for i in range(0, len(pcm), FRAME):  # paced like a microphone
        await ws.send(pcm[i : i + FRAME])
        await asyncio.sleep(0.02)


async def _end_of(ws: Any) -> tuple[list[dict[str, Any]], int | None]:
    ends = []
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            message = await ws.recv()
            if isinstance(message, str):
                ends.append(json.loads(message))
    return ends, closed.value.rcvd.code if closed.value.rcvd is not None else None


def _agent_texts(db: Path, call_id: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("select text from turns where call_id = ? and role = 'agent' order by seq", [call_id])]


async def test_browser_phone_call_and_profile_edit_reach_the_next_call(tmp_path: Path) -> None:
    daemon = await _daemon(tmp_path, ["What does parking cost?"])
    try:
        assert daemon.web is not None
        base = f"http://127.0.0.1:{daemon.web.port}"
        client, cookie = await _sign_in(base, "olga")
        page = await client.get("/profile")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        bad = await client.post("/profile", data={"csrf_token": token, "tenant": "default", "hours_mon": "25:00-26:00", "languages": "en"})
        assert bad.status_code == 400 and "'profile.hours.mon' has '25:00-26:00'" in html.unescape(bad.text)
        saved = await client.post("/profile", data={
            "csrf_token": token, "tenant": "default", "languages": "en", "hours_mon": "08:00-17:00",
            "faq_0_keywords": "parking", "faq_0_answer": "Parken im Hof.", "faq_0_answer_en": "You can park in the yard behind the workshop.",
        })
        assert saved.status_code == 303
        await client.aclose()

        url = f"ws://127.0.0.1:{daemon.web.port}/phone/ws"
        with pytest.raises(InvalidStatus):  # another site's page cannot open the phone with the visitor's cookie
            async with connect(url, additional_headers={"Cookie": cookie, "Origin": "http://evil.example"}):
                pass
        async with connect(url, additional_headers={"Cookie": cookie, "Origin": base}) as ws:
            ready = json.loads(await ws.recv())
            assert ready["type"] == "ready" and ready["rate"] == 16000
            call_id = ready["call_id"]
            received: list[bytes | str] = []

            async def read() -> None:
                while True:
                    received.append(await ws.recv())

            reader = asyncio.create_task(read())
            await _speak(ws, voiced(1.2, 16000) + bytes(16000 * 2))
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 20
            while loop.time() < deadline and not any("yard behind the workshop" in t for t in _agent_texts(daemon.config.database_path, call_id)):
                await _speak(ws, bytes(FRAME * 5))
            assert any("yard behind the workshop" in t for t in _agent_texts(daemon.config.database_path, call_id))
            await _speak(ws, bytes(FRAME * 50))
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
            voice = [m for m in received if isinstance(m, bytes)]
            assert len(voice) > 10 and all(len(m) == FRAME and any(m) for m in voice)  # the agent's voice, 20 ms frames, no idle silence
            await ws.send(json.dumps({"type": "hangup"}))
            with pytest.raises(ConnectionClosed):
                while True:
                    await ws.recv()
        for _ in range(100):
            with sqlite3.connect(daemon.config.database_path) as conn:
                row = conn.execute("select transport, sample_rate, end_reason, tenant from calls where id = ?", [call_id]).fetchone()
            if row and row[2]:
                break
            await asyncio.sleep(0.05)
        assert row == ("browser", 16000, "caller_hangup", "default")
    finally:
        await daemon.stop()


async def test_browser_phone_refuses_viewers_and_bad_messages(tmp_path: Path) -> None:
    daemon = await _daemon(tmp_path, [])
    try:
        assert daemon.web is not None
        base = f"http://127.0.0.1:{daemon.web.port}"
        url = f"ws://127.0.0.1:{daemon.web.port}/phone/ws"
        viewer, viewer_cookie = await _sign_in(base, "vic")
        await viewer.aclose()
        with pytest.raises(InvalidStatus):
            async with connect(url, additional_headers={"Cookie": viewer_cookie, "Origin": base}):
                pass
        staff, cookie = await _sign_in(base, "sam")
        await staff.aclose()
        with pytest.raises(InvalidStatus):  # a tenant the user does not belong to
            async with connect(url + "?tenant=weber", additional_headers={"Cookie": cookie, "Origin": base}):
                pass
        async with connect(url, additional_headers={"Cookie": cookie, "Origin": base}) as ws:
            call_id = json.loads(await ws.recv())["call_id"]
            await ws.send("not json")
            ends, code = await _end_of(ws)
            assert {"type": "end", "reason": "bad_message"} in ends and code == 1003
        async with connect(url, additional_headers={"Cookie": cookie, "Origin": base}) as ws:
            json.loads(await ws.recv())
            await ws.send(bytes(16000 * 2 * 3))  # 3 s at once: over the 64 KiB message bound
            _, code = await _end_of(ws)
            assert code == 1009
        await asyncio.sleep(0.5)
        with sqlite3.connect(daemon.config.database_path) as conn:
            assert conn.execute("select end_reason from calls where id = ?", [call_id]).fetchone() == ("bad_message",)
    finally:
        await daemon.stop()


@pytest.mark.parametrize("flood", ["audio", "keys"])
async def test_a_flooding_page_has_its_call_ended_and_the_phone_still_answers(tmp_path: Path, flood: str) -> None:
    """Audio far faster than a microphone, or keys faster than a person types: the call session's input guard (the same
    as for AudioSocket and FreeSWITCH) ends the call with a policy close and the reason stored; the next call is answered."""
    reason = "protocol_flood"
    daemon = await _daemon(tmp_path, ["What does parking cost?"])
    try:
        assert daemon.web is not None
        base = f"http://127.0.0.1:{daemon.web.port}"
        url = f"ws://127.0.0.1:{daemon.web.port}/phone/ws"
        staff, cookie = await _sign_in(base, "sam")
        await staff.aclose()
        async with connect(url, additional_headers={"Cookie": cookie, "Origin": base}) as ws:
            call_id = json.loads(await ws.recv())["call_id"]
            try:
                for _ in range(1000):  # 20 s of audio, or 1000 keys, as fast as the socket takes them
                    await ws.send(bytes(FRAME) if flood == "audio" else json.dumps({"type": "dtmf", "digit": "5"}))
            except ConnectionClosed:
                pass
            ends, code = await _end_of(ws)
            assert {"type": "end", "reason": reason} in ends and code == 1008
        for _ in range(100):
            with sqlite3.connect(daemon.config.database_path) as conn:
                row = conn.execute("select end_reason, note from calls where id = ?", [call_id]).fetchone()
            if row and row[0]:
                break
            await asyncio.sleep(0.05)
        assert row == (reason, None)
        async with connect(url, additional_headers={"Cookie": cookie, "Origin": base}) as ws:
            assert json.loads(await ws.recv())["type"] == "ready"
            await _speak(ws, voiced(1.2, 16000) + bytes(16000))
            await ws.send(json.dumps({"type": "hangup"}))
            await _end_of(ws)
    finally:
        await daemon.stop()


async def test_profile_saved_by_a_separate_web_process_reaches_the_daemon(tmp_path: Path) -> None:
    """`voicebridge web` as its own process: the daemon notices the saved profile by polling (no nudge), within ~1 s."""
    from voicebridge.store.profiles import profile_data, save_profile

    config = web_config(tmp_path)  # [web] not enabled in the daemon
    daemon = Daemon(config, fake_models([]))
    await daemon.start()
    try:
        assert daemon.web is None and daemon.services is not None
        data = profile_data(config.tenant("weber").profile)
        data["oncall_number"] = "0171 9999999"
        conn = sqlite3.connect(config.database_path)
        try:
            save_profile(conn, "weber", data, "web:wera")
        finally:
            conn.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        while daemon.services.config.tenant("weber").profile.oncall_number != "0171 9999999":
            assert loop.time() < deadline, "the daemon did not pick up the saved profile"
            await asyncio.sleep(0.1)
        assert daemon.services.config.tenant("default").profile == config.tenant("default").profile
    finally:
        await daemon.stop()
