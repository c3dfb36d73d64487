"""The whole web app in a real browser against the real daemon with the real models ([web] enabled inside the daemon):
an owner edits the profile, calls the receptionist with the browser phone (Chromium's fake microphone plays a WAV of
a question, spoken over the greeting: a barge-in), watches the call appear live and in the inbox while it is written, and the agent answers with speech
taken from the profile just edited. Selenium runs in a thread: the daemon's event loop keeps its 20 ms clock."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from tests import browser
from tests.conftest import DaemonFactory
from tests.notify_helpers import wait_for
from tests.test_web_browser import shoot
from tests.web_helpers import PASSWORD, seed, web_config
from voicebridge.audio.wavfile import write_wav
from voicebridge.web.app import build_context

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not browser.available(), reason="needs Debian's chromium and chromium-driver")]

ANSWER = "You can park in the yard behind the workshop."


def _poll(check: Callable[[], object], timeout: float, what: str) -> object:
    return wait_for(check, timeout, what, every=0.2)  # a browser round trip per check: poll gently


def _call_row(db: Path, call_id: str) -> tuple[object, ...] | None:
    with sqlite3.connect(db) as conn:
        return conn.execute("select transport, sample_rate, end_reason from calls where id = ?", [call_id]).fetchone()


def _turns(db: Path, call_id: str, role: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("select text from turns where call_id = ? and role = ? order by seq", [call_id, role])]


def _browser_session(base: str, db: Path, wav: Path, shots: Path) -> dict[str, object]:
    flags = ("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", f"--use-file-for-fake-audio-capture={wav}",
             "--autoplay-policy=no-user-gesture-required")
    with browser.chromium(*flags) as driver:
        browser.sign_in(driver, base, "olga", PASSWORD)
        browser.wait_for(driver, "#calls, .empty")
        driver.get(base + "/profile")
        driver.find_element(By.ID, "faq_0_keywords").send_keys("park, parking")
        driver.find_element(By.ID, "faq_0_answer").send_keys("Sie können im Hof hinter der Werkstatt parken.")
        driver.find_element(By.ID, "faq_0_answer_en").send_keys(ANSWER)
        driver.find_element(By.ID, "profile-save").click()
        browser.wait_for(driver, "#profile-saved")
        shoot(driver, "profile", shots, 1100, 1500)

        driver.get(base + "/phone")
        phone_tab = driver.current_window_handle
        driver.find_element(By.ID, "phone-call").click()
        call_id = str(_poll(lambda: driver.execute_script("return window.vbPhone.callId"), 20, "the browser phone to connect"))

        driver.switch_to.new_window("tab")  # the owner watches the call while it is being written
        driver.get(base + "/live")
        browser.wait_for(driver, f".live-call[data-call='{call_id}']", 20)
        _poll(lambda: "park" in driver.find_element(By.CSS_SELECTOR, f".live-call[data-call='{call_id}']").text.lower(), 60,
              "the caller's question to appear on the live page")
        shoot(driver, "live", shots)
        driver.get(base + "/")
        item = browser.wait_for(driver, f"#calls li[data-call='{call_id}']")
        in_progress = "live" in item.get_attribute("innerHTML")  # type: ignore[operator]

        driver.switch_to.window(phone_tab)
        _poll(lambda: any(ANSWER in t for t in _turns(db, call_id, "agent")), 60, "the agent's answer from the edited profile")
        audible_before = int(driver.execute_script("return window.vbPhone.audible"))
        _poll(lambda: int(driver.execute_script("return window.vbPhone.audible")) > audible_before + 50, 30, "the answer to be heard")
        stats = dict(driver.execute_script("return window.vbPhone"))
        shoot(driver, "phone", shots, 420, 700)
        driver.find_element(By.ID, "phone-call").click()  # hang up
        _poll(lambda: (_call_row(db, call_id) or (None, None, None))[2], 20, "the call row to close")
        driver.get(f"{base}/calls/{call_id}")
        browser.wait_for(driver, "#transcript li")
        shoot(driver, "call-live", shots, 1100, 1400)
        return {"call_id": call_id, "in_progress": in_progress, "stats": stats}


async def test_browser_phone_live_inbox_and_profile_edit(tmp_path: Path, start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    config = web_config(tmp_path, enabled=True)
    seed(build_context(config))
    daemon = await start_daemon(config)
    assert daemon.web is not None
    # The fake microphone: the question 3 s into the greeting (a barge-in), then quiet (Chromium loops the file).
    wav = tmp_path / "caller.wav"
    write_wav(wav, bytes(16000 * 2 * 3) + say("Where can I park my van?", "en", 16000) + bytes(16000 * 2 * 40), 16000)
    shots = Path(os.environ.get("VOICEBRIDGE_SCREENSHOTS") or tmp_path)
    result = await asyncio.to_thread(_browser_session, f"http://127.0.0.1:{daemon.web.port}", config.database_path, wav, shots)
    call_id = str(result["call_id"])
    assert result["in_progress"], "the inbox showed the call as in progress while it was written"
    stats = result["stats"]
    assert isinstance(stats, dict) and stats["sent"] > 250 and stats["audible"] > 100  # microphone out, the agent's voice in
    # The caller talked over the greeting: the daemon cut it and the page dropped what it had queued.
    assert stats["clears"] >= 1
    with sqlite3.connect(config.database_path) as conn:
        greeting = conn.execute("select interrupted, text from turns where call_id = ? and role = 'agent' order by seq limit 1", [call_id]).fetchone()
    assert greeting[0] == 1 and "AI assistant" not in greeting[1]
    assert _call_row(config.database_path, call_id) == ("browser", 16000, "caller_hangup")
    assert any("park" in t.lower() for t in _turns(config.database_path, call_id, "caller"))
