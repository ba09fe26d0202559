"""What every source hands the ingest step: chats, each a stream of raw items and a way to read them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from watchfloor.records import Channel, Post, Rejected


class SourceError(Exception):
    """A whole input could not be read (not a known export, unreadable, malformed at its root)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class ChatStream:
    """One chat of an export. Consume `items` fully before asking the source for the next chat.

    `items` yields raw source items cheaply; `to_record` turns one into a Post or a Rejected, so a
    resumed ingest can skip what it already stored without re-reading those items in depth.
    """

    channel: Channel
    source: Path
    root: Path  # the export folder: media paths are relative to it and may not leave it
    resume_key: str
    items: Iterator[Any]
    to_record: Callable[[Any, int], Post | Rejected]


@dataclass(frozen=True)
class TimeContext:
    """How to read dates that carry no zone (Telegram Desktop writes the exporter's local time)."""

    assumed_tz: tzinfo
    assumed_tz_name: str

    def from_local(self, value: str) -> datetime:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.assumed_tz)
        return parsed.astimezone(UTC)


def from_unixtime(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)


def file_identity(path: Path) -> str:
    st = path.stat()
    return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
