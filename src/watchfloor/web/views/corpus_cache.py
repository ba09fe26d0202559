"""Results computed from the whole corpus, kept until the corpus changes.

Some analytics are computed on read and cost about a second whatever the page shows: the
activity of every channel (surges are scanned day by day over the whole history) and campaigns
(grouped from every post in a window). Their results depend only on posts, channels and
signals, so they are kept until one of those tables gains a row (its largest id moves: ingest,
re-analysis and the corpus steps all insert) or `max_age` passes (which covers deletions and
channel attribution). One cache per app (`app.state`), thread-safe; at most `size` results.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any, TypeVar

from sqlalchemy import Connection, func, select

from watchfloor.analytics.activity import ActivityReport, ChannelActivity, activity
from watchfloor.store.schema import channels, posts, signals

MAX_AGE_SECONDS = 300.0
SIZE = 64
T = TypeVar("T")


class CorpusCache:
    def __init__(self, max_age: float = MAX_AGE_SECONDS, size: int = SIZE) -> None:
        self.max_age, self.size = max_age, size
        self._lock = threading.Lock()
        self._state: tuple | None = None
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._computing: dict[Hashable, threading.Lock] = {}

    @staticmethod
    def fingerprint(conn: Connection) -> tuple:
        """The largest ids of posts, channels and signals: primary-key look-ups, instant."""
        return tuple(
            conn.execute(select(func.max(table.c.id))).scalar_one()
            for table in (posts, channels, signals)
        )

    def get(self, conn: Connection, key: Hashable, compute: Callable[[], T]) -> T:
        """The kept value of `key`, else `compute()` (once: concurrent callers of the same key
        wait for it; other keys are not held up)."""
        state = self.fingerprint(conn)
        with self._key_lock(key):
            found = self._fresh(state, key)
            if found is not None:
                return found[1]
            value = compute()
            with self._lock:
                if state == self._state:
                    self._values.pop(key, None)
                    self._values[key] = (time.monotonic(), value)
                    while len(self._values) > self.size:
                        self._values.pop(next(iter(self._values)))
            return value

    def _key_lock(self, key: Hashable) -> threading.Lock:
        with self._lock:
            return self._computing.setdefault(key, threading.Lock())

    def _fresh(self, state: tuple, key: Hashable) -> tuple[float, Any] | None:
        with self._lock:
            if state != self._state:
                self._state, self._values = state, {}
            found = self._values.get(key)
        if found is not None and time.monotonic() - found[0] < self.max_age:
            return found
        return None

    def activity(self, conn: Connection) -> ActivityReport:
        """Every channel's activity over the whole history (`analytics.activity`)."""
        return self.get(conn, ("activity",), lambda: activity(conn))

    def channel_activity(
        self, conn: Connection, key: str
    ) -> tuple[ChannelActivity | None, ActivityReport]:
        """One channel's row, and a report holding only that row (for its chart)."""
        report = self.activity(conn)
        row = next((r for r in report.channels if r.channel == key), None)
        return row, replace(report, channels=[row] if row else [])


def corpus_cache(app) -> CorpusCache:
    """The app's cache, made on first use."""
    if getattr(app.state, "corpus_cache", None) is None:
        app.state.corpus_cache = CorpusCache()
    return app.state.corpus_cache
