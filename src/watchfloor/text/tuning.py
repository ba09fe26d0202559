"""Analysts tune the threat scoring: lexicon entries and exemplars stored in the database,
merged with the shipped ones.

Every entry and exemplar has a reference: ``s<N>`` for the N-th shipped one, ``a<id>`` for an
analyst's row. Adding stores a row (or updates the row with the same key: language + phrase +
label, or text + label); an analyst row with the key of a shipped one replaces it. Removing an
analyst row deletes it; removing a shipped one stores a disabled row that masks it. What the
analyzers read (``read_tuning``) has a fingerprint that goes into their effective version, so
any change re-scores every post.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Table, delete, select, update

from watchfloor.store.dialect import upsert
from watchfloor.store.schema import exemplars as exemplars_table
from watchfloor.store.schema import lexicon_entries
from watchfloor.store.times import iso_utc
from watchfloor.text.embeddings import Embedder
from watchfloor.text.exemplars import (
    Exemplar,
    shipped_data_bytes,
    shipped_exemplars,
    validate_exemplar,
)
from watchfloor.text.lexicon import LexiconEntry, shipped_entries, validate_entry
from watchfloor.text.threat import ThreatScorer, merge


class TuningError(Exception):
    """No such reference."""


@dataclass(frozen=True)
class Tuning:
    """The analysts' additions and removals; plain values, so they travel to worker processes."""

    entries: tuple[LexiconEntry, ...] = ()
    masked_entries: frozenset[tuple[str, str, str]] = frozenset()
    exemplars: tuple[Exemplar, ...] = ()
    masked_exemplars: frozenset[tuple[str, str]] = frozenset()

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256(shipped_data_bytes())
        state = [
            sorted([*(e.as_dict() for e in self.entries)], key=repr),
            sorted(self.masked_entries),
            sorted([*(e.as_dict() for e in self.exemplars)], key=repr),
            sorted(self.masked_exemplars),
        ]
        digest.update(orjson.dumps(state))
        return digest.hexdigest()[:12]

    def lexicon(self) -> list[LexiconEntry]:
        return merge(shipped_entries(), list(self.entries), set(self.masked_entries))

    def all_exemplars(self) -> list[Exemplar]:
        return merge(shipped_exemplars(), list(self.exemplars), set(self.masked_exemplars))

    def scorer(self, embedder: Embedder | None = None) -> ThreatScorer:
        return ThreatScorer(self.lexicon(), self.all_exemplars(), embedder)


def read_tuning(conn: Connection) -> Tuning:
    entries, masked_entries = [], set()
    for r in conn.execute(select(lexicon_entries)).mappings():
        key = (r["language"], r["phrase"], r["label"])
        if r["enabled"]:
            entries.append(_entry(r))
        else:
            masked_entries.add(key)
    examples, masked_examples = [], set()
    for r in conn.execute(select(exemplars_table)).mappings():
        if r["enabled"]:
            examples.append(_exemplar(r))
        else:
            masked_examples.add((r["text"], r["label"]))
    return Tuning(
        tuple(entries), frozenset(masked_entries), tuple(examples), frozenset(masked_examples)
    )


def _entry(r: Any) -> LexiconEntry:
    return LexiconEntry(
        r["language"], r["phrase"], r["label"], r["weight"], r["kind"], r["note"], "analyst"
    )


def _exemplar(r: Any) -> Exemplar:
    return Exemplar(r["text"], r["label"], r["language"], r["note"], None, "analyst")


@dataclass
class Listed:
    """One row of ``lexicon list`` / ``exemplars list``."""

    ref: str
    item: Any
    state: str  # active, replaced (by an analyst row), removed
    added_by: str | None = None
    added_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        listed = {"ref": self.ref, "state": self.state}
        return listed | self.item.as_dict() | {"added_by": self.added_by, "added_at": self.added_at}


def add_entry(conn: Connection, entry: LexiconEntry, added_by: str) -> str:
    validate_entry(entry)
    row = {
        "language": entry.language,
        "phrase": entry.phrase,
        "label": entry.label,
        "weight": entry.weight,
        "kind": entry.kind,
        "note": entry.note,
    }
    return _upsert(conn, lexicon_entries, row, ["language", "phrase", "label"], added_by)


def add_exemplar(conn: Connection, exemplar: Exemplar, added_by: str) -> str:
    validate_exemplar(exemplar)
    row = {
        "text": exemplar.text,
        "label": exemplar.label,
        "language": exemplar.language,
        "note": exemplar.note,
    }
    return _upsert(conn, exemplars_table, row, ["text", "label"], added_by)


def _upsert(conn: Connection, table: Table, row: dict, keys: list[str], added_by: str) -> str:
    values = row | {"added_by": added_by, "added_at": datetime.now(UTC), "enabled": True}
    conn.execute(upsert(conn, table, keys, [c for c in values if c not in keys]).values(**values))
    where = [table.c[k] == row[k] for k in keys]
    return f"a{conn.execute(select(table.c.id).where(*where)).scalar_one()}"


def remove_entry(conn: Connection, ref: str, added_by: str) -> str:
    item = _shipped_item(shipped_entries(), ref)
    if item is not None:
        add_entry(conn, item, added_by)
    return _remove(conn, lexicon_entries, ref, item, ["language", "phrase", "label"])


def remove_exemplar(conn: Connection, ref: str, added_by: str) -> str:
    item = _shipped_item(shipped_exemplars(), ref)
    if item is not None:
        add_exemplar(conn, item, added_by)
    return _remove(conn, exemplars_table, ref, item, ["text", "label"])


def _shipped_item(shipped: list, ref: str) -> Any:
    number = ref[1:]
    if ref[:1] == "s" and number.isdigit() and 1 <= int(number) <= len(shipped):
        return shipped[int(number) - 1]
    return None


def _remove(conn: Connection, table: Table, ref: str, shipped: Any, keys: list[str]) -> str:
    """Deletes an analyst row, or disables the row (just stored) that masks a shipped item."""
    if shipped is not None:
        where = [table.c[k] == getattr(shipped, k) for k in keys]
        conn.execute(update(table).where(*where).values(enabled=False))
        return f"removed shipped {ref} (a disabled row masks it)"
    is_row = ref[:1] == "a" and ref[1:].isdigit()
    if is_row and conn.execute(delete(table).where(table.c.id == int(ref[1:]))).rowcount:
        return f"deleted {ref}"
    raise TuningError(f"no entry {ref!r}: use a reference from the list (s<N> or a<N>)")


def list_entries(conn: Connection) -> list[Listed]:
    return _listing(conn, lexicon_entries, shipped_entries(), _entry)


def list_exemplars(conn: Connection) -> list[Listed]:
    return _listing(conn, exemplars_table, shipped_exemplars(), _exemplar)


def _listing(conn: Connection, table: Table, shipped: list, make) -> list[Listed]:
    rows = list(conn.execute(select(table).order_by(table.c.id)).mappings())
    by_key = {make(r).key: r for r in rows}
    listed = []
    for n, item in enumerate(shipped, start=1):
        row = by_key.get(item.key)
        state = "active" if row is None else ("replaced" if row["enabled"] else "removed")
        listed.append(Listed(f"s{n}", item, state))
    for r in rows:
        if r["enabled"]:
            listed.append(
                Listed(f"a{r['id']}", make(r), "active", r["added_by"], iso_utc(r["added_at"]))
            )
    return listed
