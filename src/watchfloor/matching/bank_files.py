"""Hash banks and files: importing hash lists, exporting banks, adding images by their PDQ hash.

Bad lines, records and files are reported (the first ``MAX_REPORTED_PROBLEMS``) and quarantined
(stage ``banks``) while the good ones are kept. Every function takes an open connection; the caller
owns the transaction.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection

from watchfloor.imaging import DEFAULT_MAX_PIXELS, ImageRejected
from watchfloor.matching.banks import (
    BATCH,
    MAX_REPORTED_PROBLEMS,
    QUARANTINE_STAGE,
    AddReport,
    add_entries,
    bump_revision,
    default_added_by,
    get_bank,
    insert_entries,
    iter_entries,
)
from watchfloor.matching.formats import FORMATS, BadInput, HashEntry, detect_format, read_hash_file
from watchfloor.pdq import QUALITY_THRESHOLD, HashMode, pdq_hash_file
from watchfloor.records import Rejected
from watchfloor.store.quarantine import quarantine_items

__all__ = [
    "AddImagesReport",
    "ExportReport",
    "ImportReport",
    "LineProblem",
    "add_images",
    "export_bank",
    "import_hash_file",
]


@dataclass(frozen=True)
class LineProblem:
    """A line, record or file that was not added, as reported and quarantined."""

    locator: str  # "line 3", "record 3", "file"
    position: int | None  # the line or record number
    source: str
    code: str
    reason: str

    def as_dict(self, unit: str = "line") -> dict[str, Any]:
        return {
            unit: self.position,
            "locator": self.locator,
            "source": self.source,
            "code": self.code,
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    bank: str
    file: str
    format: str
    unit: str  # what problems' positions count: "line" or "record"
    read: int = 0
    counts: AddReport = field(default_factory=AddReport)
    rejected: int = 0
    problems: list[LineProblem] = field(default_factory=list)  # the first MAX_REPORTED_PROBLEMS
    revision: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "bank": self.bank,
            "file": self.file,
            "format": self.format,
            "read": self.read,
            **asdict(self.counts),
            "rejected": self.rejected,
            "rejections": [p.as_dict(self.unit) for p in self.problems],
            "revision": self.revision,
        }


@dataclass
class AddImagesReport:
    bank: str
    files: list[dict[str, Any]] = field(default_factory=list)  # file, pdq, quality, new
    counts: AddReport = field(default_factory=AddReport)
    problems: list[LineProblem] = field(default_factory=list)
    revision: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "bank": self.bank,
            "files": self.files,
            **asdict(self.counts),
            "rejected": len(self.problems),
            "rejections": [
                {"file": p.source, "code": p.code, "reason": p.reason} for p in self.problems
            ],
            "revision": self.revision,
        }


@dataclass(frozen=True)
class ExportReport:
    written: int
    skipped_disabled: int  # disabled entries the format cannot mark as disabled


def _source_name(path: Path) -> str:
    return os.path.abspath(path)


def import_hash_file(
    conn: Connection,
    name: str,
    path: Path,
    *,
    fmt: str | None = None,
    added_by: str | None = None,
    label: str | None = None,
    note: str | None = None,
) -> ImportReport:
    """Read a hash list into a bank, streaming: good lines are added (nothing twice), bad ones
    are reported and quarantined (stage ``banks``, locator ``line N`` or ``record N``).
    ``label`` and ``note`` fill in entries that carry none."""
    get_bank(conn, name)
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown hash-list format {fmt!r}: one of {', '.join(FORMATS)}")
    source = _source_name(path)
    report = ImportReport(name, source, fmt, FORMATS[fmt].unit)
    rejected: list[Rejected] = []

    def good_entries() -> Iterator[HashEntry]:
        for position, item in read_hash_file(path, fmt):
            report.read += 1
            if isinstance(item, BadInput):
                report.rejected += 1
                _reject(report, rejected, source, f"{report.unit} {position}", position, item)
                if len(rejected) >= BATCH:
                    quarantine_items(conn, QUARANTINE_STAGE, rejected)
                    rejected.clear()
            else:
                yield _with_defaults(item, label, note)

    report.counts = add_entries(conn, name, good_entries(), source=source, added_by=added_by)
    quarantine_items(conn, QUARANTINE_STAGE, rejected)
    report.revision = get_bank(conn, name).revision
    return report


def _with_defaults(entry: HashEntry, label: str | None, note: str | None) -> HashEntry:
    if (entry.label or not label) and (entry.note or not note):
        return entry
    return HashEntry(
        entry.signal_type,
        entry.value,
        quality=entry.quality,
        label=entry.label or label,
        note=entry.note or note,
        enabled=entry.enabled,
    )


def _reject(
    report: ImportReport | AddImagesReport,
    rejected: list[Rejected],
    source: str,
    locator: str,
    position: int | None,
    bad: BadInput,
) -> None:
    rejected.append(Rejected(source, locator, bad.code, bad.reason, bad.text))
    if len(report.problems) < MAX_REPORTED_PROBLEMS:
        report.problems.append(LineProblem(locator, position, source, bad.code, bad.reason))


def export_bank(conn: Connection, name: str, out: TextIO, fmt: str) -> ExportReport:
    """Write a bank's entries in a format of ``FORMATS``. Disabled entries are written only to
    formats that can mark them disabled (csv, tat), so that no other tool matches them."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown hash-list format {fmt!r}: one of {', '.join(FORMATS)}")
    target = FORMATS[fmt]
    bank = get_bank(conn, name)
    only = None if target.marks_disabled else True
    entries = (e.as_hash_entry() for e in iter_entries(conn, name, enabled=only))
    written = target.write(entries, out)
    return ExportReport(written, 0 if target.marks_disabled else bank.disabled_entries)


