"""The ingest step: sources' records into the store, batched, idempotent and resumable."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from watchfloor.config import Settings, parse_timezone
from watchfloor.ingest import checkpoints
from watchfloor.ingest.media import MediaIngest
from watchfloor.ingest.storable import storable_channel, storable_post
from watchfloor.records import Post, Rejected
from watchfloor.sources.base import ChatStream, SourceError, TimeContext
from watchfloor.sources.telegram_export import TelegramExport
from watchfloor.sources.telegram_export.json_reader import MALFORMED_JSON_ERRORS
from watchfloor.store import Store
from watchfloor.store.locks import transaction_lock
from watchfloor.store.posts import (
    PreparedPost,
    WriteCounts,
    apply_change,
    content_hash,
    existing_posts,
    insert_posts,
    refresh_channel_dates,
    upsert_channel,
)
from watchfloor.store.quarantine import quarantine_items
from watchfloor.store.retry import with_retries

ProgressCallback = Callable[[str, int, int], None]


@dataclass
class ChatReport:
    channel: str
    title: str | None
    read: int = 0
    skipped_resumed: int = 0
    rejected: int = 0
    already_complete: bool = False
    counts: WriteCounts = field(default_factory=WriteCounts)


@dataclass
class SourceReport:
    path: str
    kind: str | None = None
    chats: list[ChatReport] = field(default_factory=list)
    error: str | None = None


@dataclass
class IngestReport:
    sources: list[SourceReport] = field(default_factory=list)
    quarantined: int = 0

    def totals(self) -> dict[str, int]:
        total = WriteCounts()
        for chat in (c for s in self.sources for c in s.chats):
            total += chat.counts
        rejected = sum(c.rejected for s in self.sources for c in s.chats)
        return asdict(total) | {"rejected": rejected, "quarantined": self.quarantined}

    def as_dict(self) -> dict[str, Any]:
        return {"sources": [asdict(s) for s in self.sources], "totals": self.totals()}


class ChatIngest:
    """Ingests one chat stream: skips what a checkpoint says is done, writes the rest in batches."""

    def __init__(
        self, store: Store, settings: Settings, stream: ChatStream, batch_size: int
    ) -> None:
        self.store, self.settings, self.stream, self.batch_size = (
            store,
            settings,
            stream,
            batch_size,
        )
        self.report = ChatReport(channel=stream.channel.key, title=stream.channel.title)
        self.quarantined = 0

    def run(self, force: bool, on_batch: Callable[[], None]) -> ChatReport:
        with self.store.begin() as conn:
            self.channel_id = upsert_channel(conn, storable_channel(self.stream.channel))
            done, completed = checkpoints.load(conn, self.stream.resume_key)
        if completed and not force:
            self.report.already_complete = True
            return self.report
        start = 0 if force else done
        for batch, end in _batches(self.stream.items, start, self.batch_size, self.report):
            self._write(batch, end, completed=False)
            on_batch()
        self._write([], max(start, self.report.read + start), completed=True)
        return self.report

    def _write(self, batch: list[tuple[int, Any]], end: int, completed: bool) -> None:
        source = str(self.stream.source)
        records = [_storable(self.stream.to_record(item, index), source) for index, item in batch]
        rejected = [r for r in records if isinstance(r, Rejected)]
        posts = [r for r in records if isinstance(r, Post)]
        counts, quarantined = with_retries(
            lambda: self._write_batch(posts, list(rejected), end, completed),
            f"ingest of {self.stream.channel.key}",
        )
        self.report.counts += counts
        self.report.rejected += len(rejected)
        self.quarantined += quarantined

    def _write_batch(
        self, posts: list[Post], rejected: list[Rejected], end: int, completed: bool
    ) -> tuple[WriteCounts, int]:
        """One transaction: the batch's posts and media, its quarantine and the checkpoint."""
        with self.store.begin() as conn:
            # Two processes ingesting the same chat take turns batch by batch: the second sees
            # what the first committed as already there instead of inserting it again.
            transaction_lock(conn, f"ingest:{self.stream.channel.key}")
            counts = self._write_posts(conn, posts, rejected)
            quarantined = quarantine_items(conn, "ingest", rejected)
            if completed:
                refresh_channel_dates(conn, self.channel_id)
            checkpoints.save(
                conn,
                self.stream.resume_key,
                str(self.stream.source),
                self.stream.channel.key,
                end,
                completed,
            )
        return counts, quarantined

    def _write_posts(self, conn, posts: list[Post], rejected: list[Rejected]) -> WriteCounts:
        current = existing_posts(conn, self.channel_id, [p.message_id for p in posts])
        media = MediaIngest(
            conn,
            self.store.media,
            self.stream.root,
            str(self.stream.source),
            self.settings.image_limits,
        )
        new: list[PreparedPost] = []
        counts = WriteCounts()
        for post in _unique_ids(posts):
            digest = content_hash(post.raw)
            existing = current.get(post.message_id)
            if existing is not None and existing.content_hash == digest:
                counts.unchanged += 1
                continue
            prepared = PreparedPost(
                post, digest, media.rows_for(post.message_id, post.media, rejected)
            )
            if existing is None:
                new.append(prepared)
            else:
                media.flush()
                counts += apply_change(conn, prepared, existing)
        media.flush()
        insert_posts(conn, self.channel_id, new)
        counts.added += len(new)
        return counts


