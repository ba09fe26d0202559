"""Corpus steps that do nothing when nothing they read changed.

A step fingerprints its inputs (row counts and id sums of the tables it reads: ids only grow,
so an added, replaced or removed row changes them; the latest update time of tables whose rows
are updated in place; its own version and whatever else it depends on) and keeps the
fingerprint with its last report in ``analysis_state`` (subject type ``corpus``). The next run
with the same fingerprint returns that report instead of redoing the work.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import Column, ColumnElement, Connection, Table, func, select

from watchfloor.store.schema import analysis_state
from watchfloor.store.signals import record_outcome

if TYPE_CHECKING:
    from watchfloor.store import Store

Source = tuple[Table, ColumnElement[bool] | None]  # a table and which of its rows count


def fingerprint(
    conn: Connection,
    *,
    version: str,
    tables: Sequence[Source],
    updated: Sequence[Column] = (),
    extra: Sequence[Any] = (),
) -> str:
    parts: list[Any] = [version, *extra]
    for table, where in tables:
        query = select(func.count(), func.coalesce(func.sum(table.c.id), 0))
        parts.extend(conn.execute(query if where is None else query.where(where)).one())
    for column in updated:
        parts.append(str(conn.execute(select(func.max(column))).scalar()))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _state(step: str) -> dict[str, str]:
    return {"analyzer": step, "subject_type": "corpus", "subject": "all"}


def last_report(conn: Connection, step: str, version: str, key: str) -> dict[str, Any] | None:
    """The report the step stored when its inputs last had this fingerprint, or None."""
    state = analysis_state.c
    row = conn.execute(
        select(state.input_key, state.version, state.detail).where(
            *(getattr(state, k) == v for k, v in _state(step).items())
        )
    ).first()
    if row is None or (row.version, row.input_key) != (version, key) or not row.detail:
        return None
    return json.loads(row.detail)


def remember(conn: Connection, step: str, version: str, key: str, report: dict[str, Any]) -> None:
    record_outcome(
        conn,
        **_state(step),
        version=version,
        input_key=key,
        status="ok",
        detail=json.dumps(report),
        outputs=[],
    )


class StepReport(Protocol):
    unchanged: bool
    seconds: float

    def as_dict(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=StepReport)


def run_unless_unchanged(
    store: Store,
    step: str,
    version: str,
    key_of: Callable[[Connection], str],
    compute: Callable[[Connection], R],
    report_type: Callable[..., R],
    *,
    force: bool = False,
) -> R:
    """Run a corpus step in one transaction, unless its inputs still have the fingerprint of
    its last run (``force``: run anyway); then its stored report comes back, marked unchanged."""
    started = time.monotonic()
    with store.begin() as conn:
        key = key_of(conn)
        stored = None if force else last_report(conn, step, version, key)
        if stored is not None:
            report = report_type(**(stored | {"unchanged": True}))
        else:
            report = compute(conn)
            remember(conn, step, version, key, report.as_dict() | {"seconds": 0.0})
    report.seconds = round(time.monotonic() - started, 3)
    return report
