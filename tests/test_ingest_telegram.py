"""Ingesting every Telegram Desktop export variant we have, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil

from sqlalchemy import func, select

from tests.exports import message, single_chat, write_export
from watchfloor.ingest import ingest_paths
from watchfloor.store import queries
from watchfloor.store.schema import post_media, post_versions, posts, quarantine


def count(store, table, *where) -> int:
    with store.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def all_posts(store, **kw):
    with store.connect() as conn:
        return queries.list_posts(conn, limit=10_000, **kw)


def test_current_format_single_chat(store, settings, telegram_exports):
    report = ingest_paths(
        store, settings, [telegram_exports / "langchain_personal_2023" / "result.json"]
    )
    assert report.totals()["added"] == 4
    rows = sorted(all_posts(store), key=lambda r: r["message_id"])
    assert [r["text"] for r in rows][:2] == ["i refuse to converse with you", "Hi nemesis"]
    assert rows[0]["date"] == "2023-08-23T20:11:23+00:00"  # from date_unixtime, no assumption
    assert rows[0]["date_assumed_tz"] is None
    assert rows[1]["sender_id"] == "user6565661032"
    assert rows[0]["channel"] == "telegram:5965280513"


def test_legacy_format_integer_from_id_and_bare_dates(store, settings, telegram_exports):
    ingest_paths(store, settings, [telegram_exports / "langchain_legacy_2020" / "telegram.json"])
    rows = sorted(all_posts(store), key=lambda r: r["message_id"])
    assert len(rows) == 3
    assert rows[0]["sender_id"] == "4325636679"
    assert rows[0]["date"] == "2020-01-01T00:00:02+00:00"
    assert rows[0]["date_assumed_tz"] == "UTC"


def test_bare_dates_follow_the_configured_zone(tmp_path, telegram_exports):
    from watchfloor.config import load_settings
    from watchfloor.store import open_store

    settings = load_settings(tmp_path / "ws", None, export_tz="Europe/Amsterdam", environ={})
    store = open_store(settings)
    ingest_paths(store, settings, [telegram_exports / "langchain_legacy_2020" / "telegram.json"])
    first = min(all_posts(store), key=lambda r: r["message_id"])
    assert first["date"] == "2019-12-31T23:00:02+00:00"
    assert first["date_assumed_tz"] == "Europe/Amsterdam"


def test_html_export_carries_sender_over_joined_messages(store, settings, telegram_exports):
    report = ingest_paths(store, settings, [telegram_exports / "langchain_personal_2023_html"])
    assert report.sources[0].kind == "html"
    rows = sorted(all_posts(store), key=lambda r: r["message_id"])
    assert [r["message_id"] for r in rows] == [1, 2, 3, 4]  # the date separator is not a post
    assert rows[1]["sender"] == "Batman & Robin"
    assert rows[3]["sender"] == "Jimmeny Marvelton"  # "joined": no from_name of its own
    assert rows[0]["date"] == "2023-08-23T21:11:23+00:00"  # 13:11:23 UTC-08:00
    assert rows[0]["channel"] == "telegram:title:Jimmeny Marvelton"


def test_synthetic_exports_with_every_message_type(store, settings, telegram_exports):
    folder = telegram_exports / "tkonverter_synthetic"
    report = ingest_paths(
        store, settings, [folder / "result_personal.json", folder / "result_group.json"]
    )
    totals = report.totals()
    assert totals["added"] == 86 + 44
    assert totals["rejected"] == 2  # one 'unsupported' message in each
    with store.connect() as conn:
        q = queries.list_quarantine(conn)
    assert {r["code"] for r in q} == {"unsupported_message"}
    by_id = {r["message_id"]: r for r in all_posts(store, channel="telegram:10001")}
    assert by_id[2]["forwarded_from"] == "Channel News"
    assert by_id[2]["reply_to"] == 1
    assert by_id[2]["edit_date"] == "2026-02-01T09:03:00+00:00"  # edited_unixtime wins
    assert by_id[1]["entities"]["mentions"] == ["alice"]
    assert "https://example.org" in by_id[1]["entities"]["links"]
    assert (
        by_id[23]["text"] == "" and by_id[23]["sender"] == "Me"
    )  # service message, actor as sender
    unavailable = by_id[22]["media"][0]
    assert unavailable["status"] == "missing" and "unavailable" in unavailable["note"]
    photo = by_id[3]["media"][0]
    assert photo["role"] == "photo" and photo["status"] == "missing"  # not in the fixture folder
    assert photo["note"] == "file not found in the export folder"


def test_text_as_list_of_entities_and_telegram_links(store, settings, tmp_path):
    text = [
        "Stand-in notice ",
        {"type": "hashtag", "text": "#حملة_تجريبية"},
        " join ",
        {"type": "link", "text": "https://t.me/+AbC123xyz"},
        " or ",
        {"type": "text_link", "text": "here", "href": "https://t.me/standin_channel"},
        " cc ",
        {"type": "mention", "text": "@Relay_Account"},
        " t.me/joinchat/QwErTy987 and https://example.org/report.",
    ]
    path = write_export(tmp_path / "exp", single_chat([message(1, text)]))
    ingest_paths(store, settings, [path])
    (post,) = all_posts(store)
    assert post["text"].startswith(
        "Stand-in notice #حملة_تجريبية join https://t.me/+AbC123xyz or here"
    )
    ents = post["entities"]
    assert ents["hashtags"] == ["حملة_تجريبية"]
    assert set(ents["invite_links"]) == {
        "https://t.me/+AbC123xyz",
        "https://t.me/joinchat/QwErTy987",
    }
    assert (
        "standin_channel" in ents["telegram_handles"]
        and "relay_account" in ents["telegram_handles"]
    )
    assert ents["mentions"] == ["relay_account"]
    assert "https://example.org/report" in ents["links"]


def test_reingest_adds_nothing_twice(store, settings, telegram_exports, tmp_path):
    src = telegram_exports / "tkonverter_synthetic" / "result_personal.json"
    first = ingest_paths(store, settings, [src])
    assert first.totals()["added"] == 86
    again = ingest_paths(store, settings, [src])
    assert again.sources[0].chats[0].already_complete
    forced = ingest_paths(store, settings, [src], force=True)
    assert forced.totals()["added"] == 0 and forced.totals()["unchanged"] == 86
    assert count(store, quarantine) == 1  # the unsupported message, once
    copy = tmp_path / "copy" / "result.json"  # the same export elsewhere: read again, nothing new
    copy.parent.mkdir()
    shutil.copy(src, copy)
    third = ingest_paths(store, settings, [copy])
    assert third.totals()["added"] == 0 and third.totals()["unchanged"] == 86
    assert count(store, posts) == 86


def test_overlapping_exports(store, settings, tmp_path):
    early = write_export(
        tmp_path / "a", single_chat([message(i, f"post {i}") for i in range(1, 11)])
    )
    late = write_export(
        tmp_path / "b", single_chat([message(i, f"post {i}") for i in range(6, 21)])
    )
    ingest_paths(store, settings, [early])
    report = ingest_paths(store, settings, [late])
    assert report.totals()["added"] == 10 and report.totals()["unchanged"] == 5
    assert count(store, posts) == 20


def test_edited_message_updates_post_and_keeps_earlier_version(store, settings, tmp_path):
    original = message(7, "first wording")
    edited = message(
        7, "second wording", edited="2018-01-10T13:00:00", edited_unixtime=str(1515589200)
    )
    ingest_paths(store, settings, [write_export(tmp_path / "v1", single_chat([original]))])
    report = ingest_paths(store, settings, [write_export(tmp_path / "v2", single_chat([edited]))])
    assert report.totals()["updated"] == 1 and report.totals()["versions_kept"] == 1
    (post,) = all_posts(store)
    assert post["text"] == "second wording"
    with store.connect() as conn:
        versions = conn.execute(select(post_versions.c.text)).scalars().all()
    assert versions == ["first wording"]
    # The older export read again later neither overwrites the newer text nor duplicates the version.
    ingest_paths(store, settings, [write_export(tmp_path / "v1b", single_chat([original]))])
    assert all_posts(store)[0]["text"] == "second wording"
    assert count(store, post_versions) == 1


def test_older_edit_arriving_late_is_kept_as_version(store, settings, tmp_path):
    newer = message(3, "v3", edited_unixtime="1515600000")
    older = message(3, "v2", edited_unixtime="1515590000")
    ingest_paths(store, settings, [write_export(tmp_path / "new", single_chat([newer]))])
    ingest_paths(store, settings, [write_export(tmp_path / "old", single_chat([older]))])
    assert all_posts(store)[0]["text"] == "v3"
    with store.connect() as conn:
        assert conn.execute(select(post_versions.c.text)).scalars().all() == ["v2"]


def test_full_account_export_ingests_every_chat(store, settings, tmp_path):
    chat_a = single_chat([message(1, "a1"), message(2, "a2")], chat_id=11, name="Chat A")
    chat_b = single_chat([message(1, "b1")], chat_id=12, name="Chat B", kind="private_group")
    left = single_chat([message(5, "left chat post")], chat_id=13, name="Left")
    account = {
        "about": "Here is the data you requested.",
        "personal_information": {"user_id": 1, "first_name": "Analyst"},
        "contacts": {"about": "", "list": []},
        "chats": {
            "about": "chats",
            "list": [chat_a, {"name": "empty", "type": "saved_messages", "id": 99}, chat_b],
        },
        "left_chats": {"about": "left", "list": [left]},
    }
    report = ingest_paths(store, settings, [write_export(tmp_path / "acct", account)])
    assert report.sources[0].kind == "full_account"
    with store.connect() as conn:
        chans = {c["key"]: c["posts"] for c in queries.list_channels(conn)}
    assert chans == {"telegram:11": 2, "telegram:12": 1, "telegram:13": 1}


def test_placeholders_are_missing_media_not_errors(store, settings, tmp_path):
    msgs = [
        message(
            1,
            "",
            photo="(File not included. Change data exporting settings to download.)",
            width=800,
            height=600,
        ),
        message(
            2,
            "",
            file="(File exceeds maximum size. Change data exporting settings to download.)",
            media_type="video_file",
        ),
    ]
    report = ingest_paths(store, settings, [write_export(tmp_path / "e", single_chat(msgs))])
    assert report.quarantined == 0
    with store.connect() as conn:
        statuses = conn.execute(select(post_media.c.role, post_media.c.status)).all()
    assert sorted(statuses) == [("photo", "missing"), ("video_file", "missing")]


def test_malformed_messages_are_quarantined_and_the_rest_kept(store, settings, tmp_path):
    msgs = [
        message(1, "ok"),
        {"id": "not-a-number", "type": "message"},
        message(3, "ok too"),
        {"id": 4, "type": "message", "text": "no date"},
    ]
    report = ingest_paths(store, settings, [write_export(tmp_path / "m", single_chat(msgs))])
    assert report.totals()["added"] == 2
    with store.connect() as conn:
        q = queries.list_quarantine(conn)
    assert sorted((r["locator"], r["code"]) for r in q) == [
        ("message #1", "malformed_message"),
        ("message 4", "malformed_message"),
    ]
    assert "integer" in next(r["reason"] for r in q if r["locator"] == "message #1")


def test_truncated_json_keeps_what_came_before(store, settings, tmp_path):
    path = write_export(tmp_path / "t", single_chat([message(i, f"m{i}") for i in range(1, 301)]))
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.8)])
    report = ingest_paths(store, settings, [path], batch_size=50)
    assert report.sources[0].error and report.sources[0].error.startswith("malformed_json")
    kept = count(store, posts)
    assert 150 <= kept < 300
    with store.connect() as conn:
        assert [r["code"] for r in queries.list_quarantine(conn)] == ["malformed_json"]


def test_not_an_export_is_quarantined(store, settings, tmp_path):
    bogus = tmp_path / "bogus.json"
    bogus.write_text(json.dumps([1, 2, 3]))
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": "world"}))
    report = ingest_paths(store, settings, [bogus, other, tmp_path / "absent.json"])
    assert [s.error.split(":")[0] for s in report.sources] == [
        "not_an_export",
        "not_an_export",
        "not_found",
    ]
    assert report.quarantined == 3
