"""Bringing a post's media into the content-addressed store, safely.

A media path comes from the export and is not trusted: an absolute path, one that climbs out of
the export folder, or a symlink pointing outside is refused and quarantined, never read.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from watchfloor.imaging import ImageLimits, ImageRejected, probe_image
from watchfloor.records import MediaRef, Rejected
from watchfloor.store.dialect import insert_ignore
from watchfloor.store.media_store import MediaStore
from watchfloor.store.schema import media

_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:|\\\\)")


class PathRefused(Exception):
    pass


def resolve_export_path(root: Path, relative: str) -> Path:
    if "\x00" in relative:
        raise PathRefused("path contains a NUL byte")
    if relative.startswith(("/", "\\")) or _WINDOWS_ABSOLUTE.match(relative):
        raise PathRefused("absolute path: media paths must be relative to the export folder")
    base = root.resolve()
    resolved = (base / relative).resolve()
    if not resolved.is_relative_to(base):
        raise PathRefused("path leads outside the export folder (via '..' or a symlink)")
    return resolved


@dataclass
class MediaIngest:
    """Turns a post's MediaRefs into post_media rows, storing the bytes as it goes; the media
    rows follow at ``flush()``, which must come before the post_media rows are inserted."""

    conn: Connection
    store: MediaStore
    root: Path
    source: str
    limits: ImageLimits
    pending: dict[str, dict] = field(default_factory=dict)  # media rows not inserted yet

    def rows_for(
        self, message_id: int, refs: tuple[MediaRef, ...], rejected: list[Rejected]
    ) -> list[dict]:
        return [self._row(message_id, ref, rejected) for ref in refs]

    def _row(self, message_id: int, ref: MediaRef, rejected: list[Rejected]) -> dict:
        row = {
            "role": ref.role,
            "export_path": ref.path or "",
            "sha256": None,
            "status": ref.status,
            "note": ref.note,
        }
        if ref.status != "present" or not ref.path:
            return row
        try:
            path = resolve_export_path(self.root, ref.path)
        except PathRefused as exc:
            rejected.append(
                Rejected(
                    self.source,
                    f"message {message_id} media {ref.path}",
                    "unsafe_media_path",
                    str(exc),
                )
            )
            return row | {"status": "refused", "note": str(exc)}
        try:
            if not path.is_file():
                return row | {"status": "missing", "note": "file not found in the export folder"}
            row["sha256"] = self._store(path, ref)
        except OSError as exc:  # a name too long for the file system, a file that is unreadable
            return row | {"status": "missing", "note": f"cannot be read: {exc.strerror or exc}"}
        return row

    def _store(self, path: Path, ref: MediaRef) -> str:
        stored = self.store.put_file(path)
        mime, width, height = ref.mime_hint or mimetypes.guess_type(path.name)[0], None, None
        try:
            info = probe_image(path, limits=self.limits)
            mime, width, height = info.mime, info.width, info.height
        except ImageRejected:
            pass  # not an image, or a bad one: the analyzers quarantine it with their reason
        self.pending[stored.sha256] = {
            "sha256": stored.sha256,
            "size": stored.size,
            "mime": mime,
            "width": width,
            "height": height,
            "storage_path": stored.relpath,
            "first_seen": datetime.now(UTC),
        }
        return stored.sha256

    def flush(self) -> None:
        """Insert the media rows gathered so far, in hash order: two ingests sharing images
        then lock the same keys in the same order and cannot deadlock on them."""
        if self.pending:
            rows = [self.pending[sha] for sha in sorted(self.pending)]
            self.conn.execute(insert_ignore(self.conn, media), rows)
            self.pending.clear()
