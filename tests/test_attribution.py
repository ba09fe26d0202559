"""Attribution to outlets on both databases: the outlet registry (library and CLI), channels
attributed official / supporter / news / unknown with reasons, and posts from their channel,
signature lines, watermark signals and forwards."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tests.exif_images import generated_jpeg
from tests.exports import message, single_chat, write_export
from watchfloor.analytics.attribution import run_attribution
from watchfloor.analyzers.base import SignalOut
from watchfloor.cli import main
from watchfloor.ingest import ingest_paths
from watchfloor.store import queries
from watchfloor.store.schema import signals
from watchfloor.store.signals import record_outcome
from watchfloor.text.outlets import Outlet, OutletError, add_outlet, list_outlets, remove_outlet

OUTLET = "Northwind Media Office"
FWD = {"forwarded_from": OUTLET}


def sha_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def chat(root: Path, chat_id: int, name: str, messages: list[dict]) -> Path:
    folder = root / f"chat{chat_id}"
    (folder / "photos").mkdir(parents=True)
    for msg in messages:
        if "photo" in msg:
            seed = int(msg.pop("seed"))
            generated_jpeg(folder / msg["photo"], seed=seed)
    write_export(folder, single_chat(messages, chat_id=chat_id, name=name))
    return folder


def write_corpus(root: Path) -> list[Path]:
    plain = [message(i, f"Garden note {i}") for i in range(3, 10)]
    return [
        chat(root, 1001, OUTLET, [
            message(1, f"{OUTLET}: statement one"),
            message(2, "poster", photo="photos/poster.jpg", seed=1),
        ]),
        chat(root, 1002, "Lantern Relay", [
            message(1, "relayed", **FWD),
            message(2, "look", photo="photos/wm.jpg", seed=2),
            message(3, "hello all"),
            message(4, "again", photo="photos/poster.jpg", seed=1),  # the outlet's picture
        ]),
        chat(root, 1003, "Daily Courier", [
            message(1, "The outlet said this today", **FWD),
            message(2, "Weather and sports"),
        ]),
        chat(root, 1004, "Garden Club", [
            message(1, "Lovely flowers"),
            message(2, f"{OUTLET}: a statement someone pasted"),
            *plain,
        ]),
    ]  # fmt: skip


def put_emblem(store, sha: str, label: str) -> None:
    """An emblem signal as the emblem analyzer emits it (another analyzer name, so that a real
    run of the emblem analyzer in the test leaves it alone)."""
    value = {"detections": [{"label": label, "kind": "watermark", "score": 0.9}]}
    with store.begin() as conn:
        record_outcome(
            conn, analyzer="stand_in_emblem", version="test", subject_type="media", subject=sha,
            input_key="test", status="ok", detail=None, outputs=[SignalOut("emblem", value, 0.9)],
        )  # fmt: skip


def register(store) -> None:
    with store.begin() as conn:
        add_outlet(
            conn,
            Outlet(OUTLET, "official", ("@northwind_demo_office",), ("NWMO",), ("NWMO watermark",)),
            "tester",
        )
        add_outlet(conn, Outlet("Daily Courier", "news"), "tester")


@pytest.fixture
def corpus(store, settings, tmp_path):
    folders = write_corpus(tmp_path / "exports")
    ingest_paths(store, settings, folders)
    put_emblem(store, sha_of(folders[1] / "photos" / "wm.jpg"), "NWMO Watermark")
    register(store)
    return store, folders


def channel_rows(store) -> dict[str, dict]:
    with store.connect() as conn:
        return {c["title"]: c for c in queries.list_channels(conn)}


def post_attribution(store) -> dict[str, dict]:
    with store.connect() as conn:
        query = select(signals.c.subject, signals.c.value).where(signals.c.kind == "attribution")
        return {subject: value for subject, value in conn.execute(query)}


def test_registry_round_trip(store):
    register(store)
    with store.begin() as conn:
        add_outlet(conn, Outlet(OUTLET, "official", ("x",), signatures=("NWMO:",)), "again")
        found = {o.name: o for o in list_outlets(conn)}
        assert found[OUTLET].handles == ("x",) and found[OUTLET].signatures == ("NWMO:",)
        assert found["Daily Courier"].kind == "news" and found[OUTLET].added_by == "again"
        remove_outlet(conn, "Daily Courier")
        with pytest.raises(OutletError):
            remove_outlet(conn, "Daily Courier")
        assert [o.name for o in list_outlets(conn)] == [OUTLET]
        with pytest.raises(ValueError):
            add_outlet(conn, Outlet(" ", "official"), "x")


def test_channels_are_attributed_with_reasons(corpus):
    store, _folders = corpus
    report = run_attribution(store)
    assert report.channels == {"official": 1, "supporter": 1, "news": 1, "unknown": 1}
    rows = channel_rows(store)
    assert rows[OUTLET]["attribution"] == "official"
    assert rows[OUTLET]["attribution_reasons"] == [
        {"reason": "registered", "outlet": OUTLET, "matched": "title"}
    ]
    relay = rows["Lantern Relay"]
    assert relay["attribution"] == "supporter"
    reasons = {r["reason"]: r for r in relay["attribution_reasons"]}
    assert set(reasons) == {"forwarded_from", "watermark", "repost", "share"}
    assert reasons["share"] == {"reason": "share", "posts": 3, "of": 4, "share": 0.75}
    assert rows["Daily Courier"]["attribution"] == "news"
    garden = rows["Garden Club"]
    assert garden["attribution"] == "unknown"  # one pasted statement in nine posts
    assert garden["attribution_reasons"] == [{"reason": "signature", "outlet": OUTLET, "posts": 1}]


def test_posts_are_attributed_from_channel_signature_watermark_and_forward(corpus):
    store, _folders = corpus
    run_attribution(store)
    found = post_attribution(store)
    by_chat = {k.rsplit("/", 1)[0]: {} for k in found}
    for key, value in found.items():
        chat_key, _, message_id = key.rpartition("/")
        by_chat[chat_key][int(message_id)] = value
    official, relay, news, garden = (by_chat[k] for k in sorted(by_chat, key=_chat_order))
    assert {v["attribution"] for v in official.values()} == {"official"}
    assert set(relay) == {1, 2, 3, 4} and relay[3]["reasons"][0]["reason"] == "channel"
    assert relay[2]["reasons"][0]["reason"] == "watermark" and relay[2]["outlet"] == OUTLET
    assert relay[1]["reasons"][0] == {
        "reason": "forwarded_from", "outlet": OUTLET, "kind": "official", "matched": OUTLET
    }  # fmt: skip
    assert news[1]["attribution"] == "news" and news[1]["outlet"] == "Daily Courier"
    assert set(garden) == {2} and garden[2]["attribution"] == "supporter"
    assert garden[2]["reasons"][0]["reason"] == "signature"


def _chat_order(key: str) -> int:
    return int("".join(c for c in key if c.isdigit())[-4:])


def test_removing_an_outlet_withdraws_its_attribution(corpus):
    store, _folders = corpus
    first = run_attribution(store)
    again = run_attribution(store)
    assert again.unchanged and again.channels == first.channels and not first.unchanged
    with store.begin() as conn:
        remove_outlet(conn, OUTLET)
    report = run_attribution(store)
    assert report.channels == {"news": 1, "unknown": 3}
    assert {v["attribution"] for v in post_attribution(store).values()} == {"news"}


def test_command_line(corpus, settings):
    store = corpus[0]
    store.close()
    base = ["--workspace", str(settings.workspace), "--db", settings.db_url]
    run = CliRunner().invoke
    added = run(main, [*base, "outlets", "add", "Echo Wire", "--kind", "news", "--handle", "@echo",
                       "--alias", "EW", "--watermark", "EW mark", "--signature", "Echo Wire:",
                       "--note", "test"])  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = json.loads(run(main, [*base, "outlets", "list", "--json"]).stdout)
    echo = {o["name"]: o for o in listed}["Echo Wire"]
    assert echo["handles"] == ["echo"] and echo["aliases"] == ["EW"] and echo["note"] == "test"
    assert echo["watermark_labels"] == ["EW mark"] and echo["signatures"] == ["Echo Wire:"]
    human = run(main, [*base, "outlets", "list"], env={"COLUMNS": "200"})
    assert human.exit_code == 0 and "Echo Wire" in human.stdout
    assert run(main, [*base, "outlets", "add", "X", "--kind", "blog"]).exit_code == 2
    assert run(main, [*base, "outlets", "remove", "Echo Wire"]).exit_code == 0
    assert run(main, [*base, "outlets", "remove", "Echo Wire"]).exit_code == 1
    done = run(main, [*base, "analyze", "--only", "attribution", "--workers", "1"])
    assert done.exit_code == 0, done.output
    shown = json.loads(run(main, [*base, "channels", "--json"]).stdout)
    by_title = {c["title"]: c for c in shown}
    assert by_title["Lantern Relay"]["attribution"] == "supporter"
    assert by_title["Lantern Relay"]["attribution_reasons"]
