"""Telegram Desktop "Export chat history" / "Export Telegram data", auto-detected.

Accepts a `result.json` (single chat or full account), a `messages*.html` page, or a folder
holding either; yields one ChatStream per chat.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from watchfloor.sources.base import ChatStream, SourceError, TimeContext
from watchfloor.sources.telegram_export.html_reader import PAGE_RE, html_chat_stream, html_pages
from watchfloor.sources.telegram_export.json_reader import (
    ProgressReader,
    export_kind,
    full_account,
    read_top_level,
    single_chat,
)


class TelegramExport:
    """One export on disk. `position`/`total` report progress in bytes (pages for HTML)."""

    def __init__(self, path: Path, time: TimeContext) -> None:
        self.path, self.time = path, time
        self.kind, self.target = detect(path)
        self.position = 0
        self.total = self._total()

    def _total(self) -> int:
        if self.kind == "html":
            return sum(p.stat().st_size for p in html_pages(self.target))
        return self.target.stat().st_size

    def chats(self) -> Iterator[ChatStream]:
        if self.kind == "html":
            stream = html_chat_stream(self.target, self.time)
            self.position = self.total
            yield stream
            return
        with open(self.target, "rb") as f:
            reader = ProgressReader(f)
            self._reader = reader
            if self.kind == "single_chat":
                yield from single_chat(self.target, read_top_level(self.target), reader, self.time)
            else:
                yield from full_account(self.target, reader, self.time)

    def progress(self) -> int:
        reader = getattr(self, "_reader", None)
        return reader.position if reader is not None else self.position


def detect(path: Path) -> tuple[str, Path]:
    """('single_chat' | 'full_account', result.json) or ('html', folder)."""
    if not path.exists():
        raise SourceError("not_found", f"{path} does not exist")
    if path.is_dir():
        for name in ("result.json",):
            if (path / name).is_file():
                return detect(path / name)
        if html_pages(path):
            return "html", path
        raise SourceError("not_an_export", f"{path}: no result.json or messages*.html inside")
    if PAGE_RE.match(path.name):
        return "html", path.parent
    if path.suffix.lower() == ".json":
        return export_kind(read_top_level(path)), path
    raise SourceError(
        "not_an_export", f"{path}: expected result.json, messages*.html or an export folder"
    )
