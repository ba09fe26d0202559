"""Users and audit pages and API (admin only): add, change role, disable, revoke anyone's
tokens; the audit log filtered by actor, action and dates, paged."""

from __future__ import annotations

import re

from tests.webtools import login
from watchfloor.accounts import audit, tokens, users


def test_admin_adds_a_user_changes_the_role_and_disables(web):
    client, csrf = web.browser("admin")
    added = client.post(
        "/users",
        data={"name": "nadia", "role": "viewer", "password": "a long enough test password",
              "csrf_token": csrf},
        follow_redirects=True,
    )  # fmt: skip
    assert "added nadia (viewer)" in added.text
    nadia = web.client()
    login(nadia, "nadia")
    assert nadia.get("/users").status_code == 403
    short = client.post(
        "/users", data={"name": "kim", "role": "viewer", "password": "short", "csrf_token": csrf}
    )
    assert short.status_code == 400 and "12 characters" in short.text
    changed = client.post(
        "/users/nadia/role", data={"role": "analyst", "csrf_token": csrf}, follow_redirects=True
    )
    assert "nadia is now analyst" in changed.text
    # the role change ended nadia's session: she logs in again with the new role
    assert nadia.get("/account", follow_redirects=False).status_code == 303
    login(nadia, "nadia")
    assert "analyst" in nadia.get("/account").text
    self_change = client.post("/users/admin-user/role", data={"role": "viewer", "csrf_token": csrf})
    assert self_change.status_code == 400
    client.post("/users/nadia/disable", data={"csrf_token": csrf})
    assert nadia.get("/account", follow_redirects=False).status_code == 303
    with web.store.connect() as conn:
        assert users.get_user(conn, "nadia").disabled
        done = [(e.action, e.target_id) for e in audit.list_audit(conn, actor="admin-user")]
    assert done[:3] == [("user_disable", "nadia"), ("user_role", "nadia"), ("user_add", "nadia")]


def test_admin_lists_and_revokes_anyones_token(web):
    secret = web.token("analyst")
    with web.store.connect() as conn:
        (info,) = tokens.list_tokens(conn, "analyst-bot")
    client, csrf = web.browser("admin")
    page = client.get("/users")
    assert f"/users/tokens/{info.id}/revoke" in page.text and "analyst-bot" in page.text
    bot = web.client()
    bot.headers["authorization"] = f"Bearer {secret}"
    assert bot.get("/api/v1/banks").status_code == 200
    client.post(f"/users/tokens/{info.id}/revoke", data={"csrf_token": csrf})
    assert bot.get("/api/v1/banks").status_code == 401
    api = web.api("admin")
    listed = api.get("/api/v1/users").json()
    assert {t["id"]: t["revoked_at"] is not None for t in listed["tokens"]}[info.id]
    assert api.post(f"/api/v1/tokens/{10**6}/revoke").status_code == 404


def test_users_api(web):
    api = web.api("admin")
    made = api.post("/api/v1/users", json={"name": "omar", "role": "analyst"})
    assert made.status_code == 201 and made.json()["role"] == "analyst"
    assert api.post("/api/v1/users", json={"name": "omar"}).status_code == 422
    assert api.patch("/api/v1/users/omar", json={"role": "viewer"}).json()["role"] == "viewer"
    assert api.patch("/api/v1/users/omar", json={"disabled": True}).json()["disabled"] is True
    assert api.patch("/api/v1/users/ghost", json={"role": "viewer"}).status_code == 404
    assert web.api("analyst").get("/api/v1/users").status_code == 403


def test_audit_page_filters_and_pages(web):
    with web.store.begin() as conn:
        for n in range(7):
            audit.record(conn, "ines", "bank_create", target_kind="bank", target_id=f"b{n}")
        audit.record(conn, "jo", "outlet_add", target_kind="outlet", target_id="Harbour")
    client, _ = web.browser("admin")
    page = client.get("/audit", params={"actor": "ines", "limit": 5})
    assert page.status_code == 200
    assert re.findall(r"<td>bank (b\d)", page.text.replace('<span dir="auto">', "")) == [
        "b6", "b5", "b4", "b3", "b2",
    ]  # fmt: skip
    assert "Next 5" in page.text and "actor=ines" in page.text
    second = client.get("/audit", params={"actor": "ines", "limit": 5, "offset": 5})
    assert "b1" in second.text and "b0" in second.text and "Next 5" not in second.text
    by_action = client.get("/audit", params={"action": "outlet_add"})
    assert "Harbour" in by_action.text and "b6" not in by_action.text
    future = client.get("/audit", params={"since": "2999-01-01"})
    assert "No entries." in future.text
    assert client.get("/audit", params={"since": "yesterday"}).status_code == 400
    api = web.api("admin", "read")
    body = api.get("/api/v1/audit", params={"actor": "ines", "limit": 3}).json()
    assert [e["target_id"] for e in body["entries"]] == ["b6", "b5", "b4"] and body["more"]
    today = body["entries"][0]["at"][:10]
    until = api.get("/api/v1/audit", params={"until": today, "action": "outlet_add"}).json()
    assert [e["actor"] for e in until["entries"]] == ["jo"]
    assert api.get("/api/v1/audit", params={"until": "nope"}).status_code == 422
    assert web.api("analyst", "read").get("/api/v1/audit").status_code == 403


def test_command_line_edits_are_audited_with_origin_cli(web, tmp_path):
    from click.testing import CliRunner

    from watchfloor.cli import main
    from watchfloor.identity import current_user

    def run(*args: str) -> None:
        base = ["--workspace", str(web.settings.workspace), "--db", web.settings.db_url]
        result = CliRunner().invoke(main, [*base, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output

    md5 = "0123456789abcdef0123456789abcdef"
    hashes = tmp_path / "list.txt"
    hashes.write_text(f"{md5}\n")
    run("banks", "create", "cli-bank")
    run("banks", "import", "cli-bank", str(hashes))
    run("banks", "disable", "cli-bank", md5)
    run("outlets", "add", "Harbour Desk News", "--kind", "news")
    run("outlets", "remove", "Harbour Desk News")
    with web.store.connect() as conn:
        found = [(e.action, e.target_id, e.origin) for e in audit.list_audit(conn)]
        actors = {e.actor for e in audit.list_audit(conn)}
    assert found == [
        ("outlet_remove", "Harbour Desk News", "cli"),
        ("outlet_add", "Harbour Desk News", "cli"),
        ("bank_entry_disable", "cli-bank", "cli"),
        ("bank_import", "cli-bank", "cli"),
        ("bank_create", "cli-bank", "cli"),
    ]
    assert actors == {current_user()}
    admin, _ = web.browser("admin")
    page = admin.get("/audit", params={"action": "bank_import"})
    assert "cli-bank" in page.text and "list.txt" in page.text
