"""Several processes writing to one PostgreSQL database at once, then checks.

    .venv/bin/python benchmarks/concurrency.py --server postgresql+psycopg://postgres@HOST:PORT
        [--messages 1000] [--images 16] [--web-changes 60] [--bank-edits 60] [--json]

``--server`` is a PostgreSQL server URL without a database name; two fresh databases are
created on it (a throwaway server: see STACK.md). Phases:

1. migrate: four processes open the new, empty database at once (schema creation races).
2. load, all at once: ``watchfloor ingest`` of export A twice by the same path, once more by a
   copy at another path (the same chat), and of export B; ``watchfloor analyze`` twice; two web
   writers acknowledging / dismissing / reopening the SAME alerts through the real app
   (``POST /api/v1/alerts/{id}/status``, API tokens); two library writers adding hashes to the
   same bank one call at a time (each call moves the bank's revision) and registering outlets.
3. a last ``watchfloor analyze``, then checks against a clean one-process run on the second
   database: the same posts, media and signals, none doubled; bank revision = every edit (a new bank is at 0)
   (no lost update), every hash and outlet there; one audit row per status change and each
   alert's audit trail a chain (every change's "from" is the previous change's "to"); every
   process exited 0. Deadlocks are counted from ``pg_stat_database``, retries from the logs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from tests.crash_corpus import snapshot, watchfloor, write_corpus  # noqa: E402

from watchfloor.store.schema import alerts, audit_log, bank_entries, banks, outlets  # noqa: E402

ANALYZE = [
    "analyze",
    "--workers",
    "1",
    *[a for n in ("digests", "pdq", "crops") for a in ("--only", n)],
]
ALERTS = 8
BANK = "concurrency-bank"


@dataclass
class Outcome:
    name: str
    returncode: int
    seconds: float
    retries: int = 0
    error: str = ""


@dataclass
class Report:
    processes: list[Outcome] = field(default_factory=list)
    load_seconds: float = 0.0
    posts: int = 0
    media: int = 0
    signals: int = 0
    web_changes: int = 0
    bank_edits: int = 0
    deadlocks: int = 0
    retries: int = 0
    problems: list[str] = field(default_factory=list)

    def rates(self) -> dict[str, float]:
        t = max(self.load_seconds, 1e-9)
        return {
            "posts_per_s": round(self.posts / t, 1),
            "web_changes_per_s": round(self.web_changes / t, 1),
            "bank_edits_per_s": round(self.bank_edits / t, 1),
        }


def fresh_db(server: str) -> str:
    from tests.conftest import fresh_postgres_db

    return fresh_postgres_db(server)


def script(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def start(name: str, cmd: list[str], env: dict[str, str]) -> tuple[str, subprocess.Popen, float]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    return name, proc, time.perf_counter()


def finish(started: list[tuple[str, subprocess.Popen, float]], report: Report) -> None:
    for name, proc, t0 in started:
        _out, err = proc.communicate(timeout=1800)
        retries = err.count("retrying (")
        outcome = Outcome(name, proc.returncode, round(time.perf_counter() - t0, 2), retries)
        if proc.returncode != 0:
            outcome.error = err[-1500:]
            report.problems.append(f"{name} exited {proc.returncode}")
        report.retries += retries
        report.processes.append(outcome)


def deadlocks(db_url: str) -> int:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        n = conn.execute(
            text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        ).scalar_one()
    engine.dispose()
    return n


def seed(db_url: str, workspace: Path) -> None:
    """Alerts for the web writers and an empty bank (the schema exists after phase 1)."""
    from watchfloor.config import load_settings
    from watchfloor.matching.banks import create_bank
    from watchfloor.store import open_store

    store = open_store(load_settings(workspace, db_url, environ={}))
    now = datetime.now(UTC)
    with store.begin() as conn:
        for i in range(ALERTS):
            conn.execute(
                alerts.insert().values(
                    rule_id="bench",
                    rule_type="keyword",
                    subject_key=f"post/{i}",
                    severity="high",
                    summary=f"alert {i}",
                    evidence={"i": i},
                    fingerprint=f"{i:064d}",
                    revision=1,
                    status="new",
                    first_fired=now,
                    last_fired=now,
                    count=1,
                )
            )
        create_bank(conn, BANK)
    store.close()


def run_load(server: str, base: Path, messages: int, images: int, web: int, edits: int) -> Report:
    report = Report()
    exports = write_corpus(base / "exports", messages, images)
    copy = base / "exports" / "chat-a-copy"
    shutil.copytree(exports[0].parent, copy)
    db_url, clean_url = fresh_db(server), fresh_db(server)
    env = dict(os.environ, WATCHFLOOR_DB=db_url)
    ws = base / "ws"
    before = deadlocks(db_url)

    finish(
        [
            start(f"migrate-{i}", script("--role", "migrate", "--db", db_url, "--ws", str(ws)), env)
            for i in range(4)
        ],
        report,
    )
    seed(db_url, ws)

    def cli(*args: str) -> list[str]:
        return [sys.executable, "-m", "watchfloor", "--workspace", str(ws), *args, "--no-progress"]

    a, b = str(exports[0]), str(exports[1])
    t0 = time.perf_counter()
    started = [
        start("ingest A", cli("ingest", a, "--batch-size", "50"), env),
        start("ingest A again", cli("ingest", a, "--batch-size", "50"), env),
        start("ingest A copy", cli("ingest", str(copy / "result.json"), "--batch-size", "30"), env),
        start("ingest B", cli("ingest", b, "--batch-size", "50"), env),
        start("analyze 1", cli(*ANALYZE), env),
        start("analyze 2", cli(*ANALYZE), env),
    ]
    for i in range(2):
        started.append(
            start(
                f"web {i}",
                script(
                    "--role",
                    "web",
                    "--db",
                    db_url,
                    "--ws",
                    str(ws),
                    "--n",
                    str(web),
                    "--writer",
                    str(i),
                ),
                env,
            )
        )
        started.append(
            start(
                f"banks {i}",
                script(
                    "--role",
                    "banks",
                    "--db",
                    db_url,
                    "--ws",
                    str(ws),
                    "--n",
                    str(edits),
                    "--writer",
                    str(i),
                ),
                env,
            )
        )
    finish(started, report)
    report.load_seconds = round(time.perf_counter() - t0, 2)
    finish([start("analyze last", cli(*ANALYZE), env)], report)
    report.deadlocks = deadlocks(db_url) - before

    cws = base / "clean"
    for args in (("ingest", a, b), tuple(ANALYZE)):
        proc = watchfloor(cws, clean_url, *args, "--no-progress")
        _out, err = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            report.problems.append(f"clean run failed: {err[-500:]}")
    check(report, db_url, clean_url, web, edits)
    return report


def check(report: Report, db_url: str, clean_url: str, web: int, edits: int) -> None:
    got, expected = snapshot(db_url), snapshot(clean_url)
    for table in ("posts", "media", "post_media", "signals"):
        doubled = [row for row, n in got[table].items() if n > 1]
        if doubled:
            report.problems.append(f"{table}: {len(doubled)} doubled, e.g. {doubled[0]}")
        if got[table] != expected[table]:
            report.problems.append(f"{table} differ from the clean run")
    report.posts = sum(got["posts"].values())
    report.media = sum(got["media"].values())
    report.signals = sum(got["signals"].values())
    engine = create_engine(db_url)
    with engine.connect() as conn:
        revision = conn.execute(select(banks.c.revision).where(banks.c.name == BANK)).scalar_one()
        entries = conn.execute(select(func.count()).select_from(bank_entries)).scalar_one()
        n_outlets = conn.execute(select(func.count()).select_from(outlets)).scalar_one()
        trail = conn.execute(
            select(audit_log.c.target_id, audit_log.c.detail)
            .where(audit_log.c.action == "alert_status")
            .order_by(audit_log.c.id)
        ).all()
    engine.dispose()
    report.bank_edits, report.web_changes = 2 * edits, len(trail)
    if revision != 2 * edits or entries != 2 * edits:
        report.problems.append(
            f"bank: revision {revision}, {entries} entries; wanted {2 * edits}, {2 * edits}"
        )
    if n_outlets != 2 * edits:
        report.problems.append(f"outlets: {n_outlets}, wanted {2 * edits}")
    if len(trail) != 2 * web:
        report.problems.append(f"audit: {len(trail)} status changes recorded, {2 * web} made")
    last: dict[str, str] = {}
    broken = 0
    for target, detail in trail:
        broken += last.get(target, "new") != detail["from"]
        last[target] = detail["to"]
    if broken:
        report.problems.append(
            f"audit: {broken} status changes whose 'from' is not the previous 'to'"
        )


# ---- the writer processes --------------------------------------------------------------------


def role_migrate(db: str, ws: Path) -> None:
    from watchfloor.config import load_settings
    from watchfloor.store import open_store

    open_store(load_settings(ws, db, environ={})).close()


def role_web(db: str, ws: Path, n: int, writer: int) -> None:
    """Status changes through the real app, cycling over the same alerts as the other writer."""
    from tests.webtools import web_env

    from watchfloor.config import load_settings

    statuses = ("acknowledged", "dismissed", "new")
    with web_env(load_settings(ws, db, environ={})) as env:
        api = env.api("analyst")
        with env.store.connect() as conn:
            ids = list(conn.execute(select(alerts.c.id).order_by(alerts.c.id)).scalars())
        for i in range(n):
            alert = ids[i % len(ids)]
            body = {"status": statuses[(i + writer) % 3], "note": f"writer {writer} change {i}"}
            response = api.post(f"/api/v1/alerts/{alert}/status", json=body)
            if response.status_code != 200:
                raise SystemExit(f"status change {i}: {response.status_code} {response.text}")


def role_banks(db: str, ws: Path, n: int, writer: int) -> None:
    """One hash per call (each call moves the bank's revision) and one outlet per call."""
    from watchfloor.config import load_settings
    from watchfloor.matching.banks import add_entries
    from watchfloor.matching.formats import HashEntry
    from watchfloor.store import open_store
    from watchfloor.text.outlets import Outlet, add_outlet

    store = open_store(load_settings(ws, db, environ={}))
    for i in range(n):
        value = f"{writer:02x}{i:062x}"
        with store.begin() as conn:
            add_entries(conn, BANK, [HashEntry("pdq", value)], source="bench", added_by="bench")
        with store.begin() as conn:
            add_outlet(conn, Outlet(f"Outlet {writer}-{i}", handles=(f"o{writer}x{i}",)), "bench")
    store.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--server", help="PostgreSQL server URL, without a database name")
    p.add_argument("--messages", type=int, default=1000)
    p.add_argument("--images", type=int, default=16)
    p.add_argument("--web-changes", type=int, default=60)
    p.add_argument("--bank-edits", type=int, default=60)
    p.add_argument("--json", action="store_true")
    p.add_argument("--role", choices=("migrate", "web", "banks"), help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    p.add_argument("--ws", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--writer", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.role == "migrate":
        return role_migrate(args.db, args.ws)
    if args.role == "web":
        return role_web(args.db, args.ws, args.n, args.writer)
    if args.role == "banks":
        return role_banks(args.db, args.ws, args.n, args.writer)
    if not args.server:
        p.error("--server is required")
    with tempfile.TemporaryDirectory(prefix="wf-concurrency-") as tmp:
        report = run_load(
            args.server, Path(tmp), args.messages, args.images, args.web_changes, args.bank_edits
        )
    print_report(report, args.json)
    sys.exit(1 if report.problems else 0)


def print_report(report: Report, as_json: bool) -> None:
    out: dict[str, Any] = asdict(report) | report.rates()
    if as_json:
        print(json.dumps(out, indent=2))
        return
    for o in report.processes:
        print(
            f"{o.name:16} exit {o.returncode}  {o.seconds:7.2f} s  retries {o.retries}  {o.error[:200]}"
        )
    print(
        f"load phase {report.load_seconds} s: {report.posts} posts, {report.media} media, "
        f"{report.signals} signals, {report.web_changes} web status changes, "
        f"{report.bank_edits} bank edits; {out['posts_per_s']} posts/s, "
        f"{out['web_changes_per_s']} web changes/s, {out['bank_edits_per_s']} bank edits/s"
    )
    print(f"deadlocks {report.deadlocks}, retries {report.retries}")
    print("problems: " + ("; ".join(report.problems) or "none"))


if __name__ == "__main__":
    main()
