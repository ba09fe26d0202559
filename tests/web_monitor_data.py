"""A small real workspace for the overview, alerts and targets pages on both databases:
three posts ingested from an export, two targets with evidence, and alerts recorded by the
alert state machine (the same calls the rules engine makes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from tests.exports import message, single_chat, write_export
from watchfloor.alerts.findings import Finding
from watchfloor.alerts.rules import Rule
from watchfloor.alerts.state import record_finding
from watchfloor.ingest import ingest_paths
from watchfloor.store.schema import alerts, channels, posts, target_evidence, targets

TOWER = "landmark:stand-in-tower"
HARBOUR = "city:900001"


@dataclass
class Seeded:
    channel_id: int
    channel_key: str
    post_ids: list[int]  # message ids 1, 2, 3 in order
    alert_ids: dict[str, int]  # rule id -> alert id


def _rule(rule_id: str, rule_type: str, severity: str) -> Rule:
    return Rule(rule_id, rule_type, severity, {}, ())


def _target(conn, key: str, kind: str, name: str, lat, lon, now) -> None:
    conn.execute(
        targets.insert().values(
            key=key, kind=kind, name=name, city="Port Stand-in", country="FR", lat=lat,
            lon=lon, posts=0, evidence_kinds=[], updated_at=now,
        )
    )  # fmt: skip


def _evidence(conn, key: str, post_id: int, kind: str, when, score: float) -> None:
    conn.execute(
        target_evidence.insert().values(
            target_key=key, post_id=post_id, kind=kind, subject_type="post",
            subject=f"post-{post_id}", score=score, detail={"matched": "Stand-in Tower"},
            seen_at=when,
        )
    )  # fmt: skip


def seed(store, settings, root: Path) -> Seeded:
    texts = ["Morning at the Stand-in Tower", "Harbour view", "Stand-in Tower again at night"]
    msgs = [message(i + 1, t, minutes=i * 60 * 24) for i, t in enumerate(texts)]
    write_export(root / "chat", single_chat(msgs, chat_id=4242, name="Northwind Relay"))
    ingest_paths(store, settings, [root / "chat"])
    now = datetime.now(UTC)
    with store.begin() as conn:
        channel = conn.execute(select(channels.c.id, channels.c.key)).one()
        rows = conn.execute(select(posts.c.id, posts.c.date).order_by(posts.c.message_id)).all()
        ids = [r.id for r in rows]
        _target(conn, TOWER, "landmark", "Stand-in Tower", 48.8584, 2.2945, now)
        _target(conn, HARBOUR, "city", "Port Stand-in", 43.2965, 5.3698, now)
        _evidence(conn, TOWER, ids[0], "visual", rows[0].date, 0.91)
        _evidence(conn, TOWER, ids[0], "text", rows[0].date, 0.8)
        _evidence(conn, TOWER, ids[2], "text", rows[2].date, 0.7)
        _evidence(conn, HARBOUR, ids[1], "text", rows[1].date, 0.6)
        post = {"post": f"{channel.key}/1", "channel": channel.key, "message_id": 1}
        findings = [
            (
                _rule("threat-in-fr", "threat_in_country", "critical"),
                Finding(f"post:{channel.key}/1", "threat naming Stand-in Tower",
                        {**post, "text": texts[0], "places": [{"key": TOWER}]}),
            ),
            (
                _rule("relay-surge", "surge", "medium"),
                Finding(f"surge:{channel.key}:2018-01-10", "surge on Northwind Relay",
                        {"channel": channel.key, "posts": 3}),
            ),
        ]  # fmt: skip
        for i, (rule, finding) in enumerate(findings):
            record_finding(conn, rule, finding, now - timedelta(minutes=10 - i))
        alert_ids = {r.rule_id: r.id for r in conn.execute(select(alerts.c.rule_id, alerts.c.id))}
    return Seeded(channel.id, channel.key, ids, alert_ids)