def add_images(
    conn: Connection,
    name: str,
    paths: Iterable[Path],
    *,
    mode: HashMode = "fast",
    max_pixels: int = DEFAULT_MAX_PIXELS,
    added_by: str | None = None,
    label: str | None = None,
    note: str | None = None,
) -> AddImagesReport:
    """Hash image files with PDQ and add them to a bank, each with its file as source. Files
    that cannot be hashed, or hash with quality below 50, are quarantined (locator ``file``).
    All files are hashed before anything is written."""
    bank = get_bank(conn, name)
    hashed = [(_source_name(p), _hash_image(p, mode, max_pixels)) for p in paths]
    report = AddImagesReport(name)
    rejected: list[Rejected] = []
    who = added_by or default_added_by()
    for source, result in hashed:
        if isinstance(result, BadInput):
            _reject(report, rejected, source, "file", None, result)
            continue
        entry = HashEntry("pdq", result.value, quality=result.quality, label=label, note=note)
        counts = insert_entries(conn, bank.id, [entry], source, who)
        _merge(report.counts, counts)
        report.files.append(
            {"file": source, "pdq": entry.value, "quality": entry.quality, "new": counts.added > 0}
        )
    if report.counts.changed:
        bump_revision(conn, bank.id)
    quarantine_items(conn, QUARANTINE_STAGE, rejected)
    report.revision = get_bank(conn, name).revision
    return report


def _hash_image(path: Path, mode: HashMode, max_pixels: int) -> HashEntry | BadInput:
    try:
        result = pdq_hash_file(path, mode=mode, max_pixels=max_pixels)
    except ImageRejected as exc:
        return BadInput(exc.code, exc.message)
    except OSError as exc:
        return BadInput("unreadable", f"cannot read the file: {exc.strerror or exc}")
    if result.quality < QUALITY_THRESHOLD:
        return BadInput(
            "low_quality",
            f"PDQ quality {result.quality} is below {QUALITY_THRESHOLD}: the hash would match "
            "unrelated images",
        )
    return HashEntry("pdq", result.hash, quality=result.quality)


def _merge(total: AddReport, part: AddReport) -> None:
    total.added += part.added
    total.already_present += part.already_present
    total.disabled += part.disabled
