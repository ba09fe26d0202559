"""Emblems, gallery and outlets pages and API: demo content, blurred reference images with an
audited reveal, edits by role (audited, both databases)."""

from __future__ import annotations

import io
import re

import pytest

from tests.emblem_composites import flag_arden, logo_vexa
from watchfloor.accounts import audit


def png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def last_actions(env, actor: str) -> list[tuple[str, str | None, str]]:
    with env.store.connect() as conn:
        found = audit.list_audit(conn, actor=actor)
    return [(e.action, e.target_id, e.origin) for e in found]


# ---- demo content ----------------------------------------------------------------------------


def test_demo_emblems_are_listed_blurred_and_revealed_on_request(demo_web):
    client, csrf = demo_web.browser("viewer")
    page = client.get("/emblems")
    assert page.status_code == 200 and "Northwind badge" in page.text
    shas = re.findall(r'src="/references/([0-9a-f]{64})/preview"', page.text)
    assert shas, "emblem images are shown as blurred previews"
    assert not re.search(r'src="/references/[0-9a-f]{64}"', page.text)
    sha = shas[0]
    preview = client.get(f"/references/{sha}/preview")
    assert preview.headers["content-type"] == "image/jpeg"
    assert preview.headers["cache-control"] == "no-store"
    assert client.get(f"/references/{sha}").status_code == 403
    assert "Add an emblem" not in page.text  # viewers do not edit
    revealed = client.post(
        f"/references/{sha}/reveal",
        data={"csrf_token": csrf, "next": "/emblems"},
        follow_redirects=True,
    )
    assert f'src="/references/{sha}"' in revealed.text
    original = client.get(f"/references/{sha}")
    assert original.status_code == 200 and original.headers["content-type"] == "image/png"
    assert ("reveal_media", sha, "web") in last_actions(demo_web, "viewer-user")
    assert client.get(f"/references/{'0' * 64}/preview").status_code == 404


def test_demo_gallery_and_outlets_pages_and_api(demo_web):
    client, _csrf = demo_web.browser("viewer")
    gallery = client.get("/gallery")
    assert gallery.status_code == 200
    for landmark in ("Tower Bridge", "Eiffel Tower", "Atomium"):
        assert landmark in gallery.text
    one = client.get("/gallery", params={"landmark": "Atomium"})
    assert one.text.count("/preview") >= 1 and "Eiffel Tower</td>" not in one.text
    outlets = client.get("/outlets")
    assert "Northwind Media Office" in outlets.text and "Harbour Desk News" in outlets.text
    api = demo_web.api("viewer", "read")
    listed = api.get("/api/v1/gallery", params={"limit": 2}).json()
    assert len(listed["images"]) == 2 and listed["total"] >= 6
    assert {p["landmark"] for p in listed["landmarks"]} >= {"Tower Bridge", "Damrak"}
    names = {o["name"] for o in api.get("/api/v1/outlets").json()["outlets"]}
    assert names >= {"Northwind Media Office", "Harbour Desk News"}
    labels = {e["label"] for e in api.get("/api/v1/emblems").json()["emblems"]}
    assert "Northwind badge" in labels


# ---- edits, both databases -------------------------------------------------------------------


def test_emblem_add_disable_remove_in_the_browser_is_audited(web):
    client, csrf = web.browser("analyst")
    added = client.post(
        "/emblems",
        data={"label": "Arden flag", "kind": "flag", "csrf_token": csrf},
        files={"file": ("arden.png", png(flag_arden()), "image/png")},
        follow_redirects=True,
    )
    assert "added emblem" in added.text and "Arden flag" in added.text
    emblem_id = re.search(r"/emblems/(\d+)/state", added.text).group(1)
    flat = client.post(
        "/emblems",
        data={"label": "flat", "csrf_token": csrf},
        files={"file": ("flat.png", png(flag_arden().resize((20, 20))), "image/png")},
    )
    assert flat.status_code == 400 and "48" in flat.text
    disabled = client.post(
        f"/emblems/{emblem_id}/state", data={"csrf_token": csrf}, follow_redirects=True
    )
    assert "disabled" in disabled.text
    client.post(f"/emblems/{emblem_id}/remove", data={"csrf_token": csrf})
    assert "Arden flag" not in client.get("/emblems").text
    assert [a for a, _, _ in last_actions(web, "analyst-user") if a.startswith("emblem")] == [
        "emblem_remove",
        "emblem_disable",
        "emblem_add",
    ]
    viewer, vcsrf = web.browser("viewer")
    assert (
        viewer.post(f"/emblems/{emblem_id}/remove", data={"csrf_token": vcsrf}).status_code == 403
    )


