"""Alert state on both databases: a bank-match rule fires once per subject, re-evaluating never
duplicates, growing evidence re-sends only new alerts, acknowledged ones are kept current without
being sent, dismissed ones stay dismissed, and a failed delivery is retried next time."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.exif_images import generated_jpeg
from tests.exports import message, single_chat, write_export
from tests.test_alerts_sinks import Receiver
from watchfloor.alerts.engine import evaluate
from watchfloor.alerts.rules import parse_rules
from watchfloor.alerts.state import get_alert, list_alerts, set_status
from watchfloor.analyzers.digests import DigestAnalyzer
from watchfloor.analyzers.match import Md5MatchAnalyzer
from watchfloor.analyzers.registry import AnalyzerRegistry
from watchfloor.cli import main
from watchfloor.ingest import ingest_paths
from watchfloor.matching.banks import create_bank, insert_entries
from watchfloor.matching.formats import HashEntry
from watchfloor.pipeline import run_analysis

RULES = """\
sinks:
  log: {{type: file, path: out/alerts.jsonl}}
  hook: {{type: webhook, url: "http://127.0.0.1:{port}/hook", secret: s, retries: 0}}
webhook_allow: [127.0.0.1/32]
rules:
  - id: leaflet
    type: bank_match
    severity: high
    params: {{banks: [leaflets]}}
    sinks: [log, hook]
"""


def post_photo(root: Path, chat_id: int, picture: Path) -> None:
    folder = root / f"chat{chat_id}"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / "p.jpg").write_bytes(picture.read_bytes())
    chat = single_chat([message(1, "look", photo="photos/p.jpg")], chat_id=chat_id,
                       name=f"Relay {chat_id}")  # fmt: skip
    write_export(folder, chat)


def add_post_and_analyse(store, settings, root: Path, chat_id: int, picture: Path) -> None:
    post_photo(root, chat_id, picture)
    ingest_paths(store, settings, [root / f"chat{chat_id}"])
    registry = AnalyzerRegistry({"digests": DigestAnalyzer, "md5_match": Md5MatchAnalyzer})
    run_analysis(store, settings, registry, workers=1)


def jsonl(settings) -> list[dict]:
    path = settings.workspace / "out" / "alerts.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def receiver():
    r = Receiver([500])  # the first delivery fails
    yield r
    r.close()


def test_firing_is_stateful_and_deduplicated(store, settings, tmp_path, receiver):
    picture = generated_jpeg(tmp_path / "leaflet.jpg", seed=3)
    md5 = hashlib.md5(picture.read_bytes()).hexdigest()
    with store.begin() as conn:
        bank = create_bank(conn, "leaflets")
        insert_entries(conn, bank.id, [HashEntry("md5", md5, label="leaflet")], None, "tester")
    ruleset = parse_rules(RULES.format(port=receiver.port))
    root = tmp_path / "exports"
    add_post_and_analyse(store, settings, root, 2001, picture)

    first = evaluate(store, ruleset, base=settings.workspace)
    assert (first.new, first.sent, len(first.failed)) == (1, 1, 1)
    assert "HTTP 500" in first.failed[0]["error"]
    with store.connect() as conn:
        (alert,) = list_alerts(conn)
    sha = hashlib.sha256(picture.read_bytes()).hexdigest()
    assert (alert.rule, alert.subject, alert.status, alert.count) == (
        "leaflet",
        f"media:{sha}",
        "new",
        1,
    )
    assert [p["channel"] for p in alert.evidence["posts"]] == ["telegram:2001"]
    assert alert.evidence["matches"][0]["label"] == "leaflet"
    assert {(d["sink"], d["status"]) for d in alert.deliveries} == {
        ("log", "sent"),
        ("hook", "failed"),
    }

    again = evaluate(store, ruleset, base=settings.workspace)  # nothing new; the hook is retried
    assert (again.new, again.rules[0].unchanged, again.sent, again.failed) == (0, 1, 1, [])
    assert len(jsonl(settings)) == 1 and len(receiver.requests) == 2
    with store.connect() as conn:
        hook = next(d for d in get_alert(conn, alert.id).deliveries if d["sink"] == "hook")
    assert (hook["status"], hook["attempts"], hook["error"]) == ("sent", 2, None)

    add_post_and_analyse(store, settings, root, 2002, picture)  # the evidence grows
    grown = evaluate(store, ruleset, base=settings.workspace)
    assert (grown.new, grown.rules[0].updated, grown.sent) == (0, 1, 2)
    sent = jsonl(settings)
    assert [a["revision"] for a in sent] == [1, 2] and sent[1]["count"] == 2
    assert len(sent[1]["evidence"]["posts"]) == 2

    with store.begin() as conn:
        set_status(conn, alert.id, "acknowledged", by="analyst", note="known leaflet")
    add_post_and_analyse(store, settings, root, 2003, picture)
    acked = evaluate(store, ruleset, base=settings.workspace)
    assert (acked.rules[0].updated, acked.sent) == (1, 0)
    with store.connect() as conn:
        current = get_alert(conn, alert.id)
    assert (current.status, current.revision, current.status_by) == ("acknowledged", 3, "analyst")
    assert len(current.evidence["posts"]) == 3 and len(jsonl(settings)) == 2

    with store.begin() as conn:
        set_status(conn, alert.id, "dismissed", note="benign")
    add_post_and_analyse(store, settings, root, 2004, picture)
    evaluate(store, ruleset, base=settings.workspace)
    with store.connect() as conn:
        (final,) = list_alerts(conn)
        assert list_alerts(conn, status="new") == []
    assert (final.status, final.count, final.status_note) == ("dismissed", 4, "benign")
    assert len(jsonl(settings)) == 2 and len(receiver.requests) == 3


def test_alerts_commands(store, settings, tmp_path):
    picture = generated_jpeg(tmp_path / "leaflet.jpg", seed=4)
    md5 = hashlib.md5(picture.read_bytes()).hexdigest()
    with store.begin() as conn:
        bank = create_bank(conn, "leaflets")
        insert_entries(conn, bank.id, [HashEntry("md5", md5, label="leaflet")], None, "tester")
    add_post_and_analyse(store, settings, tmp_path / "exports", 2001, picture)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.format(port=9).replace("[log, hook]", "[log]"))
    base = ["--workspace", str(settings.workspace), "--db", settings.db_url]
    runner = CliRunner()
    done = runner.invoke(main, [*base, "alerts", "evaluate", "--rules", str(rules), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["new"] == 1
    listed = json.loads(
        runner.invoke(main, [*base, "alerts", "--json", "--severity", "high"]).output
    )
    assert [a["rule"] for a in listed] == ["leaflet"]
    assert (
        runner.invoke(main, [*base, "alerts", "--json", "--severity", "critical"]).output.strip()
        == "[]"
    )
    ack = runner.invoke(main, [*base, "alerts", "ack", str(listed[0]["id"]), "--note", "seen"])
    assert ack.exit_code == 0 and "acknowledged" in ack.output
    acked = json.loads(
        runner.invoke(main, [*base, "alerts", "--json", "--status", "acknowledged"]).output
    )
    assert acked[0]["status_note"] == "seen"
    missing = runner.invoke(main, [*base, "alerts", "dismiss", "999"])
    assert missing.exit_code == 1 and "no alert 999" in missing.output
    text = runner.invoke(main, [*base, "alerts"])
    assert text.exit_code == 0 and "leaflet" in text.output
