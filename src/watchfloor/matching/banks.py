"""Hash banks: named lists of known propaganda hashes (PDQ, MD5) that media are matched against.

A bank has a distance threshold (PDQ bits, default 31), an ``enabled`` flag and a ``revision``
that every change to the bank or its entries bumps, so that a matcher knows when to rebuild its
index. An entry is unique per bank, signal type and value: adding or importing the same hash
again adds nothing. A disabled entry is kept and listed but not matched.

Every function takes an open connection; the caller owns the transaction
(``with store.begin() as conn: ...``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, case, delete, func, select, update

from watchfloor.identity import current_user
from watchfloor.matching.formats import (
    HashEntry,
    guess_signal_type,
    validate_hash,
)
from watchfloor.pdq import MATCH_THRESHOLD
from watchfloor.store.dialect import insert_ignore
from watchfloor.store.schema import bank_entries, banks
from watchfloor.store.times import as_utc

__all__ = [
    "MAX_THRESHOLD",
    "QUARANTINE_STAGE",
    "AddReport",
    "Bank",
    "BankEntry",
    "BankError",
    "BankExists",
    "BankNotFound",
    "EnableReport",
    "add_entries",
    "bank_from_row",
    "bump_revision",
    "create_bank",
    "default_added_by",
    "delete_bank",
    "get_bank",
    "insert_entries",
    "iter_entries",
    "list_banks",
    "set_entries_enabled",
    "update_bank",
]

QUARANTINE_STAGE = "banks"
MAX_THRESHOLD = 256  # PDQ hashes have 256 bits
MAX_REPORTED_PROBLEMS = 1000  # kept in a report; every one of them is quarantined
BATCH = 1000
_NAME = re.compile(r"\w[\w .:@+-]*")
_NAME_MAX = 120

T = TypeVar("T")


class BankError(Exception):
    """A bank operation that cannot be done; the message says why."""


class BankNotFound(BankError, LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no bank named {name!r} (see `watchfloor banks list`)")
        self.name = name


class BankExists(BankError):
    def __init__(self, name: str) -> None:
        super().__init__(f"a bank named {name!r} already exists")
        self.name = name


@dataclass(frozen=True)
class Bank:
    id: int
    name: str
    description: str | None
    threshold: int
    enabled: bool
    revision: int
    created_at: datetime
    updated_at: datetime
    entries: int = 0
    disabled_entries: int = 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["updated_at"] = self.updated_at.isoformat()
        return data


@dataclass(frozen=True)
class BankEntry:
    id: int
    signal_type: str
    value: str
    quality: int | None
    label: str | None
    note: str | None
    source: str | None
    added_by: str | None
    added_at: datetime
    enabled: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"added_at": self.added_at.isoformat()}

    def as_hash_entry(self) -> HashEntry:
        return HashEntry(
            self.signal_type,
            self.value,
            quality=self.quality,
            label=self.label,
            note=self.note,
            enabled=self.enabled,
            added_at=self.added_at,
        )


@dataclass
class AddReport:
    """What adding entries did: ``added`` new, ``already_present`` kept as they were,
    ``disabled`` existing entries that the input marked disabled."""

    added: int = 0
    already_present: int = 0
    disabled: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.disabled)


@dataclass(frozen=True)
class EnableReport:
    changed: int
    unchanged: int
    missing: list[str]
    revision: int


def default_added_by() -> str:
    """The operating-system user name, or ``unknown`` where there is none."""
    return current_user()


def _now() -> datetime:
    return datetime.now(UTC)


def _check_name(name: str) -> str:
    if not _NAME.fullmatch(name) or len(name) > _NAME_MAX or name != name.strip():
        raise ValueError(
            f"bank name {name!r}: use up to {_NAME_MAX} letters, digits and . _ - : @ + or "
            "inner spaces, starting with a letter or digit"
        )
    return name


def _check_threshold(threshold: int) -> int:
    if not 0 <= threshold <= MAX_THRESHOLD:
        raise ValueError(f"threshold must be 0..{MAX_THRESHOLD} bits, not {threshold}")
    return threshold


# ---- banks -----------------------------------------------------------------------------------


def create_bank(
    conn: Connection,
    name: str,
    *,
    threshold: int = MATCH_THRESHOLD,
    description: str | None = None,
    enabled: bool = True,
) -> Bank:
    """A new, empty bank; ``BankExists`` if the name is taken."""
    _check_name(name)
    _check_threshold(threshold)
    now = _now()
    row = {
        "name": name,
        "description": description,
        "threshold": threshold,
        "enabled": enabled,
        "revision": 0,
        "created_at": now,
        "updated_at": now,
    }
    if not conn.execute(insert_ignore(conn, banks).returning(banks.c.id), row).all():
        raise BankExists(name)
    return get_bank(conn, name)


def _bank_query():
    disabled = func.sum(case((bank_entries.c.enabled, 0), else_=1))
    counts = (
        select(
            bank_entries.c.bank_id,
            func.count().label("entries"),
            disabled.label("disabled_entries"),
        )
        .group_by(bank_entries.c.bank_id)
        .subquery()
    )
    return select(
        banks,
        func.coalesce(counts.c.entries, 0).label("entries"),
        func.coalesce(counts.c.disabled_entries, 0).label("disabled_entries"),
    ).outerjoin(counts, counts.c.bank_id == banks.c.id)


def bank_from_row(row: Any, counts: tuple[int, int] | None = None) -> Bank:
    """A bank from a ``banks`` row with its (entries, disabled) counts, by default those the
    row carries (as ``_bank_query`` selects them)."""
    entries, disabled = counts if counts is not None else (row.entries, row.disabled_entries)
    return Bank(
        id=row.id,
        name=row.name,
        description=row.description,
        threshold=row.threshold,
        enabled=bool(row.enabled),
        revision=row.revision,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        entries=int(entries),
        disabled_entries=int(disabled),
    )


def get_bank(conn: Connection, name: str) -> Bank:
    """The bank with its entry counts; ``BankNotFound`` if there is none of that name."""
    row = conn.execute(_bank_query().where(banks.c.name == name)).first()
    if row is None:
        raise BankNotFound(name)
    return bank_from_row(row)


def list_banks(conn: Connection) -> list[Bank]:
    return [bank_from_row(row) for row in conn.execute(_bank_query().order_by(banks.c.name))]


def delete_bank(conn: Connection, name: str) -> int:
    """Delete a bank and its entries; returns how many entries went with it."""
    bank = get_bank(conn, name)
    conn.execute(delete(bank_entries).where(bank_entries.c.bank_id == bank.id))
    conn.execute(delete(banks).where(banks.c.id == bank.id))
    return bank.entries


def update_bank(
    conn: Connection,
    name: str,
    *,
    threshold: int | None = None,
    enabled: bool | None = None,
    description: str | None = None,
) -> Bank:
    """Change a bank's settings; the revision moves only if something actually changed."""
    bank = get_bank(conn, name)
    changes: dict[str, Any] = {}
    if threshold is not None and _check_threshold(threshold) != bank.threshold:
        changes["threshold"] = threshold
    if enabled is not None and enabled != bank.enabled:
        changes["enabled"] = enabled
    if description is not None and description != bank.description:
        changes["description"] = description
    if changes:
        bump_revision(conn, bank.id, **changes)
    return get_bank(conn, name)


