"""Bank pages and /api/v1/banks: listing, edits by role (audited), look-up by hash and image."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re

from tests.emblem_composites import flag_arden, logo_vexa
from watchfloor.accounts import audit
from watchfloor.pdq import pdq_hash_array


def png_bytes(image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def actions(web, **filters) -> list[tuple[str, str, str | None]]:
    with web.store.connect() as conn:
        return [(e.actor, e.action, e.origin) for e in audit.list_audit(conn, **filters)]


def test_analyst_creates_fills_and_changes_a_bank_in_the_browser(web):
    client, csrf = web.browser("analyst")
    response = client.post(
        "/banks",
        data={"name": "leaflets", "threshold": "20", "csrf_token": csrf},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "Bank leaflets" in response.text
    md5 = hashlib.md5(b"a file").hexdigest()
    flag = png_bytes(flag_arden())
    response = client.post(
        "/banks/leaflets/entries",
        data={"hashes": f"{md5}\n", "label": "Arden flag", "csrf_token": csrf},
        files={"file": ("arden.png", flag, "image/png")},
        follow_redirects=True,
    )
    assert "2 added" in response.text, response.text
    assert md5 in response.text and "arden.png" in response.text
    response = client.post(
        "/banks/leaflets/entries/state",
        data={"value": md5, "csrf_token": csrf},
        follow_redirects=True,
    )
    assert "entry disabled" in response.text
    assert "2 entries (1 disabled)" in response.text  # counts follow every change
    assert re.search(rf"{md5}</code>.*?<td>disabled</td>", response.text, re.S)
    bad = client.post(
        "/banks/leaflets/entries", data={"hashes": "abc\nnot hex", "csrf_token": csrf}
    )
    assert bad.status_code == 400 and "line 1" in bad.text and "line 2" in bad.text
    done = [a for _, a, _ in actions(web, actor="analyst-user") if a.startswith("bank")]
    assert done == ["bank_entry_disable", "bank_entry_add", "bank_entry_add", "bank_create"]
    assert {o for _, _, o in actions(web, actor="analyst-user", action="bank_create")} == {"web"}


def test_viewer_sees_banks_but_cannot_edit(web):
    analyst = web.api("analyst")
    assert analyst.post("/api/v1/banks", json={"name": "seen"}).status_code == 201
    client, csrf = web.browser("viewer")
    page = client.get("/banks")
    assert page.status_code == 200 and "/banks/seen" in page.text
    assert "New bank" not in page.text
    refused = client.post("/banks", data={"name": "mine", "csrf_token": csrf})
    assert refused.status_code == 403
    assert client.get("/banks/nothing-here").status_code == 404


def test_api_lookup_by_hash_and_by_uploaded_image_with_distance(web):
    api = web.api("analyst")
    api.post("/api/v1/banks", json={"name": "known", "threshold": 31})
    flag = flag_arden()
    pdq = pdq_hash_array(__import__("numpy").asarray(flag.convert("RGB"))).hash
    added = api.post(
        "/api/v1/banks/known/images", files=[("files", ("flag.png", png_bytes(flag), "image/png"))]
    )
    assert added.status_code == 201 and added.json()["added"] == 1, added.text
    md5 = hashlib.md5(b"leaflet bytes").hexdigest()
    assert api.post("/api/v1/banks/known/entries", json={"hashes": [md5]}).json()["added"] == 1

    reader = web.api("viewer")
    by_md5 = reader.get("/api/v1/banks/lookup", params={"hash": md5}).json()
    assert [(m["bank"], m["distance"]) for m in by_md5["matches"]] == [("known", 0)]
    by_pdq = reader.get("/api/v1/banks/lookup", params={"hash": pdq}).json()
    assert by_pdq["matches"] and by_pdq["matches"][0]["distance"] <= 31
    rotated = png_bytes(flag.rotate(90, expand=True))
    found = reader.post("/api/v1/banks/lookup", files={"file": ("r.png", rotated, "image/png")})
    assert found.status_code == 200, found.text
    match = found.json()["matches"][0]
    assert match["bank"] == "known" and match["transform"] != "orig"
    other = reader.post(
        "/api/v1/banks/lookup", files={"file": ("o.png", png_bytes(logo_vexa()), "image/png")}
    )
    assert other.json()["matches"] == []
    read_only = web.api("viewer", "read")
    assert read_only.get("/api/v1/banks/lookup", params={"hash": md5}).status_code == 200
    bad = read_only.get("/api/v1/banks/lookup", params={"hash": "xyz"})
    assert bad.status_code == 422 and "hexadecimal" in bad.json()["error"]


def test_api_refuses_an_upload_over_the_limit_and_an_undecodable_image(web, monkeypatch):
    api = web.api("viewer")
    junk = api.post("/api/v1/banks/lookup", files={"file": ("x.png", b"not a png", "image/png")})
    assert junk.status_code == 200 and junk.json()["pdq"] is None
    assert "no PDQ" in junk.json()["skipped"]
    small = dataclasses.replace(web.app.state.settings, max_image_bytes=1000)
    monkeypatch.setattr(web.app.state, "settings", small)
    big = api.post("/api/v1/banks/lookup", files={"file": ("b.png", b"x" * 5000, "image/png")})
    assert big.status_code == 413


def test_api_bank_edits_are_audited_with_origin_api(web):
    api = web.api("analyst")
    assert api.post("/api/v1/banks", json={"name": "b1"}).status_code == 201
    assert api.post("/api/v1/banks", json={"name": "b1"}).status_code == 409
    changed = api.patch("/api/v1/banks/b1", json={"threshold": 12, "enabled": False})
    assert changed.json()["threshold"] == 12 and changed.json()["enabled"] is False
    page = api.get("/api/v1/banks/b1", params={"limit": 100000}).json()
    assert page["limit"] == 500 and page["bank"]["revision"] == 1
    assert api.delete("/api/v1/banks/b1").json() == {"deleted": "b1", "entries": 0}
    assert api.get("/api/v1/banks/b1").status_code == 404
    assert [a for _, a, o in actions(web, actor="analyst-bot") if o == "api"] == [
        "bank_delete",
        "bank_update",
        "bank_create",
    ]
    assert web.api("viewer").post("/api/v1/banks", json={"name": "x"}).status_code == 403


def test_counts_of_a_bank_deleted_and_created_again_start_from_zero(web):
    api = web.api("analyst")
    md5 = hashlib.md5(b"x").hexdigest()
    for _ in range(2):
        assert api.post("/api/v1/banks", json={"name": "again"}).status_code == 201
        assert api.get("/api/v1/banks").json()["banks"][0]["entries"] == 0
        api.post("/api/v1/banks/again/entries", json={"hashes": [md5]})
        assert api.get("/api/v1/banks/again").json()["bank"]["entries"] == 1
        api.delete("/api/v1/banks/again")
