"""An ingest killed halfway continues where it stopped, and nothing is lost or doubled."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.exports import message, single_chat, write_export

TOTAL = 40_000


def checkpoint(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            row = conn.execute("SELECT max(messages_done) FROM ingest_checkpoints").fetchone()
    except sqlite3.OperationalError:
        return 0  # schema not created yet
    return row[0] or 0


def run_cli(workspace: Path, *args: str, **kw) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "watchfloor", "--workspace", str(workspace), *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_killed_ingest_resumes_without_loss_or_duplicates(tmp_path):
    export = write_export(
        tmp_path / "big",
        single_chat([message(i, f"message number {i} #tag{i % 7}") for i in range(1, TOTAL + 1)]),
    )
    workspace, db = tmp_path / "ws", tmp_path / "ws" / "watchfloor.db"
    proc = run_cli(workspace, "ingest", str(export), "--batch-size", "500", "--no-progress")
    deadline = time.monotonic() + 120
    while checkpoint(db) < 2_000 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the ingest finished before it could be interrupted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stopped_at = checkpoint(db)
    assert 0 < stopped_at < TOTAL

    resumed = run_cli(workspace, "ingest", str(export), "--no-progress", "--json")
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    chat = json.loads(out)["sources"][0]["chats"][0]
    assert chat["skipped_resumed"] >= stopped_at
    with sqlite3.connect(db) as conn:
        count, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT message_id) FROM posts"
        ).fetchone()
    assert count == distinct == TOTAL
