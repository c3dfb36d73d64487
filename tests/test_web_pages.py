"""The web app's data protection and profile pages through Starlette's TestClient on a real SQLite file."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from tests.web_helpers import audit_rows, csrf_of, sign_in, site

CALL_A = "aaaa1111-0000-4000-8000-000000000001"


def test_subject_export_erase_with_confirmation_and_verify(tmp_path: Path) -> None:
    ctx, client = site(tmp_path)
    sign_in(client, "sam")
    token = csrf_of(client.get("/").text)
    assert client.get("/privacy").status_code == 403
    assert client.post("/privacy/erase", data={"phone": "0171 2345678", "confirm": "yes", "csrf_token": token}).status_code == 403
    client.cookies.clear()
    sign_in(client, "olga")
    token = csrf_of(client.get("/privacy").text)
    exported = client.post("/privacy/export", data={"phone": "0171 2345678", "csrf_token": token})
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/zip"
    data = json.loads(zipfile.ZipFile(io.BytesIO(exported.content)).read("export.json"))
    assert [c["id"] for c in data["calls"]] == [CALL_A]
    assert client.post("/privacy/erase", data={"phone": "12", "csrf_token": token}).status_code == 400
    preview = client.post("/privacy/erase", data={"phone": "+49 171 2345678", "csrf_token": token})
    assert "would erase 1 calls" in preview.text and 'id="erase-confirm"' in preview.text
    unconfirmed = client.post("/privacy/erase", data={"phone": "+49 171 2345678", "step": "confirm", "csrf_token": token})
    assert "Please confirm" in unconfirmed.text
    assert client.get(f"/calls/{CALL_A}").status_code == 200  # nothing erased yet
    done = client.post("/privacy/erase", data={"phone": "+49 171 2345678", "step": "confirm", "confirm": "yes", "csrf_token": token})
    assert "erased 1 calls" in done.text and "✓" in done.text
    assert client.get(f"/calls/{CALL_A}").status_code == 404
    verified = client.get("/privacy?verify=1").text
    assert "Chain intact" in verified
    actions = [(a, act) for a, act, _ in audit_rows(ctx, "default")]
    assert ("web:olga", "export") in actions and ("web:olga", "erase") in actions


def test_profile_editor_rules_and_roles(tmp_path: Path) -> None:
    from voicebridge.store.profiles import load_profiles, with_profiles

    ctx, client = site(tmp_path)
    sign_in(client, "vic")
    page = client.get("/profile").text
    assert "<fieldset class=\"plain\" disabled>" in page and 'id="profile-save"' not in page and "08:00-12:00, 13:00-17:00" in page  # the config file's profile
    assert client.post("/profile", data={"csrf_token": csrf_of(page), "tenant": "default", "hours_mon": "08:00-12:00"}).status_code == 403
    client.cookies.clear()
    sign_in(client, "olga")
    token = csrf_of(client.get("/profile").text)
    assert client.post("/profile", data={"csrf_token": token, "tenant": "weber", "hours_mon": "08:00-12:00"}).status_code == 404
    bad = client.post("/profile", data={"csrf_token": token, "tenant": "default", "holidays": "24.12.2026", "languages": "de"})
    assert bad.status_code == 400 and "write dates as YYYY-MM-DD" in bad.text
    no_answer = client.post("/profile", data={"csrf_token": token, "tenant": "default", "faq_0_keywords": "preis", "languages": "de"})
    assert no_answer.status_code == 400 and "faq[0]" in no_answer.text and "needs keywords and an answer" in no_answer.text
    ok = client.post("/profile", data={"csrf_token": token, "tenant": "default", "languages": "de", "hours_mon": "08:00-12:00, 13:00-17:00",
                                       "services": "Heizung\nSanitär", "emergency_keywords": "Rohrbruch", "office_target": "office",
                                       "faq_0_keywords": "preis, kosten", "faq_0_answer": "39 Euro Anfahrt."})
    assert ok.status_code == 303
    page = client.get("/profile").text
    assert "08:00-12:00, 13:00-17:00" in page and "preis, kosten" in page and "Last changed by web:olga" in page
    assert "<textarea id=\"services\" name=\"services\" rows=\"5\">Heizung\nSanitär</textarea>" in page
    with ctx.db.connect() as conn:
        config = with_profiles(ctx.config, load_profiles(conn))
    profile = config.tenant("default").profile
    assert profile.hours.mon == "08:00-12:00, 13:00-17:00" and profile.services == ("Heizung", "Sanitär") and profile.faq[0].keywords == ("preis", "kosten")
    assert config.tenant("weber").profile == ctx.config.tenant("weber").profile
    assert ("web:olga", "change", "profile") in audit_rows(ctx, "default")
    assert client.post("/profile/reset", data={"csrf_token": token, "tenant": "default"}).status_code == 303
    page = client.get("/profile").text
    assert "From the config file" in page and "preis, kosten" not in page and 'id="profile-reset"' not in page


def test_call_page_shows_field_provenance_and_timings(tmp_path: Path) -> None:
    _ctx, client = site(tmp_path)
    sign_in(client, "vic")
    page = client.get(f"/calls/{CALL_A}").text
    assert "<th scope=\"col\">Source</th>" in page
    assert "A-4711" in page and "inferred" in page and "confirmed" in page
    assert "stt_ms=1.0" in page  # per-turn timings
    assert client.get("/calls/aaaa2222-0000-4000-8000-000000000002").text.count("<th scope=\"col\">Source</th>") == 0
    assert 'id="call-back"' not in page  # calling back is staff work
    client.cookies.clear()
    sign_in(client, "sam")
    assert '<a href="tel:01712345678" id="call-back">' in client.get(f"/calls/{CALL_A}").text


async def test_browser_output_sends_voice_only_and_clears_on_barge_in() -> None:
    from voicebridge.transport.browser_server import BrowserOutput

    sent: list[bytes | str] = []

    class Socket:
        async def receive(self) -> bytes | str | None:
            return None

        async def send_bytes(self, data: bytes) -> None:
            sent.append(data)

        async def send_text(self, text: str) -> None:
            sent.append(text)

        async def close(self, code: int, reason: str) -> None:
            pass

    output = BrowserOutput(Socket())
    await output._send_frame(bytes(640))  # idle silence is not sent
    assert sent == []
    output.enqueue(b"\x01\x00" * 3200)
    assert output.flush() == 6400  # a barge-in dropped queued speech
    output.enqueue(b"\x02\x00" * 320)
    await output._send_frame(output._take())
    assert sent == ['{"type": "clear"}', b"\x02\x00" * 320]
    assert output.flush() == 0  # nothing cut: no clear
    await output._send_frame(b"\x03\x00" * 320)
    assert sent[-1] == b"\x03\x00" * 320


def test_owner_sets_retention_and_the_purge_applies_it(tmp_path: Path) -> None:
    from voicebridge.privacy.purge import purge_all
    from voicebridge.privacy.recordings import RecordingStore
    from voicebridge.store.call_store import CallStore

    ctx, client = site(tmp_path)
    sign_in(client, "sam")
    assert client.post("/privacy/retention", data={"csrf_token": csrf_of(client.get("/").text), "metadata_days": "1"}).status_code == 403
    client.cookies.clear()
    sign_in(client, "olga")
    token = csrf_of(client.get("/privacy").text)
    days = {"recordings_days": "7", "transcripts_days": "30", "notes_days": "90", "metadata_days": "180", "audit_log_days": "1095"}
    bad = client.post("/privacy/retention", data={**days, "notes_days": "400", "csrf_token": token, "tenant": "default"})
    assert bad.status_code == 400 and "longer than" in bad.text and "metadata_days" in bad.text
    assert client.post("/privacy/retention", data={**days, "transcripts_days": "x", "csrf_token": token}).status_code == 400
    # The seeded calls ended two days ago: one day of transcripts purges them now, for this business only.
    assert client.post("/privacy/retention", data={**days, "transcripts_days": "1", "csrf_token": token, "tenant": "default"}).status_code == 303
    assert 'value="1"' in client.get("/privacy").text
    store = CallStore(ctx.config.database_path)
    try:
        purge_all(store, RecordingStore.from_config(ctx.config), ctx.config)
        turns = dict(store.db.execute("select c.tenant, count(t.id) from calls c left join turns t on t.call_id = c.id group by c.tenant").fetchall())
    finally:
        store.close()
    assert turns == {"default": 0, "weber": 1}
    assert ("web:olga", "change", "retention") in audit_rows(ctx, "default")


def test_recording_player_only_for_recorded_calls_and_audited(tmp_path: Path) -> None:
    import wave

    from tests.privacy_helpers import add_call, voiced
    from voicebridge.store.call_store import CallStore

    ctx, client = site(tmp_path)
    store = CallStore(ctx.config.database_path)
    add_call(store, "cccc1111-0000-4000-8000-000000000005", caller="+49 171 1111111", texts=("Hallo",), recording="on")
    add_call(store, "cccc2222-0000-4000-8000-000000000006", caller="+49 171 2222222", texts=("Keine Aufnahme",), recording="refused")
    store.close()
    recorder = ctx.recordings.start("default", "cccc1111-0000-4000-8000-000000000005", 8000)
    recorder.write(voiced(0.5))
    recorder.close()
    sign_in(client, "vic")
    page = client.get("/calls/cccc1111-0000-4000-8000-000000000005").text
    assert '<audio controls preload="none" src="/calls/cccc1111-0000-4000-8000-000000000005/recording.wav">' in page
    audio = client.get("/calls/cccc1111-0000-4000-8000-000000000005/recording.wav")
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(audio.content)) as w:
        assert w.getframerate() == 8000 and w.getnframes() == 4000
    assert "<audio" not in client.get("/calls/cccc2222-0000-4000-8000-000000000006").text
    assert client.get("/calls/cccc2222-0000-4000-8000-000000000006/recording.wav").status_code == 404
    assert client.get("/calls/bbbb1111-0000-4000-8000-000000000003/recording.wav").status_code == 404  # another business
    reads = [t for a, act, t in audit_rows(ctx, "default") if a == "web:vic" and act == "read"]
    assert reads.count("cccc1111-0000-4000-8000-000000000005") == 2  # the page and the recording
