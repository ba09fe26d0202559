"""Where an interrupted ingest of a chat stopped: committed in the same transaction as the batch."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from watchfloor.store.dialect import upsert
from watchfloor.store.schema import ingest_checkpoints


def _key(resume_key: str) -> str:
    return hashlib.sha256(resume_key.encode()).hexdigest()


def load(conn: Connection, resume_key: str) -> tuple[int, bool]:
    row = conn.execute(
        select(ingest_checkpoints.c.messages_done, ingest_checkpoints.c.completed).where(
            ingest_checkpoints.c.source_key == _key(resume_key)
        )
    ).first()
    return (row.messages_done, row.completed) if row else (0, False)


def save(
    conn: Connection, resume_key: str, source: str, chat_key: str, done: int, completed: bool
) -> None:
    stmt = upsert(
        conn, ingest_checkpoints, ["source_key"], ["messages_done", "completed", "updated_at"]
    )
    conn.execute(
        stmt,
        {
            "source_key": _key(resume_key),
            "source": source,
            "chat_key": chat_key,
            "messages_done": done,
            "completed": completed,
            "updated_at": datetime.now(UTC),
        },
    )
