"""SIGKILL `watchfloor ingest` and `watchfloor analyze` at many seeded random points, resume,
and compare the result with a clean run (the long version of tests/test_crash_safety.py).

    .venv/bin/python benchmarks/crash.py [--kills 100] [--seed 1] [--messages 400] [--images 16]
                                         [--server postgresql+psycopg://postgres@HOST:PORT]

Prints each kill (step, how the kill point was chosen, whole process group or only the main
process, progress before and at the kill, orphaned workers left) and the totals; exits 1 when
anything differs from the clean run: posts, media, post-media links or signals (subject,
analyzer, kind, value) missing, extra or doubled, a media object whose bytes do not hash to
its name, or a resume that failed. With ``--server`` both runs use fresh PostgreSQL databases
on that server instead of SQLite.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.crash_corpus import snapshot, write_corpus  # noqa: E402
from tests.crash_kills import (  # noqa: E402
    Scenario,
    close_engines,
    finish,
    kill_rounds,
    media_problems,
)


def db_url(base: Path, name: str, server: str | None) -> str:
    if server:
        from tests.conftest import fresh_postgres_db

        return fresh_postgres_db(server)
    return f"sqlite:///{base / name / 'watchfloor.db'}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kills", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--messages", type=int, default=400)
    p.add_argument("--images", type=int, default=16)
    p.add_argument("--server", help="PostgreSQL server URL without a database name")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="wf-crash-") as tmp:
        base = Path(tmp)
        exports = write_corpus(base / "exports", args.messages, args.images)
        clean = Scenario(base / "clean", db_url(base, "clean", args.server), exports)
        finish(clean)
        crashed = Scenario(base / "crashed", db_url(base, "crashed", args.server), exports)
        started = time.perf_counter()
        try:
            kill_rounds(crashed, args.kills, args.seed)
        finally:
            close_engines()
        finish(crashed)
        problems = compare(snapshot(clean.db_url), snapshot(crashed.db_url))
        bad, leftovers = media_problems(crashed.workspace / "media")
        problems += [f"half-written media object {b}" for b in bad]
        kills = crashed.kills
        print(
            f"\n{len(kills)} kill points in {time.perf_counter() - started:.0f} s:"
            f" {sum(k.killed for k in kills)} killed a running process"
            f" ({sum(k.killed and k.step == 'ingest' for k in kills)} ingest,"
            f" {sum(k.killed and k.step == 'analyze' for k in kills)} analyze,"
            f" {sum(k.killed and k.target == 'parent' for k in kills)} only the main process),"
            f" {sum(not k.killed for k in kills)} runs ended first;"
            f" orphaned workers left: {sum(k.orphans for k in kills)};"
            f" temporary media files left: {leftovers}"
        )
        print("result: " + ("identical to the clean run" if not problems else "; ".join(problems)))
    sys.exit(1 if problems else 0)


def compare(expected: dict, got: dict) -> list[str]:
    problems = []
    for table in ("posts", "media", "post_media", "signals"):
        doubled = sum(1 for n in got[table].values() if n > 1)
        missing = sum((expected[table] - got[table]).values())
        extra = sum((got[table] - expected[table]).values())
        if doubled or missing or extra:
            problems.append(f"{table}: {missing} missing, {extra} extra, {doubled} doubled")
        else:
            print(f"{table}: {sum(got[table].values())} rows, identical")
    return problems


if __name__ == "__main__":
    main()
