"""The channel network: who forwards, mentions and links to whom, weighted and dated.

Edges point from the channel that posted to the channel it forwarded from, @mentioned or linked
(t.me/handle); one edge per (source, target, type) with its count and first and last time.
References are resolved to collected channels where the store can tell:

- a forward's `forwarded_from_id` (`channel123`, as real exports and Telegram's API spell it)
  by platform id, else its `forwarded_from` name by a collected channel's title (when only one
  channel has it);
- a handle (@mention, t.me link) by a collected channel's handle, or by `aliases` (handle ->
  channel key or title) given by the caller, since Telegram exports do not carry a channel's own
  handle.

What stays unresolved is a channel seen only through others' posts: a discovery lead, ranked by
how many distinct collected channels refer to it, then by how often. Forwards from people
(`user…` ids) are nodes of the graph but never leads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, String, cast, func, or_, select

from watchfloor.sources.entities import classify_telegram_link
from watchfloor.store.schema import channels, posts
from watchfloor.store.times import as_utc, iso_utc

EDGE_TYPES = ("forward", "mention", "link")
_FORWARD_ID = re.compile(r"^(?P<prefix>channel|chat|user|group)?(?:-100)?(?P<id>\d+)$", re.I)


@dataclass
class Node:
    key: str  # a channel key, or telegram:<id>, telegram:@handle, telegram:title:<name>, ...
    label: str
    kind: str  # channel (collected or by id), handle, name, invite, user
    collected: bool = False
    attribution: str | None = None
    posts: int = 0  # collected channels: posts stored

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "kind": self.kind,
            "collected": self.collected,
            "attribution": self.attribution,
            "posts": self.posts,
        }


@dataclass
class Edge:
    source: str
    target: str
    type: str  # forward, mention, link
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None

    @property
    def id(self) -> str:
        return f"{self.type}:{self.source}->{self.target}"

    def see(self, when: datetime, count: int = 1, last: datetime | None = None) -> None:
        when, last = as_utc(when), as_utc(last or when)
        self.count += count
        self.first = when if self.first is None or when < self.first else self.first
        self.last = last if self.last is None or last > self.last else self.last

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "type": self.type,
            "count": self.count,
            "first": iso_utc(self.first),
            "last": iso_utc(self.last),
        }


@dataclass
class Lead:
    key: str
    label: str
    kind: str
    channels: int  # distinct collected channels referring to it
    references: int
    first: datetime | None
    last: datetime | None
    types: list[str]
    referenced_by: list[str]  # channel keys, the most referring first
    url: str | None = None

    @property
    def id(self) -> str:
        return f"lead:{self.key}"

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "key": self.key,
            "label": self.label,
            "kind": self.kind,
            "url": self.url,
            "channels": self.channels,
            "references": self.references,
            "first": iso_utc(self.first),
            "last": iso_utc(self.last),
            "types": self.types,
            "referenced_by": self.referenced_by,
        }


@dataclass
class ChannelNetwork:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], Edge] = field(default_factory=dict)

    def edge(self, source: str, target: str, kind: str) -> Edge | None:
        """The edge to count a reference on; None for a channel referring to itself."""
        if source == target:
            return None
        key = (source, target, kind)
        if key not in self.edges:
            self.edges[key] = Edge(source, target, kind)
        return self.edges[key]

    def sorted_edges(self) -> list[Edge]:
        return sorted(self.edges.values(), key=lambda e: (-e.count, e.source, e.target, e.type))

    def leads(self, limit: int | None = None) -> list[Lead]:
        incoming: dict[str, list[Edge]] = {}
        for e in self.edges.values():
            incoming.setdefault(e.target, []).append(e)
        found = [
            _lead(node, incoming.get(node.key, []))
            for node in self.nodes.values()
            if _is_lead(node)
        ]
        found.sort(key=lambda lead: (-lead.channels, -lead.references, lead.key))
        return found if limit is None else found[:limit]

    def as_dict(self) -> dict:
        return {
            "nodes": [n.as_dict() for n in sorted(self.nodes.values(), key=lambda n: n.key)],
            "edges": [e.as_dict() for e in self.sorted_edges()],
        }


def _is_lead(node: Node) -> bool:
    return not node.collected and node.kind != "user"


def _lead(node: Node, incoming: list[Edge]) -> Lead:
    by_channel: dict[str, int] = {}
    for e in incoming:
        by_channel[e.source] = by_channel.get(e.source, 0) + e.count
    firsts = [e.first for e in incoming if e.first]
    lasts = [e.last for e in incoming if e.last]
    return Lead(
        key=node.key,
        label=node.label,
        kind=node.kind,
        channels=len(by_channel),
        references=sum(by_channel.values()),
        first=min(firsts, default=None),
        last=max(lasts, default=None),
        types=sorted({e.type for e in incoming}, key=EDGE_TYPES.index),
        referenced_by=sorted(by_channel, key=lambda k: (-by_channel[k], k)),
        url=f"https://t.me/{node.label[1:]}" if node.kind == "handle" else None,
    )


class _Resolver:
    """Collected channels by platform id, unique title and handle."""

    def __init__(self, conn: Connection, aliases: Mapping[str, str] | None) -> None:
        query = select(posts.c.channel_id, func.count()).group_by(posts.c.channel_id)
        counts = {cid: n for cid, n in conn.execute(query)}
        self.by_id: dict[int, Node] = {}
        self.by_key: dict[str, Node] = {}
        self.by_platform_id: dict[str, str] = {}
        titles: dict[str, list[str]] = {}
        self.by_handle: dict[str, str] = {}
        for r in conn.execute(select(channels)):
            node = Node(
                r.key, r.title or r.key, "channel", True, r.attribution, counts.get(r.id, 0)
            )
            self.by_id[r.id] = self.by_key[r.key] = node
            self.by_platform_id.setdefault(r.platform_id, r.key)
            if r.title:
                titles.setdefault(r.title.casefold(), []).append(r.key)
            if r.handle:
                self.by_handle[r.handle.lstrip("@").lower()] = r.key
        self.by_title = {t: keys[0] for t, keys in titles.items() if len(keys) == 1}
        for handle, channel in (aliases or {}).items():
            key = channel if channel in self.by_key else self.by_title.get(channel.casefold())
            if key is None:
                raise ValueError(f"alias {handle!r}: no collected channel {channel!r}")
            self.by_handle[handle.lstrip("@").lower()] = key

    def forward(self, name: str | None, raw_id: str | None) -> Node | None:
        m = _match_forward_id(raw_id)
        if m and (m.group("prefix") or "").lower() == "user":
            return Node(f"telegram:user{m.group('id')}", name or raw_id, "user")
        if m and m.group("id") in self.by_platform_id:
            return self._collected(self.by_platform_id[m.group("id")])
        if name and name.casefold() in self.by_title:
            return self._collected(self.by_title[name.casefold()])
        if m:
            return Node(f"telegram:{m.group('id')}", name or raw_id, "channel")
        if name:
            return Node(f"telegram:title:{name}", name, "name")
        return None

    def handle(self, handle: str) -> Node:
        handle = handle.lstrip("@").lower()
        if handle in self.by_handle:
            return self._collected(self.by_handle[handle])
        return Node(f"telegram:@{handle}", f"@{handle}", "handle")

    def _collected(self, key: str) -> Node:
        return self.by_key[key]


def build_network(conn: Connection, aliases: Mapping[str, str] | None = None) -> ChannelNetwork:
    """The forward, mention and link graph of everything stored."""
    resolve = _Resolver(conn, aliases)
    net = ChannelNetwork({n.key: n for n in resolve.by_id.values()})
    for channel_id, name, raw_id, n, first, last in forward_counts(conn):
        target = resolve.forward(name, raw_id)
        source = resolve.by_id[channel_id].key
        if target is not None:
            net.nodes.setdefault(target.key, target)
            edge = net.edge(source, target.key, "forward")
            if edge is not None:
                edge.see(first, n, last)
    for channel_id, when, kind, value in _references(conn):
        target = (
            Node(f"telegram:invite:{value}", value, "invite")
            if kind == "invite"
            else resolve.handle(value)
        )
        net.nodes.setdefault(target.key, target)
        edge = net.edge(
            resolve.by_id[channel_id].key, target.key, "link" if kind == "invite" else kind
        )
        if edge is not None:
            edge.see(when)
    return net


def _match_forward_id(raw_id: str | None) -> re.Match | None:
    return _FORWARD_ID.match(raw_id.strip()) if raw_id else None


def forwarded_channel_id(raw_id: str | None) -> str | None:
    """The platform id a forward's `forwarded_from_id` names when it is a channel or chat (not a
    person): "channel1348120101" -> "1348120101"."""
    m = _match_forward_id(raw_id)
    if m is None or (m.group("prefix") or "").lower() == "user":
        return None
    return m.group("id")


def forward_counts(conn: Connection):
    """Forwards per (channel id, forwarded_from, forwarded_from_id) with count, first and last:
    grouped by the database (one pass over the posts)."""
    query = (
        select(
            posts.c.channel_id,
            posts.c.forwarded_from,
            posts.c.forwarded_from_id,
            func.count(),
            func.min(posts.c.date),
            func.max(posts.c.date),
        )
        .where(or_(posts.c.forwarded_from.is_not(None), posts.c.forwarded_from_id.is_not(None)))
        .group_by(posts.c.channel_id, posts.c.forwarded_from, posts.c.forwarded_from_id)
    )
    return conn.execute(query).all()


def _references(conn: Connection) -> Iterator[tuple[int, datetime, str, str]]:
    """(channel id, date, 'mention'|'link'|'invite', handle or invite link) per reference.

    Only posts whose stored entities name a Telegram handle or invite are read; both databases
    keep the JSON text as written (compact, by our serializer)."""
    text = cast(posts.c.entities, String)
    query = (
        select(posts.c.channel_id, posts.c.date, posts.c.entities)
        .where(
            or_(
                text.like('%"telegram_handles":["%'),
                text.like('%"invite_links":["%'),
            )
        )
        .execution_options(yield_per=5000)
    )
    for channel_id, when, entities in conn.execute(query):
        mentions = set(entities.get("mentions") or ())
        for handle in mentions:
            yield channel_id, when, "mention", handle
        linked = set()
        for url in entities.get("links") or ():
            found = classify_telegram_link(url)
            if found and found[0] == "handle" and found[1] not in linked:
                linked.add(found[1])
                yield channel_id, when, "link", found[1]
        for invite in entities.get("invite_links") or ():
            yield channel_id, when, "invite", invite
