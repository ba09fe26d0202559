"""The core records that flow from sources through the store to analyzers (see DESIGN.md).

Plain dataclasses: sources build them, the store persists them, nothing here touches a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Attribution = Literal["official", "supporter", "news", "unknown"]
MediaStatus = Literal["present", "missing", "refused"]
SubjectType = Literal["media", "post"]


@dataclass(frozen=True)
class Channel:
    """A chat or channel on a platform; `key` is `platform:id` and never changes."""

    platform: str
    platform_id: str
    title: str | None = None
    handle: str | None = None
    kind: str | None = None
    attribution: Attribution = "unknown"

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.platform_id}"


@dataclass(frozen=True)
class MediaRef:
    """A file a post points at, as the source names it; resolved to bytes by the ingest step."""

    role: str  # photo, file, thumbnail, contact_vcard ...
    path: str | None  # as written in the export, relative to the export folder
    status: MediaStatus = "present"
    note: str | None = None  # why it is missing or refused
    mime_hint: str | None = None
    size_hint: int | None = None


@dataclass(frozen=True)
class Entities:
    links: tuple[str, ...] = ()
    telegram_handles: tuple[str, ...] = ()
    invite_links: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "links": list(self.links),
            "telegram_handles": list(self.telegram_handles),
            "invite_links": list(self.invite_links),
            "mentions": list(self.mentions),
            "hashtags": list(self.hashtags),
        }


@dataclass(frozen=True)
class Post:
    """One message of a channel. `raw` is the source record exactly as it came (keep raw, map on read)."""

    channel_key: str
    message_id: int
    date: datetime  # UTC, timezone-aware
    kind: str  # message, service, unsupported
    text: str
    raw: bytes  # canonical serialisation of the source record
    raw_format: Literal["json", "html"]
    edit_date: datetime | None = None
    sender_id: str | None = None
    sender_name: str | None = None
    forwarded_from: str | None = None
    forwarded_from_id: str | None = None
    reply_to: int | None = None
    entities: Entities = field(default_factory=Entities)
    media: tuple[MediaRef, ...] = ()
    date_assumed_tz: str | None = None  # set when the source gave a bare local time


@dataclass(frozen=True)
class Rejected:
    """Input a source could not turn into a record: quarantined with its reason, the run goes on."""

    source: str
    locator: str
    code: str
    reason: str
    payload: str | None = None


@dataclass(frozen=True)
class Media:
    sha256: str
    size: int
    mime: str | None = None
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Signal:
    """Everything an analyzer learns: (subject, analyzer, version, kind, value, score, evidence)."""

    subject_type: SubjectType
    subject: str
    analyzer: str
    version: str
    kind: str
    value: Any
    score: float | None = None
    evidence: dict[str, Any] | None = None
