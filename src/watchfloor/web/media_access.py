"""Analyst wellbeing: media are shown blurred and greyscale until a person reveals one item.

Revealing is audited; the original bytes are served only to a user who revealed that item
within their session length, or who chose to see media unblurred in their preferences.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image, ImageFilter
from sqlalchemy import Connection, select

from watchfloor.accounts import audit
from watchfloor.accounts.users import user_by_id
from watchfloor.imaging import ImageRejected, decode_rgb
from watchfloor.store.schema import audit_log, media

SHA256 = re.compile(r"^[0-9a-f]{64}$")
PREVIEW_SIDE = 480
REVEAL_ACTION = "reveal_media"


class NoSuchMedia(LookupError):
    pass


def media_row(conn: Connection, sha256: str):
    if not SHA256.match(sha256):
        raise NoSuchMedia("not a media id: expected 64 lowercase hex digits")
    row = conn.execute(select(media).where(media.c.sha256 == sha256)).first()
    if row is None:
        raise NoSuchMedia(f"no media {sha256}")
    return row


def record_reveal(conn: Connection, actor: str, sha256: str, origin: str, ip: str | None) -> None:
    audit.record(
        conn, actor, REVEAL_ACTION, target_kind="media", target_id=sha256, origin=origin, ip=ip
    )


def may_see_original(
    conn: Connection, user_id: int, user_name: str, sha256: str, hours: int
) -> bool:
    user = user_by_id(conn, user_id)
    if user is not None and user.prefs.get("reveal_media"):
        return True
    since = datetime.now(UTC) - timedelta(hours=hours)
    found = conn.execute(
        select(audit_log.c.id)
        .where(
            audit_log.c.action == REVEAL_ACTION,
            audit_log.c.actor == user_name,
            audit_log.c.target_id == sha256,
            audit_log.c.at >= since,
        )
        .limit(1)
    ).first()
    return found is not None


def preview_path(workspace: Path, sha256: str) -> Path:
    return workspace / "cache" / "previews" / f"{sha256[:2]}" / f"{sha256}.jpg"


def make_preview(source: Path, dest: Path, max_pixels: int) -> Path:
    """A small greyscale, heavily blurred JPEG; made once, from the safe decoder."""
    if dest.exists():
        return dest
    decoded = decode_rgb(source, max_pixels=max_pixels, reduce_to=PREVIEW_SIDE)
    image = Image.fromarray(decoded.rgb).convert("L")
    image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    radius = max(6, max(image.size) // 40)
    blurred = image.filter(ImageFilter.GaussianBlur(radius))
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp")
    blurred.save(tmp, "JPEG", quality=70)
    tmp.replace(dest)
    return dest


__all__ = [
    "ImageRejected",
    "NoSuchMedia",
    "make_preview",
    "may_see_original",
    "media_row",
    "preview_path",
    "record_reveal",
]
