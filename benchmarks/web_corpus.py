"""A large SQLite workspace for `benchmarks/web.py`, grown from the demo workspace.

The demo (`watchfloor demo`: 8 channels, ~730 posts, every analyzer, targets, alerts) is built
once as the seed; its database is copied and its posts replicated until there are `posts`
posts over `channels` channels: copy *c* moves each demo channel to another of the channels,
shifts the dates by up to 18 months (the corpus spans about two years), and brings the copy's
signals, post media, target evidence (spread over 50 replicas of each target) and alerts with
it. Media rows are new for the first `media / demo media` copies and reused after that (as
reposts are), so there are about `media` media rows; their bytes do not exist. Rows go in with
`executemany` on the raw SQLite connection; the full-text index is rebuilt at the end.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import shutil
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
TARGET_REPLICAS = 50
ALERT_COPIES = 300
DAYS_SPREAD = 551


def build_seed(base: Path) -> Path:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.webtools import build_demo_workspace

    return build_demo_workspace(base)


def _rows(db: sqlite3.Connection, table: str) -> tuple[list[str], list[dict]]:
    cursor = db.execute(f"SELECT * FROM {table}")
    columns = [d[0] for d in cursor.description]
    return columns, [dict(zip(columns, r, strict=True)) for r in cursor]


def _insert(db: sqlite3.Connection, table: str, columns: list[str], rows: list[dict]) -> None:
    if rows:
        marks = ", ".join("?" for _ in columns)
        db.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            [tuple(r[c] for c in columns) for r in rows],
        )


@functools.lru_cache(maxsize=100_000)
def _parse(value: str) -> datetime:
    return datetime.strptime(value, SQLITE_TIME if "." in value else "%Y-%m-%d %H:%M:%S")


def _shift(value: str | None, days: int) -> str | None:
    if value is None:
        return None
    return (_parse(value) + timedelta(days=days)).strftime(SQLITE_TIME)


# The tables the corpus grows, read at the start and counted at the end.
GROWN_TABLES = (
    "channels",
    "posts",
    "media",
    "post_media",
    "signals",
    "targets",
    "target_evidence",
    "alerts",
)


class Grower:
    def __init__(self, db: sqlite3.Connection, posts: int, channels: int, media: int) -> None:
        self.db = db
        self.tables = {t: _rows(db, t) for t in GROWN_TABLES}
        seed_posts = self.tables["posts"][1]
        self.copies = max(1, math.ceil(posts / len(seed_posts)))
        self.media_copies = max(1, math.ceil(media / max(1, len(self.tables["media"][1]))))
        self.want_posts, self.want_channels = posts, channels
        self.next_post = db.execute("SELECT max(id) FROM posts").fetchone()[0] + 1
        self.channel_ids: list[int] = []
        self.channel_keys: dict[int, str] = {}

    def grow_channels(self) -> None:
        columns, seed = self.tables["channels"]
        self.channel_ids = [c["id"] for c in seed]
        self.channel_keys = {c["id"]: c["key"] for c in seed}
        new = []
        start = self.db.execute("SELECT max(id) FROM channels").fetchone()[0] + 1
        for i in range(self.want_channels - len(seed)):
            base = seed[i % len(seed)]
            cid = start + i
            key = f"telegram:9{cid:09d}"
            new.append(
                base
                | {
                    "id": cid,
                    "key": key,
                    "platform_id": key.split(":")[1],
                    "title": f"{base['title']} {cid}",
                }
            )
            self.channel_ids.append(cid)
            self.channel_keys[cid] = key
        _insert(self.db, "channels", columns, new)

    def _sha(self, sha: str | None, copy: int) -> str | None:
        m = copy % self.media_copies
        if sha is None or m == 0:
            return sha
        return hashlib.sha256(f"{sha}:{m}".encode()).hexdigest()

    def grow_copy(self, c: int, remaining: int) -> int:
        seed_channels = self.tables["channels"][1]
        index = {ch["id"]: j for j, ch in enumerate(seed_channels)}
        days = (c * 37) % DAYS_SPREAD
        post_cols, seed_posts = self.tables["posts"]
        post_map, subject_map = {}, {}
        new_posts = []
        for p in seed_posts[:remaining]:
            channel = self.channel_ids[
                (c * len(seed_channels) + index[p["channel_id"]]) % len(self.channel_ids)
            ]
            msg = p["message_id"] + c * 100_000
            pid = self.next_post
            self.next_post += 1
            post_map[p["id"]] = pid
            old_key = f"{self.channel_keys[p['channel_id']]}/{p['message_id']}"
            subject_map[old_key] = f"{self.channel_keys[channel]}/{msg}"
            new_posts.append(
                p
                | {
                    "id": pid,
                    "channel_id": channel,
                    "message_id": msg,
                    "date": _shift(p["date"], days),
                    "edit_date": _shift(p["edit_date"], days),
                }
            )
        _insert(self.db, "posts", post_cols, new_posts)
        self._copy_media(c)
        self._copy_post_media(c, post_map)
        self._copy_signals(c, subject_map)
        self._copy_evidence(c, post_map, subject_map, days)
        if c < ALERT_COPIES:
            self._copy_alerts(c)
        return len(new_posts)

    def _copy_media(self, c: int) -> None:
        if c >= self.media_copies:
            return
        columns, seed = self.tables["media"]
        rows = []
        for m in seed:
            sha = self._sha(m["sha256"], c)
            rows.append(m | {"sha256": sha, "storage_path": f"{sha[:2]}/{sha[2:4]}/{sha}"})
        _insert(self.db, "media", columns, rows)

    def _copy_post_media(self, c: int, post_map: dict[int, int]) -> None:
        columns, seed = self.tables["post_media"]
        columns = [x for x in columns if x != "id"]
        rows = [
            pm | {"post_id": post_map[pm["post_id"]], "sha256": self._sha(pm["sha256"], c)}
            for pm in seed
            if pm["post_id"] in post_map
        ]
        _insert(self.db, "post_media", columns, rows)

    def _copy_signals(self, c: int, subject_map: dict[str, str]) -> None:
        columns, seed = self.tables["signals"]
        columns = [x for x in columns if x != "id"]
        rows = []
        for s in seed:
            if s["subject_type"] == "post":
                if s["subject"] in subject_map:
                    rows.append(s | {"subject": subject_map[s["subject"]]})
            elif c < self.media_copies:
                rows.append(s | {"subject": self._sha(s["subject"], c)})
        _insert(self.db, "signals", columns, rows)

    def _copy_evidence(self, c: int, post_map, subject_map, days: int) -> None:
        columns, seed = self.tables["target_evidence"]
        columns = [x for x in columns if x != "id"]
        replica = c % TARGET_REPLICAS
        rows = []
        for e in seed:
            if e["post_id"] not in post_map:
                continue
            subject = subject_map.get(e["subject"]) or self._sha(e["subject"], c)
            key = e["target_key"] if replica == 0 else f"{e['target_key']}~{replica}"
            rows.append(
                e
                | {
                    "target_key": key,
                    "post_id": post_map[e["post_id"]],
                    "subject": subject,
                    "seen_at": _shift(e["seen_at"], days),
                }
            )
        _insert(self.db, "target_evidence", columns, rows)

    def grow_targets(self) -> None:
        columns, seed = self.tables["targets"]
        rows = []
        for r in range(1, TARGET_REPLICAS):
            for t in seed:
                lat = (
                    None
                    if t["lat"] is None
                    else max(-80.0, min(80.0, t["lat"] + (r % 7 - 3) * 2.5))
                )
                lon = (
                    None
                    if t["lon"] is None
                    else ((t["lon"] + (r // 7 - 3) * 3.0 + 180) % 360) - 180
                )
                rows.append(
                    t
                    | {"key": f"{t['key']}~{r}", "name": f"{t['name']} {r}", "lat": lat, "lon": lon}
                )
        _insert(self.db, "targets", columns, rows)

    def refresh_targets(self) -> None:
        self.db.execute(
            "UPDATE targets SET posts = coalesce((SELECT count(DISTINCT post_id) FROM "
            "target_evidence e WHERE e.target_key = targets.key), 0), "
            "first_seen = (SELECT min(seen_at) FROM target_evidence e WHERE e.target_key = targets.key), "
            "last_seen = (SELECT max(seen_at) FROM target_evidence e WHERE e.target_key = targets.key)"
        )

    def _copy_alerts(self, c: int) -> None:
        columns, seed = self.tables["alerts"]
        columns = [x for x in columns if x != "id"]
        rows = [
            a
            | {
                "subject_key": f"{a['subject_key']}~{c}",
                "evidence": a["evidence"],
                "first_fired": _shift(a["first_fired"], -(c % 60)),
                "last_fired": _shift(a["last_fired"], -(c % 60)),
            }
            for a in seed
        ]
        _insert(self.db, "alerts", columns, rows)


def grow(db_path: Path, posts: int, channels: int, media: int, log=print) -> dict:
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-500000")
    grower = Grower(db, posts, channels, media)
    have = len(grower.tables["posts"][1])
    start = time.perf_counter()
    db.execute("BEGIN")
    grower.grow_channels()
    grower.grow_targets()
    for c in range(1, grower.copies):
        have += grower.grow_copy(c, posts - have)
        if c % 100 == 0:
            db.execute("COMMIT")
            log(f"  {have:,} posts ({time.perf_counter() - start:.0f} s)")
            db.execute("BEGIN")
        if have >= posts:
            break
    grower.refresh_targets()
    db.execute("COMMIT")
    log("  rebuilding the full-text index")
    db.execute("INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')")
    db.execute("ANALYZE")
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in GROWN_TABLES}
    db.close()
    return counts | {"seconds": round(time.perf_counter() - start, 1)}


def ensure_workspace(workspace: Path, posts: int, channels: int, media: int, log=print) -> dict:
    """The grown workspace under `workspace/big`, reused when its marker matches the sizes."""
    marker = workspace / "big.json"
    wanted = {"posts": posts, "channels": channels, "media": media}
    if marker.exists():
        info = json.loads(marker.read_text())
        if info.get("wanted") == wanted:
            return info
    seed = build_seed(workspace / "seed")
    big = workspace / "big"
    shutil.rmtree(big, ignore_errors=True)
    shutil.copytree(seed, big, ignore=shutil.ignore_patterns("demo-corpus"))
    log(f"growing {big} to {posts:,} posts")
    counts = grow(big / "watchfloor.db", posts, channels, media, log)
    info = {"wanted": wanted, "counts": counts}
    marker.write_text(json.dumps(info))
    return info
