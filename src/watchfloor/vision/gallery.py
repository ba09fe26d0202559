"""The landmark gallery: reference photos of places, each with its landmark, city, country and
coordinates, that the ``landmark`` analyzer recognises other photos against.

Images are decoded safely (``imaging``) before anything is stored; the bytes go into the
content-addressed media store, a row into the ``gallery`` table. A photo is unique per landmark:
adding or importing it again adds nothing. Bad files and bad CSV rows are reported with their
line numbers and quarantined (stage ``gallery``); the good ones are kept.

Every function takes an open connection; the caller owns the transaction.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, select

from watchfloor.identity import current_user
from watchfloor.imaging import DEFAULT_MAX_PIXELS, ImageRejected, decode_rgb
from watchfloor.records import Rejected
from watchfloor.store.dialect import insert_ignore
from watchfloor.store.media_store import MediaStore
from watchfloor.store.quarantine import quarantine_items
from watchfloor.store.schema import gallery
from watchfloor.store.times import as_utc

__all__ = [
    "CSV_COLUMNS",
    "QUARANTINE_STAGE",
    "AddReport",
    "GalleryEntry",
    "LandmarkSummary",
    "Place",
    "Problem",
    "add_images",
    "gallery_fingerprint",
    "import_csv",
    "list_entries",
    "list_landmarks",
    "remove",
]

QUARANTINE_STAGE = "gallery"
CSV_COLUMNS = ("file", "landmark", "city", "country", "lat", "lon")  # width, height: ignored
NAME_MAX = 200
DECODE_CHECK_SIDE = 128  # a reduced decode still reads every byte: truncation is caught


class BadRow(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Place:
    landmark: str
    city: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None

    def __post_init__(self) -> None:
        if not self.landmark.strip() or len(self.landmark) > NAME_MAX:
            raise BadRow("bad_landmark", f"a landmark name is 1-{NAME_MAX} characters")
        for name in ("city", "country"):
            value = getattr(self, name)
            if value is not None and len(value) > NAME_MAX:
                raise BadRow(f"bad_{name}", f"{name} is longer than {NAME_MAX} characters")
        if (self.lat is None) != (self.lon is None):
            raise BadRow("bad_coordinates", "give both latitude and longitude, or neither")
        if self.lat is not None and not -90 <= self.lat <= 90:
            raise BadRow("bad_coordinates", f"latitude {self.lat} is not within -90..90")
        if self.lon is not None and not -180 <= self.lon <= 180:
            raise BadRow("bad_coordinates", f"longitude {self.lon} is not within -180..180")


@dataclass(frozen=True)
class GalleryEntry:
    id: int
    place: Place
    sha256: str
    width: int
    height: int
    source: str | None
    added_by: str | None
    added_at: datetime
    enabled: bool

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return data | data.pop("place") | {"added_at": self.added_at.isoformat()}


@dataclass(frozen=True)
class LandmarkSummary:
    place: Place
    images: int  # enabled
    disabled: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self.place) | {"images": self.images, "disabled": self.disabled}


@dataclass(frozen=True)
class Problem:
    """A file or CSV row that was not added, as reported and quarantined."""

    source: str
    line: int | None  # the CSV line (1 is the header), None for a file given directly
    code: str
    reason: str
    payload: str | None = field(default=None, repr=False)  # the CSV row, for the quarantine

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "line": self.line, "code": self.code, "reason": self.reason}


@dataclass
class AddReport:
    added: int = 0
    already_present: int = 0
    problems: list[Problem] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)  # {file, sha256, landmark, new}

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "already_present": self.already_present,
            "rejected": len(self.problems),
            "rejections": [p.as_dict() for p in self.problems],
            "entries": self.entries,
        }


def _now() -> datetime:
    return datetime.now(UTC)


def _who(added_by: str | None) -> str:
    return current_user(added_by)


def _checked_image(path: Path, max_pixels: int) -> tuple[bytes, int, int]:
    """The file's bytes and size in pixels, once it decodes safely (raises BadRow)."""
    try:
        decoded = decode_rgb(path, max_pixels=max_pixels, reduce_to=DECODE_CHECK_SIDE)
        return path.read_bytes(), decoded.width, decoded.height
    except ImageRejected as exc:
        raise BadRow(exc.code, exc.message) from exc
    except OSError as exc:
        raise BadRow("unreadable", f"cannot read the file: {exc.strerror or exc}") from exc


def _add_one(
    conn: Connection,
    media: MediaStore,
    path: Path,
    place: Place,
    source: str,
    who: str,
    *,
    max_pixels: int,
    report: AddReport,
) -> None:
    data, width, height = _checked_image(path, max_pixels)
    sha256 = hashlib.sha256(data).hexdigest()
    media.put_bytes(data)
    row = asdict(place) | {
        "sha256": sha256,
        "width": width,
        "height": height,
        "source": source,
        "added_by": who,
        "added_at": _now(),
    }
    new = bool(conn.execute(insert_ignore(conn, gallery).returning(gallery.c.id), row).all())
    report.added += new
    report.already_present += not new
    report.entries.append(
        {"file": source, "sha256": sha256, "landmark": place.landmark, "new": new}
    )


