"""Forwards in and out of one channel, read from the forward counts of the whole corpus
(`analytics.network.forward_counts`: one grouped pass over the posts, a couple of seconds at a
million posts), kept in the app's corpus cache so every channel page after the first is instant.

A forward names its origin by id (`forwarded_from_id`, e.g. channel1348120101) and by name; it
is resolved to a collected channel as `watchfloor network` does: by platform id, else by a title
only one collected channel has.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from watchfloor.analytics.network import forward_counts, forwarded_channel_id
from watchfloor.store.schema import channels
from watchfloor.store.times import as_utc, iso_utc
from watchfloor.web.views.corpus_cache import CorpusCache
from watchfloor.web.views.links import channel_href

FORWARDS = 50


@dataclass
class _Collected:
    by_platform_id: dict[str, int] = field(default_factory=dict)
    by_title: dict[str, int] = field(default_factory=dict)  # titles one channel holds
    names: dict[int, tuple[str, str | None]] = field(default_factory=dict)  # id -> key, title

    def resolve(self, name: str | None, raw_id: str | None) -> int | None:
        platform_id = forwarded_channel_id(raw_id)
        if platform_id is not None and platform_id in self.by_platform_id:
            return self.by_platform_id[platform_id]
        return self.by_title.get(name.casefold()) if name else None


def _collected(conn: Connection) -> _Collected:
    out, titles = _Collected(), defaultdict(list)
    for r in conn.execute(
        select(channels.c.id, channels.c.key, channels.c.platform_id, channels.c.title)
    ):
        out.by_platform_id.setdefault(r.platform_id, r.id)
        out.names[r.id] = (r.key, r.title)
        if r.title:
            titles[r.title.casefold()].append(r.id)
    out.by_title = {t: ids[0] for t, ids in titles.items() if len(ids) == 1}
    return out


@dataclass
class _Tally:
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def add(self, n: int, first: datetime, last: datetime) -> None:
        first, last = as_utc(first), as_utc(last)
        self.count += n
        self.first = first if self.first is None or first < self.first else self.first
        self.last = last if self.last is None or last > self.last else self.last

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "first": iso_utc(self.first), "last": iso_utc(self.last)}


def forward_table(conn: Connection, cache: CorpusCache | None = None) -> list[tuple]:
    """(channel id, forwarded_from, forwarded_from_id, count, first, last) for the corpus."""
    return (cache or CorpusCache()).get(
        conn, ("forward_counts",), lambda: [tuple(r) for r in forward_counts(conn)]
    )


def _ranked(tallies: dict, describe) -> list[dict[str, Any]]:
    order = sorted(tallies.items(), key=lambda kv: (-kv[1].count, str(kv[0])))
    return [describe(key) | tally.as_dict() for key, tally in order[:FORWARDS]]


def channel_forwards(
    conn: Connection, channel_id: int, cache: CorpusCache | None = None
) -> dict[str, list[dict[str, Any]]]:
    """`out`: whom this channel forwards, linked when collected; `in`: the collected channels
    that forward it. The most forwarded first, FORWARDS of each at most."""
    collected = _collected(conn)
    out: dict[tuple, _Tally] = defaultdict(_Tally)
    into: dict[int, _Tally] = defaultdict(_Tally)
    for source, name, raw_id, n, first, last in forward_table(conn, cache):
        if source == channel_id:
            out[(name, raw_id)].add(n, first, last)
        elif collected.resolve(name, raw_id) == channel_id:
            into[source].add(n, first, last)

    def origin(key: tuple) -> dict[str, Any]:
        target = collected.resolve(*key)
        href = channel_href(target) if target is not None and target != channel_id else None
        return {"name": key[0] or key[1], "from_id": key[1], "href": href}

    def forwarder(source: int) -> dict[str, Any]:
        key, title = collected.names.get(source, (str(source), None))
        return {"name": title or key, "key": key, "href": channel_href(source)}

    return {"out": _ranked(out, origin), "in": _ranked(into, forwarder)}
