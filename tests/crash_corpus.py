"""A small two-chat export with images, and a snapshot of what the store holds, for the
crash-safety and concurrency tests and benchmarks (tests/test_crash_safety.py,
benchmarks/crash.py, benchmarks/concurrency.py)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from sqlalchemy import create_engine, select

from tests.exports import message, single_chat, write_export
from watchfloor.store.schema import channels, media, post_media, posts, signals

PHRASES = (
    "market day in the old town #market",
    "the bridge is closed for repairs",
    "Northwind Media weekly round-up",
    "rain expected tomorrow near the harbour",
    "le marché est ouvert ce matin",
    "de brug is weer open",
    "ein ruhiger Abend am Fluss",
)


def draw_image(path: Path, seed: int) -> None:
    """A textured scene of random shapes (enough corners for local features)."""
    rng = random.Random(seed)
    noise = np.random.default_rng(seed).integers(0, 60, (240, 320, 3), dtype=np.uint8)
    image = Image.fromarray(noise + np.uint8(rng.randrange(60, 150)))
    pen = ImageDraw.Draw(image)
    for _ in range(14):
        x, y = rng.randrange(300), rng.randrange(220)
        box = (x, y, x + rng.randrange(10, 80), y + rng.randrange(10, 60))
        colour = tuple(rng.randrange(256) for _ in range(3))
        (pen.ellipse if rng.random() < 0.5 else pen.rectangle)(box, fill=colour)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, quality=88) if path.suffix == ".jpg" else image.save(path)


def write_chat(folder: Path, chat_id: int, name: str, count: int, images: int) -> Path:
    """`count` messages, every (count // images)-th with a photo; a few photos repeat."""
    step = max(1, count // max(1, images))
    msgs = []
    for i in range(1, count + 1):
        extra = {}
        if images and i % step == 0:
            n = i // step
            if n % 5 == 4:  # the same bytes under another name: one media row, two posts
                extra["photo"] = f"photos/p{n - 1}.jpg"
            else:
                draw_image(folder / "photos" / f"p{n}.jpg", chat_id * 1000 + n)
                extra["photo"] = f"photos/p{n}.jpg"
        msgs.append(message(i, f"{PHRASES[i % len(PHRASES)]} ({name} {i})", **extra))
    return write_export(folder, single_chat(msgs, chat_id=chat_id, name=name))


def write_corpus(base: Path, messages: int = 300, images: int = 12) -> list[Path]:
    """Two chats in two export folders; the second is half the size of the first."""
    return [
        write_chat(base / "chat-a", 1001, "Stand-in Outlet", messages, images),
        write_chat(base / "chat-b", 2002, "Northwind Relay", messages // 2, images // 2),
    ]


def watchfloor(workspace: Path, db_url: str | None, *args: str, **popen) -> subprocess.Popen:
    """`watchfloor` as a real subprocess in its own session (so its workers can be found)."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("WATCHFLOOR_DB", "WATCHFLOOR_SCHEDULER")
    }
    db = ["--db", db_url] if db_url else []
    cmd = [sys.executable, "-m", "watchfloor", "--workspace", str(workspace), *db, *args]
    return subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
        **popen,
    )


def snapshot(db_url: str) -> dict[str, Counter]:
    """What a run leaves in the store, without the database's ids: a Counter per table, so a
    duplicate shows up as a count of 2."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            post_rows = conn.execute(
                select(channels.c.key, posts.c.message_id, posts.c.content_hash).join(
                    channels, channels.c.id == posts.c.channel_id
                )
            )
            media_rows = conn.execute(select(media.c.sha256, media.c.size, media.c.mime))
            links = conn.execute(
                select(channels.c.key, posts.c.message_id, post_media.c.role, post_media.c.sha256)
                .join(posts, posts.c.id == post_media.c.post_id)
                .join(channels, channels.c.id == posts.c.channel_id)
            )
            signal_rows = conn.execute(
                select(
                    signals.c.subject_type,
                    signals.c.subject,
                    signals.c.analyzer,
                    signals.c.kind,
                    signals.c.value,
                )
            )
            return {
                "posts": Counter(tuple(r) for r in post_rows),
                "media": Counter(tuple(r) for r in media_rows),
                "post_media": Counter(tuple(r) for r in links),
                "signals": Counter((*r[:4], _canonical(r[4])) for r in signal_rows),
            }
    finally:
        engine.dispose()


def _canonical(value: object) -> str:
    import orjson

    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
