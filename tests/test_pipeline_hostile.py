"""Hostile and awkward images through ingest and the pool: each is hashed or quarantined with its
reason, none stops the run, and the good images beside them are all hashed."""

from __future__ import annotations

from tests.exports import message, single_chat, write_export
from tests.hostile_images import EXPECTED_CODE, write_all
from tests.test_pipeline import builtins, landscape
from watchfloor.ingest import ingest_paths
from watchfloor.pipeline import run_analysis
from watchfloor.store import queries


def test_hostile_images_are_quarantined_with_their_reason(store, settings, tmp_path):
    root = tmp_path / "export"
    cases = write_all(root / "files")
    msgs = [
        message(i + 1, name, file=f"files/{path.name}", media_type="file")
        for i, (name, path) in enumerate(sorted(cases.items()))
    ]
    good = [landscape(root / "photos" / f"g{i}.jpg", i) for i in range(3)]
    msgs += [message(100 + i, f"good {i}", photo=f"photos/{p.name}") for i, p in enumerate(good)]
    ingest_paths(store, settings, [write_export(root, single_chat(msgs))])

    report = run_analysis(store, settings, builtins(), workers=2)
    pdq = next(a for a in report.analyzers if a.analyzer == "pdq")
    assert pdq.errors == 0

    with store.connect() as conn:
        refs = {p["text"]: p["media"][0]["sha256"] for p in queries.list_posts(conn, limit=1000)}
        hashed = {s["subject"] for s in queries.list_signals(conn, kind="pdq", limit=1000)}
        rejected = {
            q["source"].removeprefix("media:"): q["code"]
            for q in queries.list_quarantine(conn, stage="analyze")
        }
    for name, code in EXPECTED_CODE.items():
        sha = refs[name]
        if code is None:
            assert sha in hashed, f"{name} should have been hashed"
        else:
            assert rejected.get(sha) == code, f"{name}: expected {code}, got {rejected.get(sha)}"
    assert all(refs[f"good {i}"] in hashed for i in range(len(good)))