def bump_revision(conn: Connection, bank_id: int, **changes: Any) -> int:
    """Apply ``changes`` to the bank and move its revision; returns the new revision."""
    return conn.execute(
        update(banks)
        .where(banks.c.id == bank_id)
        .values(revision=banks.c.revision + 1, updated_at=_now(), **changes)
        .returning(banks.c.revision)
    ).scalar_one()


# ---- entries ---------------------------------------------------------------------------------


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def add_entries(
    conn: Connection,
    name: str,
    entries: Iterable[HashEntry],
    *,
    source: str | None,
    added_by: str | None = None,
) -> AddReport:
    """Add hashes to a bank, in batches; a hash already in the bank is left as it is, except
    that an entry the input marks disabled (``enabled=False``) disables it."""
    bank = get_bank(conn, name)
    report = insert_entries(conn, bank.id, entries, source, added_by or default_added_by())
    if report.changed:
        bump_revision(conn, bank.id)
    return report


def insert_entries(
    conn: Connection,
    bank_id: int,
    entries: Iterable[HashEntry],
    source: str | None,
    added_by: str,
) -> AddReport:
    report = AddReport()
    for batch in _batches(entries, BATCH):
        _add_batch(conn, bank_id, batch, source, added_by, report)
    return report


def _add_batch(
    conn: Connection,
    bank_id: int,
    batch: list[HashEntry],
    source: str | None,
    added_by: str,
    report: AddReport,
) -> None:
    unique: dict[tuple[str, str], HashEntry] = {}
    for entry in batch:
        unique.setdefault((entry.signal_type, entry.value), entry)  # the first one wins
    report.already_present += len(batch) - len(unique)
    existing = _existing(conn, bank_id, unique)
    now = _now()
    new_rows, to_disable = [], []
    for key, entry in unique.items():
        if key in existing:
            report.already_present += 1
            entry_id, enabled = existing[key]
            if enabled and not entry.enabled:
                to_disable.append(entry_id)
        else:
            new_rows.append(_entry_row(bank_id, entry, source, added_by, now))
    if new_rows:
        conn.execute(insert_ignore(conn, bank_entries), new_rows)
        report.added += len(new_rows)
    if to_disable:
        conn.execute(
            update(bank_entries).where(bank_entries.c.id.in_(to_disable)).values(enabled=False)
        )
        report.disabled += len(to_disable)


