"""The outlet registry analysts keep: known outlets, official or news, with what identifies them.

An outlet has a name, a kind (``official``: a group's own media office; ``news``: a news
organisation; ``supporter``: a known supporter channel), the channel handles it posts under,
other names (aliases, also as written in Arabic), the labels of its watermark emblems (as
registered with ``watchfloor emblems add --label``) and text signatures (a line such as
"Northwind Media Office:" that opens or closes its posts). The ``attribution`` corpus step reads
it (``analytics/attribution.py``). Thin CLI: ``watchfloor outlets add|list|remove``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from watchfloor.store.dialect import upsert
from watchfloor.store.schema import outlets
from watchfloor.store.times import iso_utc

KINDS = ("official", "news", "supporter")
MAX_NAME = 200


class OutletError(Exception):
    """No such outlet."""


@dataclass(frozen=True)
class Outlet:
    name: str
    kind: str = "official"
    handles: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    watermark_labels: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()
    note: str | None = None
    added_by: str | None = field(default=None, compare=False)
    added_at: str | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {
            k: list(getattr(self, k))
            for k in ("handles", "aliases", "watermark_labels", "signatures")
        }

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _clean(values: tuple[str, ...] | list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        value = " ".join(value.split())
        if value and value not in out:
            out.append(value)
    return out


def validate(outlet: Outlet) -> None:
    if not outlet.name.strip() or len(outlet.name) > MAX_NAME:
        raise ValueError(f"an outlet name is 1 to {MAX_NAME} characters")
    if outlet.kind not in KINDS:
        raise ValueError(f"kind {outlet.kind!r} is not one of {', '.join(KINDS)}")


def add_outlet(conn: Connection, outlet: Outlet, added_by: str) -> None:
    """Register an outlet, or replace what is registered under its name."""
    validate(outlet)
    values = {
        "name": " ".join(outlet.name.split()),
        "kind": outlet.kind,
        "handles": [h.lstrip("@") for h in _clean(outlet.handles)],
        "aliases": _clean(outlet.aliases),
        "watermark_labels": _clean(outlet.watermark_labels),
        "signatures": _clean(outlet.signatures),
        "note": outlet.note,
        "added_by": added_by,
        "added_at": datetime.now(UTC),
        "enabled": True,
    }
    conn.execute(
        upsert(conn, outlets, ["name"], [c for c in values if c != "name"]).values(**values)
    )


def list_outlets(conn: Connection, *, enabled_only: bool = True) -> list[Outlet]:
    query = select(outlets).order_by(outlets.c.name)
    if enabled_only:
        query = query.where(outlets.c.enabled.is_(True))
    return [
        Outlet(
            name=r.name,
            kind=r.kind,
            handles=tuple(r.handles or ()),
            aliases=tuple(r.aliases or ()),
            watermark_labels=tuple(r.watermark_labels or ()),
            signatures=tuple(r.signatures or ()),
            note=r.note,
            added_by=r.added_by,
            added_at=iso_utc(r.added_at),
        )
        for r in conn.execute(query)
    ]


def remove_outlet(conn: Connection, name: str) -> None:
    found = conn.execute(delete(outlets).where(outlets.c.name == " ".join(name.split())))
    if not found.rowcount:
        raise OutletError(f"no outlet named {name!r}")
