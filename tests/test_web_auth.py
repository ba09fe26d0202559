"""Authentication, roles, CSRF, tokens and the audit log of the web app and API."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from tests.webtools import PASSWORD, login
from watchfloor.accounts import audit, tokens, users
from watchfloor.web.routes.public import PUBLIC_PATHS

SAMPLE = {"sha256": "0" * 64, "relpath": "app.css"}


def concrete(path: str) -> str:
    return re.sub(r"\{([a-z_0-9]+)(:[a-z]+)?\}", lambda m: SAMPLE.get(m.group(1), "1"), path)


def protected_routes(app):
    for route in app.state.routes:
        if route.path in PUBLIC_PATHS:
            continue
        for method in sorted(route.methods - {"HEAD"}):
            yield method, route


def required_role(route) -> str | None:
    roles = [
        getattr(d.call, "required_role", None)
        for d in route.dependant.dependencies
        if getattr(d.call, "required_role", None)
    ]
    return max(roles, key=("viewer", "analyst", "admin").index) if roles else None


def test_every_route_but_the_public_ones_declares_a_role(web):
    missing = [f"{m} {r.path}" for m, r in protected_routes(web.app) if required_role(r) is None]
    assert missing == []
    assert len(list(protected_routes(web.app))) >= 5


def test_every_route_but_the_public_ones_refuses_anonymous_callers(web):
    client = web.client()
    for method, route in protected_routes(web.app):
        response = client.request(method, concrete(route.path), follow_redirects=False)
        if route.path.startswith("/api/") or method != "GET":
            assert response.status_code == 401, f"{method} {route.path}"
        else:
            assert response.status_code == 303, f"{method} {route.path}"
            assert response.headers["location"].startswith("/login?next=")


def test_roles_are_enforced_on_every_route(web):
    viewer, csrf = web.browser("viewer")
    for method, route in protected_routes(web.app):
        if required_role(route) == "viewer":
            continue
        response = viewer.request(
            method, concrete(route.path), headers={"x-csrf-token": csrf}, follow_redirects=False
        )
        assert response.status_code == 403, f"{method} {route.path}"


def test_login_sets_a_hardened_cookie_and_is_audited(web):
    client = web.client()
    web.user("ana", "analyst")
    login(client, "ana")
    cookie = next(c for c in client.cookies.jar if c.name == "wf_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite").lower() == "strict"
    with web.store.connect() as conn:
        entries = audit.list_audit(conn, actor="ana", action="login")
    assert len(entries) == 1 and entries[0].origin == "web"


def test_wrong_passwords_fail_then_pause(web):
    web.user("eve", "viewer")
    client = web.client()
    for _ in range(5):
        page = client.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
        bad = {"name": "eve", "password": "wrong password!", "login_token": token}
        assert client.post("/login", data=bad).status_code == 401
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    good = {"name": "eve", "password": PASSWORD, "login_token": token}
    assert client.post("/login", data=good, follow_redirects=False).status_code == 429
    with web.store.connect() as conn:
        assert len(audit.list_audit(conn, actor="eve", action="login_failed")) == 5


def test_login_form_needs_its_own_token(web):
    web.user("ben", "viewer")
    client = web.client()
    forged = {"name": "ben", "password": PASSWORD, "login_token": "forged"}
    assert client.post("/login", data=forged, follow_redirects=False).status_code == 400


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_login_never_redirects_off_site(web, target):
    web.user("kim", "viewer")
    client = web.client()
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    form = {"name": "kim", "password": PASSWORD, "login_token": token, "next": target}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_forms_without_the_csrf_token_are_refused(web):
    client, csrf = web.browser("analyst")
    plain = client.post("/account/preferences", data={"reveal_media": "true"})
    assert plain.status_code == 403
    other = client.post(
        "/account/preferences", data={"reveal_media": "true", "csrf_token": "x" * len(csrf)}
    )
    assert other.status_code == 403
    ok = client.post(
        "/account/preferences",
        data={"reveal_media": "true", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_logout_ends_the_session(web):
    client, csrf = web.browser("viewer")
    assert client.get("/account").status_code == 200
    client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_disabling_a_user_ends_sessions_and_tokens(web):
    client, _ = web.browser("analyst")
    secret = web.token("analyst")
    with web.store.begin() as conn:
        users.disable_user(conn, "analyst-user")
        users.disable_user(conn, "analyst-bot")
    assert client.get("/account", follow_redirects=False).status_code == 303
    with web.store.begin() as conn:
        assert tokens.authenticate_token(conn, secret) is None


def test_tokens_are_scoped_revocable_and_stored_hashed(web):
    secret = web.token("analyst", "read")
    with web.store.begin() as conn:
        owner = tokens.authenticate_token(conn, secret)
        assert owner is not None and owner.scopes == ("read",)
        stored = conn.exec_driver_sql("SELECT token_hash FROM api_tokens").scalars().all()
        assert secret not in stored
    client = web.client()
    client.headers["authorization"] = f"Bearer {secret}"
    assert client.get("/account").status_code == 200
    assert client.post("/account/preferences", data={"reveal_media": "true"}).status_code == 403
    with web.store.begin() as conn:
        tokens.revoke_token(conn, tokens.list_tokens(conn, "analyst-bot")[0].id)
    assert client.get("/account", follow_redirects=False).status_code == 303
    client.headers["authorization"] = "Bearer wf_not-a-real-token"
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_security_headers_on_every_answer(web):
    client, _ = web.browser("viewer")
    for path in ("/account", "/login", "/healthz"):
        headers = client.get(path).headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"


def test_health_needs_no_login(web):
    assert web.client().get("/healthz").json() == {"status": "ok", "database": True}


def _stored_image(web) -> str:
    from datetime import UTC, datetime

    from watchfloor.store.schema import media

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG")
    stored = web.store.media.put_bytes(buffer.getvalue())
    with web.store.begin() as conn:
        conn.execute(
            media.insert().values(
                sha256=stored.sha256,
                size=stored.size,
                mime="image/png",
                width=64,
                height=48,
                storage_path=stored.relpath,
                first_seen=datetime.now(UTC),
            )
        )
    return stored.sha256


def test_media_is_blurred_until_revealed_and_each_reveal_is_audited(web):
    sha = _stored_image(web)
    client, csrf = web.browser("viewer")
    preview = client.get(f"/media/{sha}/preview")
    assert preview.status_code == 200 and preview.headers["cache-control"] == "no-store"
    assert Image.open(io.BytesIO(preview.content)).mode == "L"  # greyscale
    assert client.get(f"/media/{sha}").status_code == 403
    reveal = client.post(
        f"/media/{sha}/reveal",
        data={"csrf_token": csrf, "next": "/account"},
        follow_redirects=False,
    )
    assert reveal.status_code == 303 and reveal.headers["location"] == "/account"
    original = client.get(f"/media/{sha}")
    assert original.status_code == 200 and original.headers["cache-control"] == "no-store"
    assert Image.open(io.BytesIO(original.content)).getpixel((0, 0)) == (200, 30, 30)
    other, _ = web.browser("analyst")
    assert other.get(f"/media/{sha}").status_code == 403
    with web.store.connect() as conn:
        entries = audit.list_audit(conn, action="reveal_media", target_id=sha)
    assert [e.actor for e in entries] == ["viewer-user"]


def test_the_reveal_preference_shows_originals(web):
    sha = _stored_image(web)
    client, csrf = web.browser("analyst")
    client.post("/account/preferences", data={"reveal_media": "true", "csrf_token": csrf})
    assert client.get(f"/media/{sha}").status_code == 200


def test_static_files_cannot_escape_their_folder(web):
    client, _ = web.browser("viewer")
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/../security.py").status_code == 404
    assert client.get("/static/%2e%2e/security.py").status_code == 404
