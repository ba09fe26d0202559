"""`watchfloor ingest` and `watchfloor analyze`, killed with SIGKILL at seeded random points and
resumed, end with exactly what a clean run gives: the same posts, media and signals, nothing
doubled, no half-written media object, and nothing (lock, half-built index) that stops a resume.
"""

from __future__ import annotations

import pytest

from tests.crash_corpus import snapshot, write_corpus
from tests.crash_kills import (
    Scenario,
    close_engines,
    finish,
    kill_rounds,
    media_problems,
)

KILLS = 20
SEED = 8


def compare_with_clean(tmp_path, db_url_for, kills: int, seed: int) -> Scenario:
    exports = write_corpus(tmp_path / "exports", messages=240, images=10)
    clean = Scenario(tmp_path / "clean", db_url_for("clean"), exports)
    finish(clean)
    crashed = Scenario(tmp_path / "crashed", db_url_for("crashed"), exports)
    try:
        kill_rounds(crashed, kills, seed)
    finally:
        close_engines()
    finish(crashed)

    expected, got = snapshot(clean.db_url), snapshot(crashed.db_url)
    for table in ("posts", "media", "post_media", "signals"):
        doubled = [row for row, n in got[table].items() if n > 1]
        assert not doubled, f"{table} doubled after kills: {doubled[:3]}"
        assert got[table] == expected[table], f"{table} differ from the clean run"
    assert sum(expected["signals"].values()) > 0 and sum(expected["media"].values()) >= 8
    bad, _leftovers = media_problems(crashed.workspace / "media")
    assert not bad, f"half-written media objects: {bad}"
    assert sum(k.killed for k in crashed.kills) >= kills // 2, [k.line() for k in crashed.kills]
    return crashed


def test_sigkilled_ingest_and_analyze_resume_to_the_clean_result(tmp_path):
    def sqlite_url(name: str) -> str:
        return f"sqlite:///{tmp_path / name / 'watchfloor.db'}"

    crashed = compare_with_clean(tmp_path, sqlite_url, KILLS, SEED)
    assert not any(k.orphans for k in crashed.kills), [k.line() for k in crashed.kills]


@pytest.mark.postgres
def test_sigkilled_runs_resume_on_postgresql(tmp_path, postgres_server):
    from tests.conftest import fresh_postgres_db

    compare_with_clean(tmp_path, lambda _name: fresh_postgres_db(postgres_server), 6, SEED + 1)
