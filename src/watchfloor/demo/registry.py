"""What an analyst would register before analysing the demo corpus: the outlet's stand-in
emblems, a landmark gallery, and the outlets. Idempotent: a second demo run adds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from watchfloor.demo import texts
from watchfloor.demo.references import References, write_references
from watchfloor.store import Store
from watchfloor.text.outlets import Outlet, add_outlet
from watchfloor.vision import gallery
from watchfloor.vision.emblem_registry import EmblemNotFound, add_emblem, find_emblems

DEMO_USER = "demo"
NEWS_OUTLET = "Harbour Desk News"


def register_demo_references(store: Store, folder: Path) -> dict[str, Any]:
    """Draw the reference images under ``folder`` and register them and the outlets."""
    refs = write_references(folder)
    with store.begin() as conn:
        emblems_added = _register_emblems(conn, store, refs)
        report = gallery.import_csv(conn, store.media, refs.gallery_csv, added_by=DEMO_USER)
        _register_outlets(conn)
    return {
        "emblems_added": emblems_added,
        "gallery_added": report.added,
        "gallery_problems": len(report.problems),
    }


def _register_emblems(conn: Connection, store: Store, refs: References) -> int:
    added = 0
    for ref in refs.emblems:
        try:
            find_emblems(conn, ref.label)
        except EmblemNotFound:
            add_emblem(
                conn, store.media, ref.path, label=ref.label, kind=ref.kind, added_by=DEMO_USER
            )
            added += 1
    return added


def _register_outlets(conn: Connection) -> None:
    outlet = Outlet(
        texts.OUTLET_NAME,
        "official",
        handles=(texts.OUTLET_USERNAME,),
        aliases=(texts.OUTLET_WATERMARK,),
        watermark_labels=(f"{texts.OUTLET_WATERMARK} watermark",),
    )
    add_outlet(conn, outlet, DEMO_USER)
    add_outlet(conn, Outlet(NEWS_OUTLET, "news"), DEMO_USER)
