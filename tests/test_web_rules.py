"""Rules page and /api/v1/rules: everyone sees the rules in force; admins edit a validated
workspace rules.yaml (problems with their lines, the old file kept as .bak, audited)."""

from __future__ import annotations

import re

from watchfloor.accounts import audit
from watchfloor.alerts.rules import example_rules_path, load_rules

GOOD = """\
rules:
  - id: quiet-outlet
    type: reactivation
    severity: high
    sinks: [log]
sinks:
  log:
    type: file
    path: alerts/alerts.jsonl
"""

BAD = """\
rules:
  - id: one
    type: no_such_type
    severity: high
  - id: two
    type: reactivation
    severity: extreme
sinks: {}
"""


def test_viewers_see_the_shipped_rules_without_the_file_text(web):
    shipped = load_rules(example_rules_path())
    client, _ = web.browser("viewer")
    page = client.get("/rules")
    assert page.status_code == 200 and "shipped examples" in page.text
    for rule in shipped.rules:
        assert f"<code>{rule.id}</code>" in page.text
    assert "<textarea" not in page.text
    api = web.api("viewer", "read").get("/api/v1/rules").json()
    assert [r["id"] for r in api["rules"]] == [r.id for r in shipped.rules]
    assert "text" not in api and "path" not in api
    assert "text" in web.api("admin", "read").get("/api/v1/rules").json()


def test_admin_saves_valid_rules_and_keeps_the_previous_file(web):
    client, csrf = web.browser("admin")
    saved = client.post("/rules", data={"text": GOOD, "csrf_token": csrf}, follow_redirects=True)
    assert "rules saved" in saved.text and "<code>quiet-outlet</code>" in saved.text
    path = web.settings.workspace / "rules.yaml"
    assert path.read_text() == GOOD
    second = GOOD.replace("quiet-outlet", "quiet-outlet-2")
    client.post("/rules", data={"text": second, "csrf_token": csrf})
    assert path.read_text() == second
    assert (web.settings.workspace / "rules.yaml.bak").read_text() == GOOD
    with web.store.connect() as conn:
        entries = audit.list_audit(conn, action="rules_edit")
    assert [e.detail["ids"] for e in entries] == [["quiet-outlet-2"], ["quiet-outlet"]]
    assert {e.actor for e in entries} == {"admin-user"}


def test_invalid_rules_are_refused_with_their_lines_and_nothing_is_written(web):
    client, csrf = web.browser("admin")
    refused = client.post("/rules", data={"text": BAD, "csrf_token": csrf})
    assert refused.status_code == 400
    problems = re.findall(r"<li>line (\d+): ", refused.text)
    assert problems == ["3", "7"], refused.text
    assert "no_such_type" in refused.text  # the draft is kept in the editor
    assert not (web.settings.workspace / "rules.yaml").exists()
    api = web.api("admin").put("/api/v1/rules", json={"text": "rules: [\n"})
    assert api.status_code == 422 and api.json()["problems"][0]["message"]
    ok = web.api("admin").put("/api/v1/rules", json={"text": GOOD})
    assert ok.status_code == 200 and [r["id"] for r in ok.json()["rules"]] == ["quiet-outlet"]
    analyst, acsrf = web.browser("analyst")
    assert analyst.post("/rules", data={"text": GOOD, "csrf_token": acsrf}).status_code == 403
    with web.store.connect() as conn:
        assert len(audit.list_audit(conn, action="rules_edit")) == 1