def _existing(
    conn: Connection, bank_id: int, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, bool]]:
    """The (id, enabled) of those ``(signal_type, value)`` keys that are in the bank already."""
    by_type: dict[str, list[str]] = {}
    for signal_type, value in keys:
        by_type.setdefault(signal_type, []).append(value)
    found = {}
    for signal_type, values in by_type.items():
        rows = conn.execute(
            select(bank_entries.c.id, bank_entries.c.value, bank_entries.c.enabled).where(
                bank_entries.c.bank_id == bank_id,  # the unique index: bank, type, value
                bank_entries.c.signal_type == signal_type,
                bank_entries.c.value.in_(values),
            )
        )
        found.update({(signal_type, r.value): (r.id, bool(r.enabled)) for r in rows})
    return found


def _entry_row(
    bank_id: int, entry: HashEntry, source: str | None, added_by: str, now: datetime
) -> dict[str, Any]:
    return {
        "bank_id": bank_id,
        "signal_type": entry.signal_type,
        "value": entry.value,
        "quality": entry.quality,
        "label": entry.label,
        "note": entry.note,
        "source": source,
        "added_by": added_by,
        "added_at": now,
        "enabled": entry.enabled,
    }


def iter_entries(
    conn: Connection,
    name: str,
    *,
    signal_type: str | None = None,
    enabled: bool | None = None,
    limit: int | None = None,
    offset: int = 0,
    after_id: int | None = None,
) -> Iterator[BankEntry]:
    """A bank's entries in the order they were added, streamed from the database; ``after_id``
    starts after that entry (a page that stays fast however deep, unlike ``offset``)."""
    bank_id = conn.execute(select(banks.c.id).where(banks.c.name == name)).scalar()
    if bank_id is None:
        raise BankNotFound(name)
    query = (
        select(bank_entries).where(bank_entries.c.bank_id == bank_id).order_by(bank_entries.c.id)
    )
    if signal_type is not None:
        query = query.where(bank_entries.c.signal_type == signal_type)
    if enabled is not None:
        query = query.where(bank_entries.c.enabled == enabled)
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    if after_id is not None:
        query = query.where(bank_entries.c.id > after_id)
    for row in conn.execute(query.execution_options(yield_per=BATCH)):
        yield BankEntry(
            id=row.id,
            signal_type=row.signal_type,
            value=row.value,
            quality=row.quality,
            label=row.label,
            note=row.note,
            source=row.source,
            added_by=row.added_by,
            added_at=as_utc(row.added_at),
            enabled=bool(row.enabled),
        )


def set_entries_enabled(
    conn: Connection, name: str, values: Iterable[str], *, enabled: bool
) -> EnableReport:
    """Enable or disable entries by hash value (PDQ or MD5, by length); disabled entries stay in
    the bank. Raises ``HashError`` for a value that is not a hash at all."""
    bank = get_bank(conn, name)
    wanted = {}
    for value in values:
        kind = guess_signal_type(value)
        wanted[(kind, validate_hash(kind, value))] = value
    found = _existing(conn, bank.id, wanted)
    to_change = [
        entry_id for key, (entry_id, on) in found.items() if key in wanted and on != enabled
    ]
    revision = bank.revision
    if to_change:
        conn.execute(
            update(bank_entries).where(bank_entries.c.id.in_(to_change)).values(enabled=enabled)
        )
        revision = bump_revision(conn, bank.id)
    missing = [original for key, original in wanted.items() if key not in found]
    return EnableReport(
        len(to_change), len(wanted) - len(missing) - len(to_change), missing, revision
    )
