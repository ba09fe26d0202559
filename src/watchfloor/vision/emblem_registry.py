"""The emblem registry: reference images of flags, logos and outlet watermarks that the
``emblem`` analyzer looks for.

An emblem is a row of the ``emblems`` table (label, kind, size, note, who added it and when,
enabled) and its image's bytes in the content-addressed media store. An image is refused when it
cannot be decoded safely (``imaging``), is smaller than ``MIN_SIDE`` pixels on a side, or has
fewer than ``MIN_KEYPOINTS`` SIFT keypoints: a plain stripe flag or a blank square would match
nothing reliably, so registering it would only promise detections that never come.

Emblems are referred to by id or by label (a label may name several images of one emblem).
Every function takes an open connection; the caller owns the transaction.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, select, update

from watchfloor.identity import current_user
from watchfloor.imaging import DEFAULT_MAX_PIXELS, ImageRejected, decode_rgb
from watchfloor.store.media_store import MediaStore
from watchfloor.store.schema import emblems
from watchfloor.store.times import as_utc
from watchfloor.vision.emblems import DetectParams, build_model

__all__ = [
    "KINDS",
    "MIN_KEYPOINTS",
    "MIN_SIDE",
    "Emblem",
    "EmblemError",
    "EmblemExists",
    "EmblemNotFound",
    "EmblemRefused",
    "add_emblem",
    "enabled_emblems",
    "find_emblems",
    "list_emblems",
    "remove_emblems",
    "set_emblems_enabled",
]

KINDS = ("flag", "logo", "watermark")
MIN_SIDE = 48  # pixels, each side
MIN_KEYPOINTS = 40  # SIFT keypoints pooled over the reference sizes
MAX_LABEL = 200


class EmblemError(Exception):
    """An emblem operation that cannot be done; the message says why."""


class EmblemNotFound(EmblemError, LookupError):
    def __init__(self, ref: str) -> None:
        super().__init__(f"no emblem with id or label {ref!r} (see `watchfloor emblems list`)")


class EmblemExists(EmblemError):
    pass


class EmblemRefused(EmblemError):
    """The image cannot serve as a reference (undecodable, too small, featureless)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Emblem:
    id: int
    label: str
    kind: str
    sha256: str
    width: int
    height: int
    note: str | None
    source: str | None
    added_by: str | None
    added_at: datetime
    enabled: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"added_at": self.added_at.isoformat()}


def _row_to_emblem(row: Any) -> Emblem:
    return Emblem(
        row.id,
        row.label,
        row.kind,
        row.sha256,
        row.width,
        row.height,
        row.note,
        row.source,
        row.added_by,
        as_utc(row.added_at),
        bool(row.enabled),
    )


def _check_image(path: Path, kind: str, max_pixels: int) -> tuple[int, int]:
    """(width, height) of a usable reference image; raises EmblemRefused otherwise."""
    try:
        decoded = decode_rgb(path, max_pixels=max_pixels)
    except ImageRejected as exc:
        raise EmblemRefused(exc.code, f"{path}: {exc.message}") from exc
    if min(decoded.width, decoded.height) < MIN_SIDE:
        raise EmblemRefused(
            "too_small",
            f"{path}: {decoded.width}x{decoded.height} pixels; a reference needs at least "
            f"{MIN_SIDE} on each side",
        )
    keypoints = build_model(0, "", kind, decoded.rgb, DetectParams()).keypoints
    if keypoints < MIN_KEYPOINTS:
        raise EmblemRefused(
            "featureless",
            f"{path}: only {keypoints} SIFT keypoints (at least {MIN_KEYPOINTS} needed): too "
            "plain to be found reliably; register a larger or more detailed image",
        )
    return decoded.width, decoded.height


def add_emblem(
    conn: Connection,
    media: MediaStore,
    path: str | os.PathLike[str],
    *,
    label: str,
    kind: str = "logo",
    note: str | None = None,
    added_by: str | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Emblem:
    """Check the image, keep its bytes in the media store and register it."""
    label = label.strip()
    if not label or len(label) > MAX_LABEL:
        raise ValueError(f"a label needs 1 to {MAX_LABEL} characters")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    path = Path(path)
    width, height = _check_image(path, kind, max_pixels)
    stored = media.put_file(path)
    duplicate = conn.execute(
        select(emblems.c.id).where(emblems.c.label == label, emblems.c.sha256 == stored.sha256)
    ).first()
    if duplicate is not None:
        raise EmblemExists(f"this image is already registered as {label!r} (id {duplicate.id})")
    row = {
        "label": label,
        "kind": kind,
        "sha256": stored.sha256,
        "width": width,
        "height": height,
        "note": note,
        "source": str(path.name),
        "added_by": current_user(added_by),
        "added_at": datetime.now(UTC),
        "enabled": True,
    }
    new_id = conn.execute(emblems.insert().values(**row)).inserted_primary_key[0]
    return _row_to_emblem(conn.execute(select(emblems).where(emblems.c.id == new_id)).one())


def list_emblems(conn: Connection) -> list[Emblem]:
    rows = conn.execute(select(emblems).order_by(emblems.c.id))
    return [_row_to_emblem(r) for r in rows]


def enabled_emblems(conn: Connection) -> list[Emblem]:
    rows = conn.execute(select(emblems).where(emblems.c.enabled.is_(True)).order_by(emblems.c.id))
    return [_row_to_emblem(r) for r in rows]


def find_emblems(conn: Connection, ref: str) -> list[Emblem]:
    """The emblem with this id, else every emblem with this label; EmblemNotFound if none."""
    condition = emblems.c.label == ref
    if ref.isdigit():
        condition = emblems.c.id == int(ref)
    rows = [_row_to_emblem(r) for r in conn.execute(select(emblems).where(condition))]
    if not rows:
        raise EmblemNotFound(ref)
    return rows


def remove_emblems(conn: Connection, ref: str) -> list[Emblem]:
    """Remove the emblem(s) ``ref`` names (the image bytes stay in the media store)."""
    found = find_emblems(conn, ref)
    conn.execute(delete(emblems).where(emblems.c.id.in_([e.id for e in found])))
    return found


def set_emblems_enabled(conn: Connection, ref: str, *, enabled: bool) -> list[Emblem]:
    """Enable or disable the emblem(s) ``ref`` names: a disabled emblem is kept, not looked for."""
    found = find_emblems(conn, ref)
    ids = [e.id for e in found]
    conn.execute(update(emblems).where(emblems.c.id.in_(ids)).values(enabled=enabled))
    return [_row_to_emblem(r) for r in conn.execute(select(emblems).where(emblems.c.id.in_(ids)))]
