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
