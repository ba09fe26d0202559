"""Values computed on read that are too slow to compute per request (the overview's activity
and campaigns take seconds on a million posts): kept per app, reused while the data have not
changed and for at most `ttl` seconds. When they have, the previous value is still served
while one background thread computes the next (stale while revalidate); only the very first
request waits.

The data version is cheap (primary-key maxima): new posts, signals or target evidence change
it, and a value older than `min_age` is then recomputed; signals rewritten in place (a
re-analysis) are picked up when the value ages out (`ttl`). `min_age` bounds the work while
posts stream in: each snapshot is recomputed at most once per `min_age`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, func, select

from watchfloor.store import Store
from watchfloor.store.schema import posts, signals, target_evidence

T = TypeVar("T")
log = logging.getLogger(__name__)


def data_version(conn: Connection) -> tuple[Any, ...]:
    """Changes whenever posts, signals or target evidence are added (index look-ups only)."""
    query = select(
        select(func.max(posts.c.id)).scalar_subquery(),
        select(func.max(signals.c.id)).scalar_subquery(),
        select(func.max(target_evidence.c.id)).scalar_subquery(),
    )
    return tuple(conn.execute(query).one())


@dataclass(frozen=True)
class Computed(Generic[T]):
    value: T
    version: tuple[Any, ...]
    at: datetime  # when it was computed (UTC)
    monotonic: float
    stale: bool = False  # a newer value is being computed


class Snapshot(Generic[T]):
    def __init__(
        self, compute: Callable[[Connection], T], ttl: float = 600.0, min_age: float = 0.0
    ) -> None:
        self._compute = compute
        self.ttl = ttl
        self.min_age = min_age  # kept this long even when the data change (steady ingest)
        self._lock = threading.Lock()  # guards the fields below
        self._first = threading.Lock()  # one synchronous computation at a time
        self._current: Computed[T] | None = None
        self._refreshing = False

    def get(self, store: Store) -> Computed[T]:
        with store.connect() as conn:
            version = data_version(conn)
        with self._lock:
            current = self._current
            if current is not None and self._fresh(current, version):
                return current
            if current is not None:
                self._start_refresh(store, version)
                return Computed(current.value, current.version, current.at, current.monotonic, True)
        with self._first:  # nothing to serve yet: compute now (others wait for this one)
            current = self._current
            if current is not None and self._fresh(current, version):
                return current
            return self._store_value(self._run(store, version))

    @property
    def ready(self) -> bool:
        return self._current is not None

    def warm(self, store: Store) -> threading.Thread:
        """Compute the first value in the background (at startup), so no request waits long."""

        def run() -> None:
            with self._first:
                if self._current is not None:
                    return
                try:
                    with store.connect() as conn:
                        version = data_version(conn)
                    self._store_value(self._run(store, version))
                except Exception:  # the first request computes it instead
                    log.exception("warming a snapshot failed")

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def _fresh(self, current: Computed[T], version: tuple[Any, ...]) -> bool:
        age = time.monotonic() - current.monotonic
        return age < self.min_age or (current.version == version and age < self.ttl)

    def _run(self, store: Store, version: tuple[Any, ...]) -> Computed[T]:
        with store.connect() as conn:
            value = self._compute(conn)
        return Computed(value, version, datetime.now(UTC), time.monotonic())

    def _store_value(self, computed: Computed[T]) -> Computed[T]:
        with self._lock:
            self._current = computed
            self._refreshing = False
        return computed

    def _start_refresh(self, store: Store, version: tuple[Any, ...]) -> None:
        """Called with the lock held: at most one refresh runs."""
        if self._refreshing:
            return
        self._refreshing = True
        threading.Thread(target=self._refresh, args=(store, version), daemon=True).start()

    def _refresh(self, store: Store, version: tuple[Any, ...]) -> None:
        try:
            self._store_value(self._run(store, version))
        except Exception:  # a closed store or a failing query: serve the old value, retry later
            log.exception("refreshing a snapshot failed")
            with self._lock:
                self._refreshing = False


_registry = threading.Lock()
MAX_SNAPSHOTS = 64  # per app: e.g. the map under that many different filters
MIN_AGE = 120.0  # while posts stream in, recompute at most this often


def app_snapshot(
    state: Any,
    name: Hashable,
    compute: Callable[[Connection], T],
    ttl: float = 600.0,
    min_age: float = MIN_AGE,
) -> Snapshot[T]:
    """The app's snapshot called `name` (made on first use; one per app, hence per store).
    Beyond MAX_SNAPSHOTS the least recently used one is dropped."""
    with _registry:
        snapshots = getattr(state, "snapshots", None)
        if snapshots is None:
            snapshots = state.snapshots = OrderedDict()
        if name in snapshots:
            snapshots.move_to_end(name)
        else:
            snapshots[name] = Snapshot(compute, ttl, min_age)
            while len(snapshots) > MAX_SNAPSHOTS:
                snapshots.popitem(last=False)
        return snapshots[name]