def _storable(record: Post | Rejected, source: str) -> Post | Rejected:
    return storable_post(record, source) if isinstance(record, Post) else record


def _unique_ids(posts: list[Post]) -> list[Post]:
    """The last record of each message id in a batch (an export lists a message once)."""
    return list({p.message_id: p for p in posts}.values())


def _batches(
    items: Iterator[Any], start: int, size: int, report: ChatReport
) -> Iterable[tuple[list[tuple[int, Any]], int]]:
    batch: list[tuple[int, Any]] = []
    for index, item in enumerate(items):
        if index < start:
            report.skipped_resumed += 1
            continue
        report.read += 1
        batch.append((index, item))
        if len(batch) >= size:
            yield batch, index + 1
            batch = []
    if batch:
        yield batch, batch[-1][0] + 1


def ingest_paths(
    store: Store,
    settings: Settings,
    paths: Iterable[Path],
    *,
    batch_size: int = 2000,
    force: bool = False,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    time = TimeContext(parse_timezone(settings.export_tz), settings.export_tz)
    report = IngestReport()
    with _older_objects_frozen():
        for path in paths:
            report.sources.append(
                _ingest_one(
                    store, settings, Path(path), time, batch_size, force, on_progress, report
                )
            )
    return report


@contextmanager
def _older_objects_frozen() -> Iterator[None]:
    """The cycle collector's full passes scan every object in the process: the libraries' and
    the schema's tens of thousands as well as the batch in hand. Keeping what exists before the
    ingest out of its sight until the ingest ends halves its cost, which was about a tenth of
    the ingest time. Any of those objects that turns into garbage meanwhile is collected later."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _ingest_one(
    store, settings, path, time, batch_size, force, on_progress, report
) -> SourceReport:
    source = SourceReport(path=str(path))
    try:
        export = TelegramExport(path, time)
        source.kind = export.kind
        tick = (
            (lambda: on_progress(str(path), export.progress(), export.total))
            if on_progress
            else (lambda: None)
        )
        for stream in export.chats():
            chat = ChatIngest(store, settings, stream, batch_size)
            source.chats.append(chat.report)
            chat.run(force, tick)
            report.quarantined += chat.quarantined
        tick()
    except SourceError as exc:
        source.error = f"{exc.code}: {exc}"
        report.quarantined += _quarantine_file(store, path, exc.code, str(exc))
    except MALFORMED_JSON_ERRORS as exc:
        where = f"after {sum(c.read + c.skipped_resumed for c in source.chats)} messages"
        source.error = f"malformed_json: {exc} ({where}); what came before it was kept"
        report.quarantined += _quarantine_file(store, path, "malformed_json", f"{exc} ({where})")
    return source


def _quarantine_file(store: Store, path: Path, code: str, reason: str) -> int:
    with store.begin() as conn:
        return quarantine_items(conn, "ingest", [Rejected(str(path), "file", code, reason)])
