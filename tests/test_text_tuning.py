"""Analysts tune the threat scoring from the command line (both databases), and the next
analysis re-scores with their lexicon entries and exemplars."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tests.exports import message, single_chat, write_export
from watchfloor.analyzers.registry import AnalyzerRegistry
from watchfloor.analyzers.text import ThreatAnalyzer
from watchfloor.cli import main
from watchfloor.ingest import ingest_paths
from watchfloor.pipeline import run_analysis
from watchfloor.store.schema import signals
from watchfloor.text.exemplars import shipped_exemplars
from watchfloor.text.lexicon import shipped_entries

CODE_WORD_POST = "Operation Lantern begins at the old bridge tonight."
THREAT_POST = "We are among you. Wait for us, the old bridge is next."
BENIGN_POST = "Lovely sunset at the old bridge, bring a picnic."


@pytest.fixture
def cli(settings):
    base = ["--workspace", str(settings.workspace), "--db", settings.db_url]

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(main, [*base, *args], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.stdout

    return run


def test_lexicon_add_list_remove(cli, store):
    out = cli(
        "lexicon", "add", "en", "Operation Lantern", "--label", "threat", "--note", "code word"
    )
    ref = out.split()[3].rstrip(":")
    assert ref.startswith("a")
    rows = json.loads(cli("lexicon", "list", "--language", "en", "--label", "threat", "--json"))
    mine = [r for r in rows if r["ref"] == ref]
    assert mine and mine[0]["source"] == "analyst" and mine[0]["note"] == "code word"
    assert mine[0]["added_by"] and mine[0]["added_at"]
    # the same key again updates the row instead of adding a second one
    cli("lexicon", "add", "en", "Operation Lantern", "--label", "threat", "--weight", "2")
    rows = json.loads(cli("lexicon", "list", "--json"))
    assert [r["weight"] for r in rows if r["phrase"] == "Operation Lantern"] == [2.0]
    assert f"deleted {ref}" in cli("lexicon", "remove", ref)
    cli("lexicon", "remove", ref, code=1)


def test_removing_a_shipped_entry_masks_it(cli, store):
    shipped = shipped_entries()
    n = next(i for i, e in enumerate(shipped, 1) if e.phrase == "wait for us")
    assert "removed shipped" in cli("lexicon", "remove", f"s{n}")
    active = json.loads(cli("lexicon", "list", "--json"))
    assert f"s{n}" not in {r["ref"] for r in active}
    listed = json.loads(cli("lexicon", "list", "--all", "--json"))
    assert {r["ref"]: r["state"] for r in listed}[f"s{n}"] == "removed"
    # adding it back as an analyst entry replaces the shipped one
    cli("lexicon", "add", "en", "wait for us", "--label", "threat", "--weight", "0.5")
    listed = json.loads(cli("lexicon", "list", "--all", "--json"))
    assert {r["ref"]: r["state"] for r in listed}[f"s{n}"] == "replaced"


def test_bad_entries_are_usage_errors(cli, store):
    cli("lexicon", "add", "en", "(unclosed", "--label", "threat", "--kind", "regex", code=2)
    cli("lexicon", "add", "en", "x*", "--label", "threat", "--kind", "regex", code=2)
    cli("lexicon", "add", "en", "fine", "--label", "neutral", code=2)
    cli("lexicon", "remove", "s999999", code=1)
    cli("exemplars", "add", "   ", "--label", "threat", "--language", "en", code=2)


def test_exemplars_add_list_remove(cli, store):
    out = cli("exemplars", "add", "Operation Lantern has begun, brothers.", "--label", "threat")
    assert "(en)" in out  # language detected
    ref = out.split()[2].rstrip(":")
    rows = json.loads(cli("exemplars", "list", "--label", "threat", "--json"))
    assert any(r["ref"] == ref and r["source"] == "analyst" for r in rows)
    assert len(rows) == 1 + sum(e.label == "threat" for e in shipped_exemplars())
    cli("exemplars", "remove", ref)
    cli("exemplars", "remove", "s1")
    rows = json.loads(cli("exemplars", "list", "--all", "--json"))
    assert {r["ref"]: r["state"] for r in rows}["s1"] == "removed"


def test_score_text_shows_the_evidence(cli, store):
    cli("lexicon", "add", "en", "operation lantern", "--label", "threat")
    report = json.loads(cli("score-text", CODE_WORD_POST, "--json"))
    assert report["stage"] == "embedding"
    assert [h["source"] for h in report["lexicon"]] == ["analyst"]
    assert report["lexicon"][0]["text"] == "Operation Lantern"
    assert len(report["exemplars"]) == 3


def _threat_signals(store) -> dict[int, dict]:
    with store.connect() as conn:
        rows = conn.execute(select(signals).where(signals.c.analyzer == "threat")).mappings()
        return {int(r["subject"].rsplit("/", 1)[1]): dict(r) for r in rows}


def test_analyst_additions_rescore_posts(cli, store, settings, tmp_path):
    posts = [message(1, CODE_WORD_POST), message(2, THREAT_POST), message(3, BENIGN_POST)]
    ingest_paths(store, settings, [write_export(tmp_path / "export", single_chat(posts))])
    registry = AnalyzerRegistry.from_entry_points()
    run_analysis(store, settings, registry, only=["language", "threat"])
    first = _threat_signals(store)
    assert set(first) == {2}  # the code word and the sunset never reach the embedder
    assert first[2]["value"]["label"] == "threat" and first[2]["score"] >= 0.5

    cli("lexicon", "add", "en", "operation lantern", "--label", "threat", "--weight", "2")
    cli("exemplars", "add", "Operation Lantern will light up your city.", "--label", "threat")
    again = run_analysis(store, settings, registry, only=["language", "threat"])
    threat_run = next(r for r in again.analyzers if r.analyzer == "threat")
    assert threat_run.considered == 3  # a new effective version: every post is scored again
    second = _threat_signals(store)
    assert set(second) == {1, 2}
    assert second[1]["version"] != first[2]["version"]
    evidence = second[1]["evidence"]
    assert [h["phrase"] for h in evidence["lexicon"]] == ["operation lantern"]
    assert evidence["exemplars"][0]["source"] == "analyst"


def test_effective_version_follows_the_tuning(cli, store):
    before = ThreatAnalyzer()
    before.prepare(store)
    cli("exemplars", "add", "Nothing to see here, just a test.", "--label", "neutral")
    after = ThreatAnalyzer()
    after.prepare(store)
    assert before.effective_version != after.effective_version
    assert ThreatAnalyzer().effective_version == before.effective_version  # no additions yet