def test_emblem_api_upload_state_and_errors(web):
    api = web.api("analyst")
    made = api.post(
        "/api/v1/emblems",
        data={"label": "Vexa logo"},
        files={"file": ("vexa.png", png(logo_vexa()), "image/png")},
    )
    assert made.status_code == 201, made.text
    emblem_id = made.json()["id"]
    again = api.post(
        "/api/v1/emblems",
        data={"label": "Vexa logo"},
        files={"file": ("vexa.png", png(logo_vexa()), "image/png")},
    )
    assert again.status_code == 409
    junk = api.post(
        "/api/v1/emblems", data={"label": "junk"}, files={"file": ("j.png", b"nope", "image/png")}
    )
    assert junk.status_code == 422
    state = api.patch(f"/api/v1/emblems/{emblem_id}", json={"enabled": False})
    assert state.json()["enabled"] is False
    assert api.delete(f"/api/v1/emblems/{emblem_id}").json()["label"] == "Vexa logo"
    assert api.delete(f"/api/v1/emblems/{emblem_id}").status_code == 404
    assert [a for a, _, o in last_actions(web, "analyst-bot") if o == "api"] == [
        "emblem_remove",
        "emblem_disable",
        "emblem_add",
    ]


def test_gallery_add_import_and_remove(web, tmp_path):
    client, csrf = web.browser("analyst")
    photo = png(flag_arden())
    added = client.post(
        "/gallery",
        data={"landmark": "Old Mill", "city": "Brugge", "country": "Belgium", "lat": "51.2",
              "lon": "3.2", "csrf_token": csrf},
        files={"file": ("mill.png", photo, "image/png")},
        follow_redirects=True,
    )  # fmt: skip
    assert "1 added" in added.text and "Old Mill" in added.text
    half = client.post(
        "/gallery",
        data={"landmark": "Half", "lat": "10", "csrf_token": csrf},
        files={"file": ("h.png", photo, "image/png")},
    )
    assert half.status_code == 400 and "both latitude and longitude" in half.text
    csv_text = "file,landmark,city,country,lat,lon\nvexa.png,Vexa Square,Nowhere,Utopia,1,2\n"
    csv_text += "missing.png,Ghost,,,,\n"
    imported = client.post(
        "/gallery/import",
        data={"csrf_token": csrf},
        files=[
            ("csv_file", ("places.csv", csv_text.encode(), "text/csv")),
            ("file", ("vexa.png", png(logo_vexa()), "image/png")),
        ],
        follow_redirects=True,
    )
    assert "1 added" in imported.text and "1 rejected" in imported.text
    assert "Vexa Square" in imported.text
    api = web.api("analyst")
    listed = api.get("/api/v1/gallery", params={"landmark": "Old Mill"}).json()
    (entry,) = listed["images"]
    assert entry["city"] == "Brugge" and entry["lat"] == pytest.approx(51.2)
    assert api.delete(f"/api/v1/gallery/{entry['id']}").json() == {"removed": 1}
    client.post("/gallery/remove", data={"landmark": "Vexa Square", "csrf_token": csrf})
    assert api.get("/api/v1/gallery").json()["total"] == 0
    actions = [a for a, _, _ in last_actions(web, "analyst-user") if a.startswith("gallery")]
    assert actions == ["gallery_remove", "gallery_import", "gallery_add"]


def test_outlet_add_edit_rename_remove(web):
    client, csrf = web.browser("analyst")
    form = {"name": "Northwind Media Office", "kind": "official", "handles": "@northwind\nnw2",
            "aliases": "نورثويند", "signatures": "Northwind Media Office:", "csrf_token": csrf}  # fmt: skip
    saved = client.post("/outlets", data=form, follow_redirects=True)
    assert "saved outlet" in saved.text and "@northwind, @nw2" in saved.text
    edit = client.get("/outlets", params={"edit": "Northwind Media Office"})
    assert "Edit Northwind Media Office" in edit.text and "نورثويند" in edit.text
    renamed = form | {"name": "Northwind Office", "kind": "supporter",
                      "previous": "Northwind Media Office"}  # fmt: skip
    client.post("/outlets", data=renamed)
    api = web.api("viewer", "read")
    (outlet,) = api.get("/api/v1/outlets").json()["outlets"]
    assert outlet["name"] == "Northwind Office" and outlet["kind"] == "supporter"
    bad = client.post("/outlets", data=form | {"kind": "nonsense"})
    assert bad.status_code == 400 and "nonsense" in bad.text
    put = web.api("analyst").put("/api/v1/outlets/Harbour Desk", json={"kind": "news"})
    assert put.status_code == 200 and put.json()["kind"] == "news"
    client.post("/outlets/remove", data={"name": "Northwind Office", "csrf_token": csrf})
    assert [o["name"] for o in api.get("/api/v1/outlets").json()["outlets"]] == ["Harbour Desk"]
    assert [a for a, _, _ in last_actions(web, "analyst-user")][:3] == [
        "outlet_remove",
        "outlet_edit",
        "outlet_add",
    ]
    assert ("outlet_add", "Harbour Desk", "api") in last_actions(web, "analyst-bot")
