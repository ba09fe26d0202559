"""Hash banks for the pages and the API: lists, edits (each audited) and look-ups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, case, func, select

from watchfloor.accounts.edits import Actor
from watchfloor.config import Settings
from watchfloor.matching import bank_files
from watchfloor.matching import banks as lib
from watchfloor.matching.bank_index import index_directory, open_bank_index, sync_bank_index
from watchfloor.matching.formats import HashEntry, HashError, guess_signal_type, validate_hash
from watchfloor.matching.lookup import look_up_file, look_up_hash
from watchfloor.pdq import MATCH_THRESHOLD
from watchfloor.store import Store
from watchfloor.store.schema import bank_entries, banks

BankError = lib.BankError
MAX_HASHES = 10_000  # per form or API call


# (bank id, revision, created) -> (entries, disabled): every change of a bank's entries moves
# its revision in the same transaction, so a count is reused until the bank changes.
_COUNTS: dict[tuple[int, int, str], tuple[int, int]] = {}
_COUNTS_KEPT = 1000


def _counts(conn: Connection, row: Any) -> tuple[int, int]:
    key = (row.id, row.revision, str(row.created_at))
    found = _COUNTS.get(key)
    if found is None:
        disabled = func.sum(case((bank_entries.c.enabled, 0), else_=1))
        total, off = conn.execute(
            select(func.count(), disabled).where(bank_entries.c.bank_id == row.id)
        ).one()
        found = (int(total), int(off or 0))
        if len(_COUNTS) >= _COUNTS_KEPT:
            _COUNTS.clear()
        _COUNTS[key] = found
    return found


def _bank(conn: Connection, row: Any) -> lib.Bank:
    return lib.bank_from_row(row, _counts(conn, row))


def get_bank(conn: Connection, name: str) -> lib.Bank:
    """``matching.banks.get_bank`` with its entry counts reused while the bank is unchanged."""
    row = conn.execute(select(banks).where(banks.c.name == name)).first()
    if row is None:
        raise lib.BankNotFound(name)
    return _bank(conn, row)


def list_banks(conn: Connection) -> dict[str, Any]:
    rows = conn.execute(select(banks).order_by(banks.c.name)).all()
    return {"banks": [_bank(conn, r).as_dict() for r in rows]}


def bank_page(conn: Connection, name: str, limit: int, offset: int) -> dict[str, Any]:
    """A bank and one page of its entries; ``BankNotFound`` if there is none."""
    bank = get_bank(conn, name)
    entries = [e.as_dict() for e in lib.iter_entries(conn, name, limit=limit, offset=offset)]
    return {
        "bank": bank.as_dict(),
        "entries": entries,
        "limit": limit,
        "offset": offset,
        "total": bank.entries,
    }


def create_bank(
    conn: Connection, actor: Actor, name: str, threshold: int | None, description: str | None
) -> lib.Bank:
    bank = lib.create_bank(
        conn,
        name,
        threshold=MATCH_THRESHOLD if threshold is None else threshold,
        description=description or None,
    )
    actor.record(conn, "bank_create", "bank", name, {"threshold": bank.threshold})
    return bank


def update_bank(
    conn: Connection,
    actor: Actor,
    name: str,
    *,
    threshold: int | None = None,
    enabled: bool | None = None,
    description: str | None = None,
) -> lib.Bank:
    bank = lib.update_bank(
        conn, name, threshold=threshold, enabled=enabled, description=description
    )
    changes = {"threshold": threshold, "enabled": enabled, "description": description}
    detail = {k: v for k, v in changes.items() if v is not None}
    actor.record(conn, "bank_update", "bank", name, detail)
    return bank


def delete_bank(conn: Connection, actor: Actor, name: str) -> int:
    removed = lib.delete_bank(conn, name)
    actor.record(conn, "bank_delete", "bank", name, {"entries": removed})
    return removed


def parse_hashes(text: str | list[str]) -> tuple[list[HashEntry], list[str]]:
    """Hashes one per line (or a list), PDQ or MD5 by length; problems say which line."""
    lines = text.splitlines() if isinstance(text, str) else list(text)
    if len(lines) > MAX_HASHES:
        raise ValueError(f"at most {MAX_HASHES} hashes at a time")
    entries, problems = [], []
    for number, line in enumerate(lines, 1):
        value = line.strip()
        if not value:
            continue
        try:
            kind = guess_signal_type(value)
            entries.append(HashEntry(kind, validate_hash(kind, value)))
        except HashError as exc:
            problems.append(f"line {number}: {exc.reason}")
    return entries, problems


def add_hashes(
    conn: Connection,
    actor: Actor,
    name: str,
    entries: list[HashEntry],
    label: str | None,
    note: str | None,
) -> dict[str, Any]:
    labelled = [HashEntry(e.signal_type, e.value, label=label, note=note) for e in entries]
    report = lib.add_entries(conn, name, labelled, source=actor.origin, added_by=actor.name)
    counts = {"added": report.added, "already_present": report.already_present}
    actor.record(conn, "bank_entry_add", "bank", name, counts | {"label": label})
    return counts | {"revision": get_bank(conn, name).revision}


def add_images(
    conn: Connection,
    actor: Actor,
    settings: Settings,
    name: str,
    paths: list[Path],
    label: str | None,
    note: str | None,
) -> dict[str, Any]:
    """PDQ of each image (decoded only through imaging.py); refusals are quarantined."""
    report = bank_files.add_images(
        conn,
        name,
        paths,
        mode=settings.pdq_mode,
        max_pixels=settings.max_image_pixels,
        added_by=actor.name,
        label=label,
        note=note,
    )
    detail = {"added": report.counts.added, "files": len(paths), "label": label}
    actor.record(conn, "bank_entry_add", "bank", name, detail)
    return report.as_dict()


def set_entries_enabled(
    conn: Connection, actor: Actor, name: str, hashes: list[str], *, enabled: bool
) -> dict[str, Any]:
    report = lib.set_entries_enabled(conn, name, hashes, enabled=enabled)
    action = "bank_entry_enable" if enabled else "bank_entry_disable"
    actor.record(conn, action, "bank", name, {"hashes": hashes[:50], "changed": report.changed})
    return {
        "changed": report.changed,
        "unchanged": report.unchanged,
        "missing": report.missing,
        "revision": report.revision,
    }


def _index(store: Store, settings: Settings):
    report = sync_bank_index(store, index_directory(settings.workspace))
    return open_bank_index(report.ref)


def lookup_hash(store: Store, settings: Settings, value: str) -> dict[str, Any]:
    """Matches of a PDQ or MD5 hash in the enabled banks; ``HashError`` for a bad hash."""
    return look_up_hash(_index(store, settings), value)


def lookup_image(store: Store, settings: Settings, path: Path, name: str) -> dict[str, Any]:
    """PDQ (rotations and flips included) and MD5 matches of an uploaded file."""
    index = _index(store, settings)
    result = look_up_file(index, path, mode=settings.pdq_mode, max_pixels=settings.max_image_pixels)
    return result | {"file": name}