def _quarantine(conn: Connection, report: AddReport) -> None:
    items = [
        Rejected(
            p.source, "file" if p.line is None else f"line {p.line}", p.code, p.reason, p.payload
        )
        for p in report.problems
    ]
    quarantine_items(conn, QUARANTINE_STAGE, items)


def add_images(
    conn: Connection,
    media: MediaStore,
    paths: Iterable[Path],
    place: Place,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    added_by: str | None = None,
) -> AddReport:
    """Add photos of one place; files that do not decode are reported and quarantined."""
    report, who = AddReport(), _who(added_by)
    for path in paths:
        try:
            _add_one(conn, media, path, place, str(path), who, max_pixels=max_pixels, report=report)
        except BadRow as exc:
            report.problems.append(Problem(str(path), None, exc.code, str(exc)))
    _quarantine(conn, report)
    return report


def _optional_float(row: dict[str, str], name: str) -> float | None:
    text = (row.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadRow("bad_coordinates", f"{name} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise BadRow("bad_coordinates", f"{name} {text!r} is not a finite number")
    return value


def _row_place(row: dict[str, str]) -> Place:
    def text(name: str) -> str | None:
        return (row.get(name) or "").strip() or None

    return Place(
        text("landmark") or "",
        text("city"),
        text("country"),
        _optional_float(row, "lat"),
        _optional_float(row, "lon"),
    )


def _row_path(row: dict[str, str], root: Path) -> Path:
    name = (row.get("file") or "").strip()
    if not name:
        raise BadRow("missing_file", "the row names no file")
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        raise BadRow("path_escapes_root", f"{name!r} is outside {root}")
    if not path.is_file():
        raise BadRow("missing_file", f"no such file: {name}")
    return path


def import_csv(
    conn: Connection,
    media: MediaStore,
    csv_path: Path,
    *,
    root: Path | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    added_by: str | None = None,
) -> AddReport:
    """Import ``file,landmark,city,country,lat,lon[,width,height]`` rows; ``file`` is relative
    to ``root`` (default: the CSV's folder) and may not leave it. Bad rows are reported with
    their line numbers and quarantined; good rows are kept. Importing again adds nothing."""
    root = root if root is not None else csv_path.parent
    report, who = AddReport(), _who(added_by)
    with csv_path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("file", "landmark") if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{csv_path}: the header lacks the column(s) {', '.join(missing)}")
        for row in reader:
            try:
                place, path = _row_place(row), _row_path(row, root)
                source = str(path.relative_to(root.resolve()))
                _add_one(
                    conn, media, path, place, source, who, max_pixels=max_pixels, report=report
                )
            except BadRow as exc:
                payload = json.dumps(row, ensure_ascii=False, default=str)
                problem = Problem(csv_path.name, reader.line_num, exc.code, str(exc), payload)
                report.problems.append(problem)
    _quarantine(conn, report)
    return report


def _entry(r: Any) -> GalleryEntry:
    place = Place(r.landmark, r.city, r.country, r.lat, r.lon)
    return GalleryEntry(
        r.id,
        place,
        r.sha256,
        r.width,
        r.height,
        r.source,
        r.added_by,
        as_utc(r.added_at),
        bool(r.enabled),
    )


def list_entries(
    conn: Connection,
    landmark: str | None = None,
    *,
    enabled_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[GalleryEntry]:
    query = select(gallery).order_by(gallery.c.landmark, gallery.c.id)
    if landmark is not None:
        query = query.where(gallery.c.landmark == landmark)
    if enabled_only:
        query = query.where(gallery.c.enabled.is_(True))
    query = query.limit(limit).offset(offset or None)
    return [_entry(r) for r in conn.execute(query)]


def list_landmarks(conn: Connection) -> list[LandmarkSummary]:
    """Per landmark: enabled and disabled images, and the place of its first image."""
    summaries: dict[str, LandmarkSummary] = {}
    for e in list_entries(conn):
        held = summaries.get(e.place.landmark) or LandmarkSummary(e.place, 0, 0)
        summaries[e.place.landmark] = LandmarkSummary(
            held.place, held.images + e.enabled, held.disabled + (not e.enabled)
        )
    return list(summaries.values())


def _selection(landmark: str | None, ids: Sequence[int]):
    if landmark is None and not ids:
        raise ValueError("name a landmark or gallery ids")
    condition = gallery.c.id.in_(list(ids)) if ids else None
    if landmark is not None:
        by_name = gallery.c.landmark == landmark
        condition = by_name if condition is None else condition & by_name
    return condition


def remove(conn: Connection, *, landmark: str | None = None, ids: Sequence[int] = ()) -> int:
    """Remove a landmark's images, or the given ids (of that landmark, if named). The bytes stay
    in the media store (other records may share them). Returns how many rows went."""
    return conn.execute(delete(gallery).where(_selection(landmark, ids))).rowcount


def gallery_fingerprint(entries: Sequence[GalleryEntry]) -> str:
    """Changes whenever an enabled image or its place changes, appears or goes away."""
    payload = json.dumps(
        [[e.id, e.sha256, *asdict(e.place).values()] for e in entries], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(gallery)).scalar_one()
