"""Emblems, the landmark gallery and outlets for the pages and the API; edits are audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from watchfloor.accounts.edits import Actor
from watchfloor.store import Store
from watchfloor.store.schema import emblems, gallery
from watchfloor.text import outlets as outlet_lib
from watchfloor.vision import emblem_registry as emblem_lib
from watchfloor.vision import gallery as gallery_lib

EmblemError = emblem_lib.EmblemError
OutletError = outlet_lib.OutletError
BadRow = gallery_lib.BadRow


# ---- emblems ---------------------------------------------------------------------------------


def list_emblems(conn: Connection) -> dict[str, Any]:
    return {"emblems": [e.as_dict() for e in emblem_lib.list_emblems(conn)]}


def emblem_sha(conn: Connection, emblem_id: int) -> str | None:
    return conn.execute(select(emblems.c.sha256).where(emblems.c.id == emblem_id)).scalar()


def add_emblem(
    conn: Connection,
    store: Store,
    actor: Actor,
    path: Path,
    *,
    label: str,
    kind: str,
    note: str | None,
    max_pixels: int,
) -> dict[str, Any]:
    emblem = emblem_lib.add_emblem(
        conn,
        store.media,
        path,
        label=label,
        kind=kind,
        note=note or None,
        added_by=actor.name,
        max_pixels=max_pixels,
    )
    actor.record(conn, "emblem_add", "emblem", emblem.id, {"label": emblem.label, "kind": kind})
    return emblem.as_dict()


def remove_emblem(conn: Connection, actor: Actor, emblem_id: int) -> dict[str, Any]:
    (emblem,) = emblem_lib.remove_emblems(conn, str(emblem_id))
    actor.record(conn, "emblem_remove", "emblem", emblem.id, {"label": emblem.label})
    return emblem.as_dict()


def set_emblem_enabled(
    conn: Connection, actor: Actor, emblem_id: int, enabled: bool
) -> dict[str, Any]:
    (emblem,) = emblem_lib.set_emblems_enabled(conn, str(emblem_id), enabled=enabled)
    action = "emblem_enable" if enabled else "emblem_disable"
    actor.record(conn, action, "emblem", emblem.id, {"label": emblem.label})
    return emblem.as_dict()


# ---- gallery ---------------------------------------------------------------------------------


def gallery_page(conn: Connection, landmark: str | None, limit: int, offset: int) -> dict[str, Any]:
    """Per-landmark summaries and one page of images (of one landmark, if named)."""
    total = select(func.count()).select_from(gallery)
    if landmark:
        total = total.where(gallery.c.landmark == landmark)
    images = gallery_lib.list_entries(conn, landmark or None, limit=limit, offset=offset)
    return {
        "landmarks": [s.as_dict() for s in gallery_lib.list_landmarks(conn)],
        "images": [e.as_dict() for e in images],
        "landmark": landmark or None,
        "limit": limit,
        "offset": offset,
        "total": conn.execute(total).scalar_one(),
    }


def gallery_sha(conn: Connection, entry_id: int) -> str | None:
    return conn.execute(select(gallery.c.sha256).where(gallery.c.id == entry_id)).scalar()


def make_place(
    landmark: str,
    city: str | None,
    country: str | None,
    lat: float | None,
    lon: float | None,
) -> gallery_lib.Place:
    """The place of new images; ``BadRow`` says what is wrong with it."""
    return gallery_lib.Place(landmark.strip(), city or None, country or None, lat, lon)


def add_gallery_images(
    conn: Connection,
    store: Store,
    actor: Actor,
    paths: list[Path],
    place: gallery_lib.Place,
    max_pixels: int,
) -> dict[str, Any]:
    report = gallery_lib.add_images(
        conn, store.media, paths, place, max_pixels=max_pixels, added_by=actor.name
    )
    detail = {"added": report.added, "rejected": len(report.problems)}
    actor.record(conn, "gallery_add", "landmark", place.landmark, detail)
    return report.as_dict()


def import_gallery(
    conn: Connection, store: Store, actor: Actor, csv_path: Path, max_pixels: int
) -> dict[str, Any]:
    """A CSV of file,landmark,city,country,lat,lon whose files were uploaded beside it."""
    report = gallery_lib.import_csv(
        conn, store.media, csv_path, max_pixels=max_pixels, added_by=actor.name
    )
    detail = {"file": csv_path.name, "added": report.added, "rejected": len(report.problems)}
    actor.record(conn, "gallery_import", "gallery", None, detail)
    return report.as_dict()


def remove_gallery(
    conn: Connection, actor: Actor, *, landmark: str | None = None, ids: list[int] | None = None
) -> int:
    removed = gallery_lib.remove(conn, landmark=landmark or None, ids=ids or ())
    detail = {"landmark": landmark or None, "ids": ids or [], "removed": removed}
    actor.record(conn, "gallery_remove", "gallery", landmark or None, detail)
    return removed


# ---- outlets ---------------------------------------------------------------------------------


def list_outlets(conn: Connection) -> dict[str, Any]:
    return {
        "outlets": [o.as_dict() for o in outlet_lib.list_outlets(conn)],
        "kinds": list(outlet_lib.KINDS),
    }


def get_outlet(conn: Connection, name: str) -> dict[str, Any] | None:
    wanted = " ".join(name.split())
    found = [o for o in outlet_lib.list_outlets(conn) if o.name == wanted]
    return found[0].as_dict() if found else None


def split_values(text: str | list[str] | None) -> tuple[str, ...]:
    """Form text with one value per line (or a list from JSON) as a tuple of values."""
    if text is None:
        return ()
    values = text.splitlines() if isinstance(text, str) else text
    return tuple(v.strip() for v in values if v and v.strip())


def save_outlet(
    conn: Connection, actor: Actor, outlet: outlet_lib.Outlet, previous: str | None = None
) -> dict[str, Any]:
    """Add or replace an outlet; renaming (``previous`` differs) removes the old name."""
    existed = get_outlet(conn, outlet.name) is not None
    outlet_lib.add_outlet(conn, outlet, actor.name)
    renamed = previous and " ".join(previous.split()) != " ".join(outlet.name.split())
    if renamed:
        outlet_lib.remove_outlet(conn, previous)
    action = "outlet_edit" if existed or renamed else "outlet_add"
    detail = {"kind": outlet.kind} | ({"renamed_from": previous} if renamed else {})
    actor.record(conn, action, "outlet", outlet.name, detail)
    return get_outlet(conn, outlet.name) or {}


def remove_outlet(conn: Connection, actor: Actor, name: str) -> None:
    outlet_lib.remove_outlet(conn, name)
    actor.record(conn, "outlet_remove", "outlet", name)


# ---- reference images ------------------------------------------------------------------------


def is_reference_image(conn: Connection, sha256: str) -> bool:
    """Whether an emblem or a gallery image has these bytes (only those are served here)."""
    for table in (emblems, gallery):
        if conn.execute(select(table.c.id).where(table.c.sha256 == sha256).limit(1)).first():
            return True
    return False
